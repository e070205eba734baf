// The passkey policy below HTTP (docs/PASSKEYS.md "The policy"), on both stores: who may change it,
// the difference-only write and its audit event, the guard against a change made meanwhile, and
// the people not yet compliant. The page's own behaviour is in test/pages/sign-in-policy.test.ts.
import { beforeEach, describe, expect, it } from "vitest";
import { buildSeedStatements } from "../../../bench/lib/seed-sql";
import type { GlobalRole } from "../../../src/db/schema";
import type { Principal } from "../../../src/domain/access";
import type { DomainContext } from "../../../src/domain/context";
import {
  nonCompliantListLimit,
  readPasskeyPolicyPage,
  setPasskeyRequiredRoles,
} from "../../../src/domain/passkeys/passkey-policy";
import { TestClock } from "../../helpers/clock";
import { createActiveUser, inviteTestUser, testContext, testPrincipal } from "../../helpers/factories";
import { registerTestPasskey } from "../../helpers/passkeys";
import { rawDb } from "../../helpers/store";

function asActor(clock: TestClock, principal: Principal): DomainContext {
  return testContext(clock, { kind: "user", principal });
}

function superAdmin(clock: TestClock): DomainContext {
  return asActor(clock, testPrincipal(clock, "SUPER_ADMIN"));
}

async function storedRoles(): Promise<string[]> {
  const rows = await rawDb.prepare("SELECT role FROM passkey_required_roles ORDER BY role").all<{ role: string }>();
  return rows.results.map((row) => row.role);
}

// The audit log is append-only: each test reads the events written after it started.
let eventsBefore = 0;

async function policyEvents(): Promise<Array<{ details: unknown; actor_id: string | null }>> {
  const rows = await rawDb
    .prepare(
      "SELECT details, actor_id FROM audit_events WHERE action = 'policy.passkey_requirement_changed' AND id > ? ORDER BY id",
    )
    .bind(eventsBefore)
    .all<{ details: string; actor_id: string | null }>();
  return rows.results.map((row) => ({ details: JSON.parse(row.details), actor_id: row.actor_id }));
}

beforeEach(async () => {
  await rawDb.prepare("DELETE FROM passkey_required_roles").run();
  const last = await rawDb.prepare("SELECT coalesce(max(id), 0) AS id FROM audit_events").first<{ id: number }>();
  eventsBefore = last?.id ?? 0;
});

describe("changing the policy", () => {
  it("writes only the difference and audits the roles added and removed", async () => {
    const clock = new TestClock();
    const ctx = superAdmin(clock);
    expect(await setPasskeyRequiredRoles(ctx, ["OPERATOR", "SUPER_ADMIN"])).toEqual({
      added: ["SUPER_ADMIN", "OPERATOR"],
      removed: [],
      requiredRoles: ["SUPER_ADMIN", "OPERATOR"],
    });
    const superAdminSince = await rawDb
      .prepare("SELECT required_at FROM passkey_required_roles WHERE role = 'SUPER_ADMIN'")
      .first<{ required_at: number }>();
    clock.advanceSeconds(60);
    const change = await setPasskeyRequiredRoles(superAdmin(clock), ["SUPER_ADMIN", "CONTRACTOR"]);
    expect(change).toMatchObject({ added: ["CONTRACTOR"], removed: ["OPERATOR"] });
    expect(await storedRoles()).toEqual(["CONTRACTOR", "SUPER_ADMIN"]);
    // The role that stayed was not rewritten: it keeps the time it was first required.
    const kept = await rawDb
      .prepare("SELECT required_at, required_by FROM passkey_required_roles WHERE role = 'SUPER_ADMIN'")
      .first<{ required_at: number; required_by: string }>();
    expect(kept?.required_at).toBe(superAdminSince?.required_at);
    expect(kept?.required_by).toBe(testPrincipal(clock, "SUPER_ADMIN").user.id);
    expect(await policyEvents()).toEqual([
      { details: { added: ["SUPER_ADMIN", "OPERATOR"], removed: [] }, actor_id: "usr_super_admin_actor" },
      { details: { added: ["CONTRACTOR"], removed: ["OPERATOR"] }, actor_id: "usr_super_admin_actor" },
    ]);
  });

  it("writes nothing and audits nothing when the roles chosen are the roles required", async () => {
    const clock = new TestClock();
    await setPasskeyRequiredRoles(superAdmin(clock), ["OPERATOR"]);
    const again = await setPasskeyRequiredRoles(superAdmin(clock), ["OPERATOR", "OPERATOR"]);
    expect(again).toEqual({ added: [], removed: [], requiredRoles: ["OPERATOR"] });
    expect(await policyEvents()).toHaveLength(1);
  });

  it("refuses with 409 a change based on roles another Super admin has changed since, and keeps theirs", async () => {
    const clock = new TestClock();
    // Both admins opened the page while nothing was required; the first saves Operators.
    await setPasskeyRequiredRoles(superAdmin(clock), ["OPERATOR"], []);
    const late = setPasskeyRequiredRoles(superAdmin(clock), ["CONTRACTOR"], []);
    await expect(late).rejects.toMatchObject({ code: "STATE_CONFLICT", status: 409 });
    expect(await storedRoles()).toEqual(["OPERATOR"]);
    expect(await policyEvents()).toHaveLength(1);
  });

  it("lets exactly one of two saves made at the same moment through", async () => {
    const clock = new TestClock();
    const results = await Promise.allSettled([
      setPasskeyRequiredRoles(superAdmin(clock), ["OPERATOR"], []),
      setPasskeyRequiredRoles(superAdmin(clock), ["CONTRACTOR"], []),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect(refused?.reason).toMatchObject({ code: "STATE_CONFLICT" });
    expect(await storedRoles()).toHaveLength(1);
    expect(await policyEvents()).toHaveLength(1);
  });

  it("is for Super admins only, whatever the permissions of the caller", async () => {
    const clock = new TestClock();
    const operator = testPrincipal(clock, "OPERATOR", ["users:read", "users:update", "users:delete"]);
    await expect(setPasskeyRequiredRoles(asActor(clock, operator), ["OPERATOR"])).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(readPasskeyPolicyPage(asActor(clock, operator))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setPasskeyRequiredRoles(testContext(clock), ["OPERATOR"])).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await storedRoles()).toEqual([]);
  });

  it("needs a recent sign-in", async () => {
    const clock = new TestClock();
    const principal = testPrincipal(clock, "SUPER_ADMIN");
    clock.advanceSeconds(16 * 60);
    await expect(setPasskeyRequiredRoles(asActor(clock, principal), ["OPERATOR"])).rejects.toMatchObject({
      code: "RECENT_SIGN_IN_REQUIRED",
    });
    expect(await storedRoles()).toEqual([]);
  });
});

describe("the people not yet compliant", () => {
  async function listed(clock: TestClock) {
    const page = await readPasskeyPolicyPage(superAdmin(clock));
    return { ...page, ids: page.nonCompliant.people.map((person) => person.id) };
  }

  it("are the active people of a required role without a usable passkey, with their count", async () => {
    const clock = new TestClock();
    const lastName = "Aardvark"; // first by name, ahead of every other test's people
    const without = await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Cleo", lastName });
    const withPasskey = await createActiveUser(clock, { role: "CONTRACTOR", lastName });
    await registerTestPasskey(clock, withPasskey, { name: "Laptop" });
    const pendingSetupOnly = await createActiveUser(clock, { role: "CONTRACTOR", lastName });
    await registerTestPasskey(clock, pendingSetupOnly, { pendingSetupTokenHash: "unfinished-setup" });
    const otherRole = await createActiveUser(clock, { role: "OPERATOR", lastName });
    const pending = await inviteTestUser(clock, { role: "CONTRACTOR", lastName });

    const none = await listed(clock);
    expect(none.requiredRoles).toEqual([]);
    expect(none.nonCompliant.total).toBe(0);

    await setPasskeyRequiredRoles(superAdmin(clock), ["CONTRACTOR"]);
    const page = await listed(clock);
    expect(page.requiredRoles).toEqual(["CONTRACTOR"]);
    expect(page.ids).toEqual(expect.arrayContaining([without.id, pendingSetupOnly.id]));
    expect(page.ids).not.toContain(withPasskey.id);
    expect(page.ids).not.toContain(otherRole.id);
    expect(page.ids).not.toContain(pending.user.id);
    expect(page.nonCompliant.people.find((person) => person.id === without.id)).toEqual({
      id: without.id,
      firstName: "Cleo",
      lastName,
      email: without.email,
      role: "CONTRACTOR",
    });
    const counted = await rawDb
      .prepare(
        `SELECT count(*) AS n FROM users WHERE role = 'CONTRACTOR' AND activated_at IS NOT NULL AND deactivated_at IS NULL
         AND erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM passkeys WHERE passkeys.user_id = users.id AND pending_setup_token_hash IS NULL)`,
      )
      .first<{ n: number }>();
    expect(page.nonCompliant.total).toBe(counted?.n);

    await registerTestPasskey(clock, without, { name: "YubiKey" });
    const after = await listed(clock);
    expect(after.ids).not.toContain(without.id);
    expect(after.nonCompliant.total).toBe(page.nonCompliant.total - 1);
  });

  it("lists at most 50 and counts them all", async () => {
    const clock = new TestClock();
    const shape = { userCount: 120, tenantCount: 2, membershipsPerUser: 1, largeTenantMembers: 1 };
    const statements = buildSeedStatements(shape, clock.now().getTime(), { unusable: "!", signIn: "!" });
    await rawDb.batch(statements.map((statement) => rawDb.prepare(statement)));
    await setPasskeyRequiredRoles(superAdmin(clock), ["OPERATOR"] satisfies GlobalRole[]);
    const page = await listed(clock);
    expect(page.nonCompliant.people).toHaveLength(nonCompliantListLimit);
    const counted = await rawDb
      .prepare(
        `SELECT count(*) AS n FROM users WHERE role = 'OPERATOR' AND activated_at IS NOT NULL AND deactivated_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM passkeys WHERE passkeys.user_id = users.id)`,
      )
      .first<{ n: number }>();
    expect(counted?.n).toBeGreaterThan(nonCompliantListLimit);
    expect(page.nonCompliant.total).toBe(counted?.n);
  });
});
