import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { assertCondition } from "../../src/db/guards";
import { sweepExpiredMemberships } from "../../src/jobs/expiry-sweep";
import { TestClock } from "../helpers/clock";
import { createTestTenant, inviteTestUser, testContext } from "../helpers/factories";
import { countExpiryAuditEvents, insertTestMembership, readMembership } from "../helpers/memberships";
import { rawDb } from "../helpers/store";

const minuteMs = 60_000;

/** One user with `count` memberships (one per tenant) that expired at `expiresAt`. */
async function seedExpiredMemberships(clock: TestClock, count: number, expiresAt: Date) {
  const { user } = await inviteTestUser(clock, { role: "CONTRACTOR" });
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const tenant = await createTestTenant(clock, "Acme Ltd");
    ids.push(await insertTestMembership(clock, { userId: user.id, tenantId: tenant.id, expiresAt }));
  }
  return { user, ids };
}

/** A Db whose `failingBatch`-th db.batch() call throws before reaching the database. */
function failOnBatch(db: Db, failingBatch: number): Db {
  let calls = 0;
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== "batch") return Reflect.get(target, property, receiver);
      return (...args: Parameters<Db["batch"]>) => {
        calls += 1;
        if (calls === failingBatch) return Promise.reject(new Error("injected D1 failure"));
        return target.batch(...args);
      };
    },
  });
}

/** A Db whose `failingBatch`-th db.batch() aborts inside D1, between the audit INSERT and the UPDATE. */
function abortInsideBatch(db: Db, failingBatch: number): Db {
  let calls = 0;
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== "batch") return Reflect.get(target, property, receiver);
      return ([first, ...rest]: Parameters<Db["batch"]>[0]) => {
        calls += 1;
        const statements: Parameters<Db["batch"]>[0] =
          calls === failingBatch ? [first, assertCondition(target, sql`0`), ...rest] : [first, ...rest];
        return target.batch(statements);
      };
    },
  });
}

describe("expiry sweep", () => {
  it("revokes a membership whose expiry equals now, and not one that expires a millisecond later", async () => {
    // A clock of its own: the live membership it leaves must not expire under the other tests.
    const clock = new TestClock("2027-06-01T00:00:00Z");
    const { user } = await inviteTestUser(clock, { role: "CONTRACTOR" });
    const [tenantA, tenantB] = [await createTestTenant(clock, "Acme Ltd"), await createTestTenant(clock, "Acme Ltd")];
    const atNow = await insertTestMembership(clock, { userId: user.id, tenantId: tenantA.id, expiresAt: clock.now() });
    const later = await insertTestMembership(clock, {
      userId: user.id,
      tenantId: tenantB.id,
      expiresAt: new Date(clock.now().getTime() + 1),
    });

    await sweepExpiredMemberships(testContext(clock));

    expect(await readMembership(atNow)).toMatchObject({ revoked_at: clock.now().getTime(), revoke_reason: "expired" });
    expect(await readMembership(later)).toMatchObject({ revoked_at: null, revoke_reason: null });
    expect(await countExpiryAuditEvents(later)).toBe(0);
  });

  it("writes one audit event per revocation, by the system, with the member, tenant, role and expiry", async () => {
    const clock = new TestClock();
    const expiresAt = new Date(clock.now().getTime() - 90 * minuteMs + 7);
    const { user, ids } = await seedExpiredMemberships(clock, 1, expiresAt);
    const [id] = ids as [string];

    await sweepExpiredMemberships(testContext(clock));

    const event = await rawDb
      .prepare("SELECT * FROM audit_events WHERE action = 'membership.expired' AND target_id = ?")
      .bind(id)
      .first<Record<string, unknown>>();
    const tenant = await rawDb
      .prepare("SELECT m.tenant_id, t.slug FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.id = ?")
      .bind(id)
      .first<{ tenant_id: string; slug: string }>();
    expect(event).toMatchObject({
      at: clock.now().getTime(),
      actor_kind: "system",
      actor_id: null,
      actor_name: "Gatehouse (system)",
      target_type: "membership",
      target_label: `${user.email} in ${tenant?.slug}`,
      tenant_id: tenant?.tenant_id,
      request_id: "test",
    });
    expect(JSON.parse(String(event?.details))).toEqual({
      userId: user.id,
      role: "OPERATOR_READONLY",
      expiresAt: expiresAt.toISOString(),
    });
  });

  it("works in bounded batches and reports how many it revoked", async () => {
    const clock = new TestClock();
    const { ids } = await seedExpiredMemberships(clock, 5, new Date(clock.now().getTime() - minuteMs));

    const result = await sweepExpiredMemberships(testContext(clock), { batchSize: 2 });

    expect(result).toEqual({ revoked: 5, batches: 3, complete: true });
    for (const id of ids) expect(await countExpiryAuditEvents(id)).toBe(1);
  });

  it("stops at its batch limit and leaves the rest to the next run", async () => {
    const clock = new TestClock();
    const { ids } = await seedExpiredMemberships(clock, 5, new Date(clock.now().getTime() - minuteMs));

    const first = await sweepExpiredMemberships(testContext(clock), { batchSize: 2, maxBatches: 1 });
    const second = await sweepExpiredMemberships(testContext(clock), { batchSize: 2 });

    expect(first).toEqual({ revoked: 2, batches: 1, complete: false });
    expect(second.revoked).toBe(3);
    for (const id of ids) expect((await readMembership(id))?.revoke_reason).toBe("expired");
  });

  it("changes nothing when run again", async () => {
    const clock = new TestClock();
    const { ids } = await seedExpiredMemberships(clock, 3, new Date(clock.now().getTime() - minuteMs));
    await sweepExpiredMemberships(testContext(clock));
    const firstRevokedAt = (await readMembership(ids[0] as string))?.revoked_at;

    clock.advanceSeconds(300);
    const again = await sweepExpiredMemberships(testContext(clock));

    expect(again).toEqual({ revoked: 0, batches: 1, complete: true });
    expect((await readMembership(ids[0] as string))?.revoked_at).toBe(firstRevokedAt);
    for (const id of ids) expect(await countExpiryAuditEvents(id)).toBe(1);
  });

  it("records each membership once when two runs overlap", async () => {
    const clock = new TestClock();
    const { ids } = await seedExpiredMemberships(clock, 7, new Date(clock.now().getTime() - minuteMs));

    const [a, b] = await Promise.all([
      sweepExpiredMemberships(testContext(clock), { batchSize: 2 }),
      sweepExpiredMemberships(testContext(clock), { batchSize: 2 }),
    ]);

    expect(a.revoked + b.revoked).toBe(7);
    for (const id of ids) {
      expect(await countExpiryAuditEvents(id)).toBe(1);
      expect((await readMembership(id))?.revoke_reason).toBe("expired");
    }
  });

  it("loses nothing when a run fails half-way: the next run finishes the work", async () => {
    const clock = new TestClock();
    const { ids } = await seedExpiredMemberships(clock, 5, new Date(clock.now().getTime() - minuteMs));
    const ctx = testContext(clock);

    await expect(sweepExpiredMemberships({ ...ctx, db: failOnBatch(ctx.db, 2) }, { batchSize: 2 })).rejects.toThrow(
      /injected/,
    );
    const done = await rawDb
      .prepare(
        `SELECT count(*) AS n FROM memberships WHERE id IN (${ids.map(() => "?").join(",")}) AND revoked_at IS NOT NULL`,
      )
      .bind(...ids)
      .first<{ n: number }>();
    expect(done?.n).toBe(2);

    clock.advanceSeconds(300);
    const next = await sweepExpiredMemberships(testContext(clock), { batchSize: 2 });

    expect(next.revoked).toBe(3);
    for (const id of ids) expect(await countExpiryAuditEvents(id)).toBe(1);
  });

  it("rolls back a whole batch that fails inside D1: no audit event without its revocation", async () => {
    const clock = new TestClock("2027-01-01T00:00:00Z");
    const { ids } = await seedExpiredMemberships(clock, 5, new Date(clock.now().getTime() - minuteMs));
    const ctx = testContext(clock);

    await expect(
      sweepExpiredMemberships({ ...ctx, db: abortInsideBatch(ctx.db, 2) }, { batchSize: 2 }),
    ).rejects.toThrow();
    const states = await Promise.all(
      ids.map(async (id) => [(await readMembership(id))?.revoke_reason ?? null, await countExpiryAuditEvents(id)]),
    );
    expect(states.filter(([reason, events]) => reason === "expired" && events === 1)).toHaveLength(2);
    expect(states.filter(([reason, events]) => reason === null && events === 0)).toHaveLength(3);

    await sweepExpiredMemberships(testContext(clock), { batchSize: 2 });
    for (const id of ids) expect(await countExpiryAuditEvents(id)).toBe(1);
  });

  it("leaves alone memberships that were removed or extended before they expired", async () => {
    const clock = new TestClock();
    const { user } = await inviteTestUser(clock, { role: "CONTRACTOR" });
    const [tenantA, tenantB] = [await createTestTenant(clock, "Acme Ltd"), await createTestTenant(clock, "Acme Ltd")];
    const removed = await insertTestMembership(clock, {
      userId: user.id,
      tenantId: tenantA.id,
      expiresAt: new Date(clock.now().getTime() + minuteMs),
    });
    const extended = await insertTestMembership(clock, {
      userId: user.id,
      tenantId: tenantB.id,
      expiresAt: new Date(clock.now().getTime() + minuteMs),
    });
    await rawDb
      .prepare("UPDATE memberships SET revoked_at = ?, revoke_reason = 'removed' WHERE id = ?")
      .bind(clock.now().getTime(), removed)
      .run();
    await rawDb
      .prepare("UPDATE memberships SET expires_at = ? WHERE id = ?")
      .bind(clock.now().getTime() + 30 * 86_400_000, extended)
      .run();

    clock.advanceSeconds(600);
    await sweepExpiredMemberships(testContext(clock));

    expect(await readMembership(removed)).toMatchObject({ revoke_reason: "removed" });
    expect(await readMembership(extended)).toMatchObject({ revoked_at: null });
    expect(await countExpiryAuditEvents(removed)).toBe(0);
    expect(await countExpiryAuditEvents(extended)).toBe(0);
  });
});
