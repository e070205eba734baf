// Authorization: the one function that decides, for pages and API alike (docs/SECURITY.md "Access control").
//
// Console permissions are `resource:action`. SUPER_ADMIN holds all of them; OPERATOR and
// CONTRACTOR hold what their access groups grant; CLIENT_USER holds none, whatever a group row
// says. Tenant memberships alone govern /tenants/* and /portal/*, and only live ones count: a
// membership past its expiry grants nothing from that instant, whatever the cron has done.
// Services (actors that are not people) are decided from their scope alone: authorizeService below.
import type { GlobalRole, MembershipRole, ServiceType, SignInMethod } from "../db/schema";
import type { EventDeliveryHint } from "./webhooks/webhook-dispatch";

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
    slackId: string | null;
    createdAt: Date;
    lastLoginAt: Date | null;
  };
  credential:
    | {
        kind: "session";
        sessionId: string;
        authenticatedAt: Date;
        signInMethod: SignInMethod;
        /** The role's policy wants a passkey first: only passkey enrolment and sign-out are reachable. */
        passkeyEnrolmentRequired: boolean;
      }
    | { kind: "api_token"; tokenId: string };
  /** Read with the principal, in the same batch: whether events may wait for webhook delivery. */
  eventDelivery?: EventDeliveryHint;
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

/** A tenant named by slug (page URLs) or by id (API URLs). */
export type TenantRef = { slug: string } | { id: string };

export type TenantAccess =
  /** Staff and client members of the tenant (any role), and SUPER_ADMIN. */
  | "read"
  /** Changing the tenant's profile and updates: OPERATOR_FULL and SUPER_ADMIN. */
  | "write"
  /** Inviting, removing and re-linking the tenant's client users: OPERATOR_FULL, SUPER_ADMIN and CLIENT_ADMIN. */
  | "manage-clients";

export type Requirement =
  /** Any admin-console surface; with a permission, that permission too. */
  | { kind: "console"; permission?: Permission }
  /** The operator workspace of one tenant (/tenants/*): staff only. */
  | { kind: "tenant-workspace"; tenant: TenantRef; access: TenantAccess }
  /** The client portal (/portal, where a client user chooses a tenant): client users only. */
  | { kind: "portal" }
  /** The client portal of one tenant (/portal/*): client users only. */
  | { kind: "portal"; tenant: TenantRef; access: TenantAccess }
  /** What only a SUPER_ADMIN may open, whatever their access groups grant (the outbox: live setup links). */
  | { kind: "instance-admin" }
  /** A tenant's content through the API: staff and client members alike. */
  | { kind: "tenant-content"; tenant: TenantRef; access: TenantAccess }
  /** Anything every signed-in user may do for themselves (account page, /me). */
  | { kind: "self" }
  /** Adding a passkey: the one thing a session that must first add one may reach (docs/PASSKEYS.md). */
  | { kind: "passkey-enrolment" }
  /** Provisioning one account of this global role (a directory's work): services only. */
  | { kind: "provisioning"; role: GlobalRole }
  /** The SCIM surface (/scim/v2): a directory's token only; what it reaches is its own scope (domain/scim/). */
  | { kind: "scim" }
  /**
   * Deciding (or, for a client's say on staff, advising on) one access-review item
   * (docs/ACCESS-REVIEWS.md): its reviewer, never the member; the run's campaign for its own items.
   */
  | { kind: "review-item"; item: ReviewItemFacts; access: "decide" | "advise" };

/**
 * The console permission a grantor needs to review what they granted: the authority to end it.
 * domain/reviews/review-reviewers.ts#mayReviewAsGrantorSql is its SQL twin (who the cron hands over).
 */
export const grantorReviewPermission: Permission = "memberships:delete";

/** What authorize() needs to know of an access-review item. */
export interface ReviewItemFacts {
  runId: string;
  tenantId: string;
  /** The member whose access is reviewed. */
  userId: string;
  /** "user:<id>", "super_admins" or "client_admins" (domain/reviews/review-reviewers.ts). */
  reviewerKey: string;
  clientMayAdvise: boolean;
}

export type Decision =
  | { allowed: true; membership?: LiveMembership }
  | { allowed: false; status: 401 | 403 | 404; passkeyEnrolmentRequired?: true };

function findMembership(principal: Principal, tenant: TenantRef): LiveMembership | undefined {
  return principal.memberships.find((m) =>
    "slug" in tenant ? m.tenantSlug === tenant.slug : m.tenantId === tenant.id,
  );
}

const rolesAllowed: Record<TenantAccess, readonly MembershipRole[]> = {
  read: ["OPERATOR_FULL", "OPERATOR_READONLY", "CLIENT_ADMIN", "CLIENT_VIEWER"],
  write: ["OPERATOR_FULL"],
  "manage-clients": ["OPERATOR_FULL", "CLIENT_ADMIN"],
};

/**
 * Tenant-scoped access: a tenant the caller is not a live member of answers 404 (its existence is
 * not revealed); a member whose role lacks the access answers 403. SUPER_ADMIN reaches every
 * tenant as OPERATOR_FULL (docs/PRODUCT.md §9); the route still answers 404 when the tenant does not exist.
 */
function decideTenantAccess(principal: Principal, tenant: TenantRef, access: TenantAccess): Decision {
  const membership = findMembership(principal, tenant);
  if (principal.user.role === "SUPER_ADMIN") return { allowed: true, ...(membership ? { membership } : {}) };
  if (!membership) return { allowed: false, status: 404 };
  if (!rolesAllowed[access].includes(membership.role)) return { allowed: false, status: 403 };
  return { allowed: true, membership };
}

export function authorize(principal: Principal | ServicePrincipal | null, requirement: Requirement): Decision {
  if (!principal) return { allowed: false, status: 401 };
  if ("service" in principal) return authorizeService(principal.service, requirement);
  // People provision accounts through the console (users:*), never through a directory's surface.
  if (requirement.kind === "provisioning" || requirement.kind === "scim") return { allowed: false, status: 403 };
  const credential = principal.credential;
  const mustEnrol = credential.kind === "session" && credential.passkeyEnrolmentRequired;
  // Until the passkey the policy asks for is added, the session reaches nothing else.
  if (mustEnrol && requirement.kind !== "passkey-enrolment")
    return { allowed: false, status: 403, passkeyEnrolmentRequired: true };
  const role = principal.user.role;
  switch (requirement.kind) {
    case "self":
    case "passkey-enrolment":
      return { allowed: true };
    case "console": {
      if (!isStaffRole(role)) return { allowed: false, status: 403 };
      if (requirement.permission && !principal.permissions.has(requirement.permission)) {
        return { allowed: false, status: 403 };
      }
      return { allowed: true };
    }
    case "tenant-workspace":
      if (!isStaffRole(role)) return { allowed: false, status: 404 };
      return decideTenantAccess(principal, requirement.tenant, requirement.access);
    case "portal":
      // docs/PRODUCT.md §9: /portal/* answers 404 to staff.
      if (role !== "CLIENT_USER") return { allowed: false, status: 404 };
      if (!("tenant" in requirement)) return { allowed: true };
      return decideTenantAccess(principal, requirement.tenant, requirement.access);
    case "tenant-content":
      return decideTenantAccess(principal, requirement.tenant, requirement.access);
    case "instance-admin":
      return role === "SUPER_ADMIN" ? { allowed: true } : { allowed: false, status: 403 };
    case "review-item":
      return decideReviewItem(principal, requirement.item, requirement.access);
  }
}

/**
 * A person reviews an item only as its reviewer: the user it names, any SUPER_ADMIN, or any live
 * CLIENT_ADMIN of the item's tenant; the tenant's CLIENT_ADMINs advise where the run lets them.
 * Nobody reviews their own access. Someone who may not see the tenant learns nothing (404).
 */
function decideReviewItem(principal: Principal, item: ReviewItemFacts, access: "decide" | "advise"): Decision {
  const role = principal.user.role;
  const clientAdminHere = principal.memberships.some((m) => m.tenantId === item.tenantId && m.role === "CLIENT_ADMIN");
  const mayKnow = role === "SUPER_ADMIN" || principal.memberships.some((m) => m.tenantId === item.tenantId);
  const refused: Decision = { allowed: false, status: mayKnow ? 403 : 404 };
  if (principal.user.id === item.userId) return refused;
  if (access === "advise") return item.clientMayAdvise && clientAdminHere ? { allowed: true } : refused;
  const key = item.reviewerKey;
  // A grantor reviews what they granted only while they may still end memberships.
  const isReviewer =
    (key === `user:${principal.user.id}` && isStaffRole(role) && principal.permissions.has(grantorReviewPermission)) ||
    (key === "super_admins" && role === "SUPER_ADMIN") ||
    (key === "client_admins" && role === "CLIENT_USER" && clientAdminHere);
  return isReviewer ? { allowed: true } : refused;
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return authorize(principal, { kind: "console", permission }).allowed;
}

/**
 * The reach of a service actor (docs/SECURITY.md "Actors that are not people"): `staff` is the
 * instance-wide staff directory, which provisions OPERATOR and CONTRACTOR accounts; `tenant` binds
 * the service to one tenant, where it manages the client users (their memberships) and nothing else.
 */
export type ServiceScope =
  | { kind: "staff" }
  | { kind: "tenant"; tenantId: string }
  /** An access-review campaign acting for one of its runs: it decides that run's items and nothing else. */
  | { kind: "review-run"; runId: string };

export interface ServiceIdentity {
  type: ServiceType;
  id: string;
  name: string;
  scope: ServiceScope;
}

/** A service as a caller; the same object is its actor in DomainContext. */
export interface ServicePrincipal {
  kind: "service";
  service: ServiceIdentity;
}

const provisionedByStaffDirectory: readonly GlobalRole[] = ["OPERATOR", "CONTRACTOR"];

/**
 * Services are decided from their scope, never from a role: the type says what a service is, the
 * scope what it may touch. Every other requirement (the console, the workspace and portal pages,
 * "self", and any kind added later) is refused, so a new surface is closed to services until it
 * says otherwise here.
 */
function authorizeService(service: ServiceIdentity, requirement: Requirement): Decision {
  const scope = service.scope;
  if (requirement.kind === "provisioning") {
    const allowed = scope.kind === "staff" && provisionedByStaffDirectory.includes(requirement.role);
    return allowed ? { allowed: true } : { allowed: false, status: 403 };
  }
  if (requirement.kind === "scim") {
    return service.type === "scim_directory" ? { allowed: true } : { allowed: false, status: 403 };
  }
  if (requirement.kind === "tenant-content") {
    // Services name tenants by id (API URLs); like a person's, a tenant outside the scope answers 404.
    const own = scope.kind === "tenant" && "id" in requirement.tenant && requirement.tenant.id === scope.tenantId;
    if (!own) return { allowed: false, status: 404 };
    return requirement.access === "manage-clients" ? { allowed: true } : { allowed: false, status: 403 };
  }
  if (requirement.kind === "review-item") {
    const own = scope.kind === "review-run" && requirement.item.runId === scope.runId;
    return own && requirement.access === "decide" ? { allowed: true } : { allowed: false, status: 403 };
  }
  return { allowed: false, status: 403 };
}
