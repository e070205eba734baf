// authorize() is the one place access is decided; these are the requirements that are not about a
// console permission or a tenant (those are proven route by route in test/security).
import { describe, expect, it } from "vitest";
import type { GlobalRole } from "../../src/db/schema";
import { allPermissions, authorize, type Principal, resolvePermissions } from "../../src/domain/access";

function principalOf(role: GlobalRole): Principal {
  const now = new Date("2026-11-23T12:00:00Z");
  return {
    user: {
      id: `usr_${role.toLowerCase()}`,
      email: `${role.toLowerCase()}@example.test`,
      firstName: "Pat",
      lastName: "Person",
      displayName: "Pat",
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
    memberships: [],
    // An operator whose groups grant every permission still is not an instance administrator.
    permissions: resolvePermissions(role, allPermissions),
  };
}

describe("authorize", () => {
  it("lets only a SUPER_ADMIN past an instance-admin requirement, whatever the others' permissions", () => {
    expect(authorize(principalOf("SUPER_ADMIN"), { kind: "instance-admin" })).toEqual({ allowed: true });
    for (const role of ["OPERATOR", "CONTRACTOR", "CLIENT_USER"] as const) {
      expect(authorize(principalOf(role), { kind: "instance-admin" }), role).toEqual({ allowed: false, status: 403 });
    }
    expect(authorize(null, { kind: "instance-admin" })).toEqual({ allowed: false, status: 401 });
  });

  it("opens the portal to client users, even without a membership, and answers 404 to staff", () => {
    expect(authorize(principalOf("CLIENT_USER"), { kind: "portal" })).toEqual({ allowed: true });
    for (const role of ["SUPER_ADMIN", "OPERATOR", "CONTRACTOR"] as const) {
      expect(authorize(principalOf(role), { kind: "portal" }), role).toEqual({ allowed: false, status: 404 });
    }
    expect(authorize(null, { kind: "portal" })).toEqual({ allowed: false, status: 401 });
  });

  it("still answers 404 for a tenant's portal the client user is not a member of", () => {
    const decision = authorize(principalOf("CLIENT_USER"), {
      kind: "portal",
      tenant: { slug: "acme" },
      access: "read",
    });
    expect(decision).toEqual({ allowed: false, status: 404 });
  });
});
