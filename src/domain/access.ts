// Authorization: the one function that decides, for pages and API alike (SECURITY.md, ASVS 4).
//
// Console permissions are `resource:action`. SUPER_ADMIN holds all of them; OPERATOR and
// CONTRACTOR hold what their access groups grant; CLIENT_USER holds none, whatever a group row
// says. Tenant memberships alone govern /tenants/* and /portal/*, and only live ones count: a
// membership past its expiry grants nothing from that instant, whatever the cron has done.
import type { GlobalRole, MembershipRole } from "../db/schema";

export const permissionResources = ["users", "memberships", "tenants", "groups", "audit"] as const;
export const permissionActions = ["read", "create", "update", "delete"] as const;
export type PermissionResource = (typeof permissionResources)[number];
export type PermissionAction = (typeof permissionActions)[number];
export type Permission = `${PermissionResource}:${PermissionAction}`;

export const allPermissions: readonly Permission[] = permissionResources.flatMap((resource) =>
  permissionActions.map((action) => `${resource}:${action}` as Permission),
);

export function isPermission(value: string): value is Permission {
  return (allPermissions as readonly string[]).includes(value);
}

export interface LiveMembership {
  id: string;
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  role: MembershipRole;
  expiresAt: Date | null;
}

export interface Principal {
  user: {
    id: string;
    email: string;
    firstName: string;
    lastName: string;
    displayName: string;
    role: GlobalRole;
    timeZone: string;
  };
  credential: { kind: "session"; sessionId: string; authenticatedAt: Date } | { kind: "api_token"; tokenId: string };
  memberships: LiveMembership[];
  permissions: ReadonlySet<Permission>;
}

export function isStaffRole(role: GlobalRole): boolean {
  return role !== "CLIENT_USER";
}

export function resolvePermissions(role: GlobalRole, groupPermissions: Iterable<string>): ReadonlySet<Permission> {
  if (role === "SUPER_ADMIN") return new Set(allPermissions);
  if (role === "CLIENT_USER") return new Set();
  return new Set([...groupPermissions].filter(isPermission));
}

export function isMembershipLive(membership: { revokedAt?: Date | null; expiresAt: Date | null }, now: Date): boolean {
  if (membership.revokedAt) return false;
  return membership.expiresAt === null || membership.expiresAt.getTime() > now.getTime();
}

export type Requirement =
  /** Any admin-console surface; with a permission, that permission too. */
  | { kind: "console"; permission?: Permission }
  /** The operator workspace of one tenant. */
  | { kind: "tenant"; tenantSlug: string; access: "read" | "write" }
  /** The client portal of one tenant. */
  | { kind: "portal"; tenantSlug: string; access: "read" | "admin" }
  /** Anything every signed-in user may do for themselves (account page, /me). */
  | { kind: "self" };

export type Decision = { allowed: true; membership?: LiveMembership } | { allowed: false; status: 401 | 403 | 404 };

export function authorize(principal: Principal | null, requirement: Requirement): Decision {
  if (!principal) return { allowed: false, status: 401 };
  const role = principal.user.role;
  switch (requirement.kind) {
    case "self":
      return { allowed: true };
    case "console": {
      if (!isStaffRole(role)) return { allowed: false, status: 403 };
      if (requirement.permission && !principal.permissions.has(requirement.permission)) {
        return { allowed: false, status: 403 };
      }
      return { allowed: true };
    }
    case "tenant": {
      if (!isStaffRole(role)) return { allowed: false, status: 404 };
      const membership = principal.memberships.find((m) => m.tenantSlug === requirement.tenantSlug);
      // SPEC §9: SUPER_ADMIN reaches /tenants/* as OPERATOR_FULL (the tenant's existence is checked by the route).
      if (role === "SUPER_ADMIN") return { allowed: true, ...(membership ? { membership } : {}) };
      if (!membership) return { allowed: false, status: 404 };
      if (requirement.access === "write" && membership.role !== "OPERATOR_FULL") return { allowed: false, status: 403 };
      return { allowed: true, membership };
    }
    case "portal": {
      if (role !== "CLIENT_USER") return { allowed: false, status: 404 };
      const membership = principal.memberships.find((m) => m.tenantSlug === requirement.tenantSlug);
      if (!membership) return { allowed: false, status: 404 };
      if (requirement.access === "admin" && membership.role !== "CLIENT_ADMIN") return { allowed: false, status: 403 };
      return { allowed: true, membership };
    }
  }
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return authorize(principal, { kind: "console", permission }).allowed;
}
