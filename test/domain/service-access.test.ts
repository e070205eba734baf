// authorize() for actors that are not people (docs/SECURITY.md "Actors that are not people"): a
// service is decided from its scope alone. Every outcome for people is the table of
// test/security/route-access-table.ts; here people appear only where the service requirement is new.
import { describe, expect, it } from "vitest";
import { globalRoles, serviceTypes } from "../../src/db/schema";
import {
  authorize,
  type Principal,
  type Requirement,
  type ServicePrincipal,
  type ServiceScope,
} from "../../src/domain/access";

const tenantId = "tnt_scoped";
const otherTenantId = "tnt_other";

function service(scope: ServiceScope, type: ServicePrincipal["service"]["type"] = "scim_directory"): ServicePrincipal {
  return { kind: "service", service: { type, id: `svc_${type}`, name: `A ${type}`, scope } };
}

function person(role: Principal["user"]["role"]): Principal {
  const now = new Date("2026-11-23T12:00:00Z");
  return {
    user: {
      id: `usr_${role}`,
      email: `${role.toLowerCase()}@example.test`,
      firstName: "A",
      lastName: "Person",
      displayName: "A Person",
      role,
      timeZone: "UTC",
      slackId: null,
      createdAt: now,
      lastLoginAt: null,
    },
    credential: {
      kind: "session",
      sessionId: "s",
      authenticatedAt: now,
      signInMethod: "password_totp",
      passkeyEnrolmentRequired: false,
    },
    memberships: [
      { id: "mbr_1", tenantId, tenantSlug: "scoped", tenantName: "Scoped", role: "OPERATOR_FULL", expiresAt: null },
    ],
    permissions: new Set(["users:create", "users:update"]),
  };
}

type Outcome = "allowed" | 401 | 403 | 404;

function outcome(principal: Principal | ServicePrincipal | null, requirement: Requirement): Outcome {
  const decision = authorize(principal, requirement);
  return decision.allowed ? "allowed" : decision.status;
}

const own = { id: tenantId };
const staff = service({ kind: "staff" });
const tenantScoped = service({ kind: "tenant", tenantId });

// [requirement, staff directory, tenant-scoped service]
const table: Array<[string, Requirement, Outcome, Outcome]> = [
  ["provision an OPERATOR", { kind: "provisioning", role: "OPERATOR" }, "allowed", 403],
  ["provision a CONTRACTOR", { kind: "provisioning", role: "CONTRACTOR" }, "allowed", 403],
  ["provision a SUPER_ADMIN", { kind: "provisioning", role: "SUPER_ADMIN" }, 403, 403],
  ["provision a CLIENT_USER", { kind: "provisioning", role: "CLIENT_USER" }, 403, 403],
  ["manage its tenant's clients", { kind: "tenant-content", tenant: own, access: "manage-clients" }, 404, "allowed"],
  ["read its tenant's content", { kind: "tenant-content", tenant: own, access: "read" }, 404, 403],
  ["write its tenant's content", { kind: "tenant-content", tenant: own, access: "write" }, 404, 403],
  [
    "manage another tenant's clients",
    { kind: "tenant-content", tenant: { id: otherTenantId }, access: "manage-clients" },
    404,
    404,
  ],
  [
    "name its tenant by slug",
    { kind: "tenant-content", tenant: { slug: "scoped" }, access: "manage-clients" },
    404,
    404,
  ],
  ["open the console", { kind: "console" }, 403, 403],
  ["use a console permission", { kind: "console", permission: "users:create" }, 403, 403],
  ["read the audit log", { kind: "console", permission: "audit:read" }, 403, 403],
  ["open its tenant's workspace", { kind: "tenant-workspace", tenant: own, access: "read" }, 403, 403],
  ["open its tenant's portal", { kind: "portal", tenant: own, access: "manage-clients" }, 403, 403],
  ["act on itself as a person would", { kind: "self" }, 403, 403],
  ["act as the instance's administrator (the outbox)", { kind: "instance-admin" }, 403, 403],
  ["open the portal chooser", { kind: "portal" }, 403, 403],
];

describe("authorize() for a service", () => {
  for (const [what, requirement, staffOutcome, tenantOutcome] of table) {
    it(`answers the staff directory ${staffOutcome} and a tenant's service ${tenantOutcome} to: ${what}`, () => {
      expect(outcome(staff, requirement)).toBe(staffOutcome);
      expect(outcome(tenantScoped, requirement)).toBe(tenantOutcome);
    });
  }

  it("decides from the scope alone, whatever the type of service", () => {
    for (const type of serviceTypes) {
      for (const [what, requirement, staffOutcome, tenantOutcome] of table) {
        expect(outcome(service({ kind: "staff" }, type), requirement), `${type}: ${what}`).toBe(staffOutcome);
        expect(outcome(service({ kind: "tenant", tenantId }, type), requirement), `${type}: ${what}`).toBe(
          tenantOutcome,
        );
      }
    }
  });
});

describe("authorize() for the SCIM surface", () => {
  it("admits a SCIM directory of either scope, and no other kind of service", () => {
    for (const type of serviceTypes) {
      const expected = type === "scim_directory" ? "allowed" : 403;
      expect(outcome(service({ kind: "staff" }, type), { kind: "scim" }), type).toBe(expected);
      expect(outcome(service({ kind: "tenant", tenantId }, type), { kind: "scim" }), type).toBe(expected);
    }
  });

  it("refuses every person, SUPER_ADMIN included, and answers 401 without a caller", () => {
    for (const role of globalRoles) expect(outcome(person(role), { kind: "scim" }), role).toBe(403);
    expect(outcome(null, { kind: "scim" })).toBe(401);
  });
});

describe("authorize() for provisioning", () => {
  it("refuses every person, SUPER_ADMIN included: people provision through the console", () => {
    for (const role of globalRoles) {
      for (const target of globalRoles) {
        expect(outcome(person(role), { kind: "provisioning", role: target }), `${role} provisioning ${target}`).toBe(
          403,
        );
      }
    }
  });

  it("answers 401 without a caller", () => {
    expect(outcome(null, { kind: "provisioning", role: "OPERATOR" })).toBe(401);
  });
});
