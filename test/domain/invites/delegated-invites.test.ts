// Delegated invites and people from outside the tenant's scope (docs/SECURITY.md "People from
// outside a tenant's scope"): every existing account the tenant cannot see gets one identical
// refusal, audited, after the same work as an invite that succeeds.
import { describe, expect, it } from "vitest";
import type { Principal } from "../../../src/domain/access";
import type { DomainContext } from "../../../src/domain/context";
import { inviteClientUser } from "../../../src/domain/invites/delegated-invites";
import { revokeMembership } from "../../../src/domain/memberships/memberships";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import {
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  testContext,
  uniqueEmail,
} from "../../helpers/factories";
import { insertTestMembership } from "../../helpers/memberships";
import { createCountingDb, QueryLog } from "../../helpers/query-log";
import { env, rawDb } from "../../helpers/store";

const day = 86_400_000;

async function world() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const tenant = await createTestTenant(clock, "Scope Co");
  const other = await createTestTenant(clock, "Elsewhere Co");
  const { user } = await inviteTestUser(clock, {
    role: "CLIENT_USER",
    firstName: "Cleo",
    lastName: "Admin",
    memberships: [{ tenantId: tenant.id, role: "CLIENT_ADMIN", expiresAt: null }],
  });
  const principal: Principal = {
    user: { ...user, lastLoginAt: null },
    credential: {
      kind: "session",
      sessionId: "s",
      authenticatedAt: clock.now(),
      signInMethod: "password_totp",
      passkeyEnrolmentRequired: false,
    },
    memberships: [],
    permissions: new Set(),
  };
  const asClientAdmin = (log?: QueryLog): DomainContext => {
    const ctx = testContext(clock, { kind: "user", principal });
    return log ? { ...ctx, db: createCountingDb(env, log) } : ctx;
  };
  return { clock, tenant, other, admin: user, asClientAdmin };
}

type World = Awaited<ReturnType<typeof world>>;

const invitation = (email: string) => ({ email, firstName: "Ina", lastName: "Vitee", role: "CLIENT_ADMIN" as const });

async function clientUser(w: World, memberships: Array<{ tenantId: string; state: "live" | "expired" | "revoked" }>) {
  const { user } = await inviteTestUser(w.clock, { role: "CLIENT_USER" });
  for (const membership of memberships) {
    if (membership.state === "expired") {
      await insertTestMembership(w.clock, {
        userId: user.id,
        tenantId: membership.tenantId,
        role: "CLIENT_VIEWER",
        expiresAt: new Date(w.clock.now().getTime() - day),
      });
      continue;
    }
    const granted = await grantTestMembership(w.clock, {
      userId: user.id,
      tenantId: membership.tenantId,
      role: "CLIENT_VIEWER",
    });
    if (membership.state === "revoked") await revokeMembership(testContext(w.clock), granted.id);
  }
  return user;
}

/** Every kind of existing account a client admin of `w.tenant` must learn nothing about. */
async function createOutsiders(w: World) {
  const staffMemberHere = await inviteTestUser(w.clock, {
    role: "OPERATOR",
    memberships: [{ tenantId: w.tenant.id, role: "OPERATOR_FULL", expiresAt: null }],
  });
  const deactivated = await clientUser(w, [{ tenantId: w.tenant.id, state: "live" }]);
  await rawDb
    .prepare("UPDATE users SET deactivated_at = ? WHERE id = ?")
    .bind(w.clock.now().getTime(), deactivated.id)
    .run();
  const erased = await clientUser(w, [{ tenantId: w.tenant.id, state: "revoked" }]);
  await rawDb
    .prepare(
      "UPDATE users SET deactivated_at = ?, erased_at = ?, email = 'erased-' || id || '@erased.invalid' WHERE id = ?",
    )
    .bind(w.clock.now().getTime(), w.clock.now().getTime(), erased.id)
    .run();
  return {
    "a staff account": (await inviteTestUser(w.clock, { role: "SUPER_ADMIN" })).user,
    "a staff member of this tenant": staffMemberHere.user,
    "a client user of another tenant": await clientUser(w, [{ tenantId: w.other.id, state: "live" }]),
    "a client user whose membership elsewhere expired": await clientUser(w, [
      { tenantId: w.other.id, state: "expired" },
    ]),
    "a client user whose membership elsewhere was revoked": await clientUser(w, [
      { tenantId: w.other.id, state: "revoked" },
    ]),
    "a client user here and in another tenant": await clientUser(w, [
      { tenantId: w.tenant.id, state: "live" },
      { tenantId: w.other.id, state: "revoked" },
    ]),
    "a former client user here who is in another tenant now": await clientUser(w, [
      { tenantId: w.tenant.id, state: "revoked" },
      { tenantId: w.other.id, state: "live" },
    ]),
    "a client user with no company at all": await clientUser(w, []),
    "a deactivated client user of this tenant": deactivated,
    "an erased client user": { id: erased.id, email: `erased-${erased.id}@erased.invalid` },
  };
}

async function readMembershipsOf(userId: string) {
  const { results } = await rawDb
    .prepare("SELECT tenant_id, role, revoked_at FROM memberships WHERE user_id = ? ORDER BY id")
    .bind(userId)
    .all<{ tenant_id: string; role: string; revoked_at: number | null }>();
  return results;
}

async function refusalOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return {
    code: error.code,
    status: error.status,
    message: error.message,
    fieldErrors: error.fieldErrors,
    extensions: error.extensions,
  };
}

describe("delegated invites of people from outside the tenant's scope", () => {
  it("refuses every existing account outside the tenant with one identical answer and grants nothing", async () => {
    const w = await world();
    const answers = new Set<string>();
    for (const [kind, person] of Object.entries(await createOutsiders(w))) {
      const before = await readMembershipsOf(person.id);
      const answer = await refusalOf(
        inviteClientUser(w.asClientAdmin(), { id: w.tenant.id }, invitation(person.email)),
      );
      expect(answer.code, kind).toBe("INVITE_REFUSED");
      answers.add(JSON.stringify(answer));
      expect(await readMembershipsOf(person.id), kind).toEqual(before);
    }
    expect([...answers]).toEqual([
      JSON.stringify({
        code: "INVITE_REFUSED",
        status: 409,
        message: "This email address cannot be invited here. Ask your Gatehouse administrator for help.",
        fieldErrors: [{ field: "email", message: "This email address cannot be invited here." }],
        extensions: {},
      }),
    ]);
  });

  it("audits each refusal with the tenant, the actor and the person refused", async () => {
    const w = await world();
    for (const [kind, person] of Object.entries(await createOutsiders(w))) {
      await refusalOf(inviteClientUser(w.asClientAdmin(), { slug: w.tenant.slug }, invitation(person.email)));
      const { results } = await rawDb
        .prepare(
          "SELECT tenant_id, actor_id, target_type FROM audit_events WHERE action = 'invite.refused' AND target_id = ?",
        )
        .bind(person.id)
        .all();
      expect(results, kind).toEqual([{ tenant_id: w.tenant.id, actor_id: w.admin.id, target_type: "user" }]);
    }
  });

  it("adds again a client user whose every membership was in this tenant, revoked or expired", async () => {
    const w = await world();
    const removed = await clientUser(w, [{ tenantId: w.tenant.id, state: "revoked" }]);
    const lapsed = await clientUser(w, [{ tenantId: w.tenant.id, state: "expired" }]);
    for (const person of [removed, lapsed]) {
      const outcome = await inviteClientUser(w.asClientAdmin(), { id: w.tenant.id }, invitation(person.email));
      expect(outcome.kind).toBe("added");
      const rows = await readMembershipsOf(person.id);
      expect(rows.filter((row) => row.revoked_at === null)).toEqual([
        { tenant_id: w.tenant.id, role: "CLIENT_ADMIN", revoked_at: null },
      ]);
      expect(rows.every((row) => row.tenant_id === w.tenant.id)).toBe(true);
    }
  });

  it("tells a client admin that a colleague of this tenant already has access, and grants nothing", async () => {
    const w = await world();
    const colleague = await clientUser(w, [{ tenantId: w.tenant.id, state: "live" }]);
    const answer = await refusalOf(
      inviteClientUser(w.asClientAdmin(), { id: w.tenant.id }, invitation(colleague.email)),
    );
    expect(answer).toMatchObject({
      code: "DUPLICATE_MEMBERSHIP",
      fieldErrors: [{ field: "email", message: "This person already has access to this company." }],
    });
    expect(await readMembershipsOf(colleague.id)).toEqual([
      { tenant_id: w.tenant.id, role: "CLIENT_VIEWER", revoked_at: null },
    ]);
  });

  it("makes the same number of queries whatever the outcome", async () => {
    const w = await world();
    const outsiders = await createOutsiders(w);
    const emails: Record<string, string> = {
      created: uniqueEmail("new"),
      added: (await clientUser(w, [{ tenantId: w.tenant.id, state: "revoked" }])).email,
      "already has access": (await clientUser(w, [{ tenantId: w.tenant.id, state: "live" }])).email,
      "refused: staff": outsiders["a staff account"].email,
      "refused: client user of another tenant": outsiders["a client user of another tenant"].email,
      "refused: client user here and elsewhere": outsiders["a client user here and in another tenant"].email,
      "refused: deactivated": outsiders["a deactivated client user of this tenant"].email,
      "refused: erased": outsiders["an erased client user"].email,
    };
    const counts: Record<string, number> = {};
    const logs: string[] = [];
    for (const [outcome, email] of Object.entries(emails)) {
      const log = new QueryLog();
      await inviteClientUser(w.asClientAdmin(log), { id: w.tenant.id }, invitation(email)).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
      counts[outcome] = log.count;
      logs.push(`${outcome}:\n${log.describe()}`);
    }
    const expected = Object.fromEntries(Object.keys(emails).map((outcome) => [outcome, 2]));
    expect(counts, logs.join("\n\n")).toEqual(expected);
  });
});
