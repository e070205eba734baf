// What the domain code relies on from its store, asserted on D1 (project "d1") and on libSQL
// (project "libsql") alike: the migrated schema, batches as all-or-nothing transactions, changes()
// inside a batch, the batch guard, how drizzle maps batch results, and the error texts that
// isUniqueViolation and isBatchGuardFailure read.
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { generateId } from "../../src/auth/crypto";
import { isUniqueViolation, runBatch } from "../../src/db/batch";
import { countAffectedRows } from "../../src/db/client";
import { createDbFromEnv } from "../../src/db/connect";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../src/db/guards";
import { memberships, tenants, users } from "../../src/db/schema";
import { TestClock } from "../helpers/clock";
import { inviteTestUser } from "../helpers/factories";
import { env, rawDb, storeName } from "../helpers/store";

const db = createDbFromEnv(env);

function newTenant(clock: TestClock, slug = `store-${crypto.randomUUID().slice(0, 8)}`) {
  return { id: generateId("tnt"), name: `Tenant ${slug}`, slug, createdAt: clock.now(), updatedAt: clock.now() };
}

async function tenantExists(id: string): Promise<boolean> {
  return (await rawDb.prepare("SELECT id FROM tenants WHERE id = ?").bind(id).first()) !== null;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the batch to fail, it succeeded");
}

describe(`the ${storeName} store`, () => {
  it("has the audit table's UPDATE and DELETE triggers, the batch guard trigger and the seed rows after migrating", async () => {
    const triggers = await rawDb
      .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .all<{ name: string; tbl_name: string }>();
    expect(triggers.results).toEqual(
      expect.arrayContaining([
        { name: "audit_events_refuse_delete", tbl_name: "audit_events" },
        { name: "audit_events_refuse_update", tbl_name: "audit_events" },
        { name: "batch_guards_check", tbl_name: "batch_guards" },
      ]),
    );
    const seeded = await rawDb
      .prepare("SELECT count(*) AS n FROM access_group_permissions WHERE group_id = 'grp_readonly_auditor'")
      .first<{ n: number }>();
    expect(seeded).toEqual({ n: 4 });
  });

  it("lets a guard see changes() of the statement just before it, and rolls the whole batch back when it fails", async () => {
    const clock = new TestClock();
    const kept = newTenant(clock);
    await runBatch(db, [
      db.insert(tenants).values(kept),
      db.update(tenants).set({ description: "one row" }).where(eq(tenants.id, kept.id)),
      assertPreviousWriteChangedOneRow(db),
    ]);
    expect(await tenantExists(kept.id)).toBe(true);

    const lost = newTenant(clock);
    const noRow = await rejectionOf(
      runBatch(db, [
        db.insert(tenants).values(lost),
        db.update(tenants).set({ description: "no row" }).where(eq(tenants.id, "tnt_missing")),
        assertPreviousWriteChangedOneRow(db),
      ]),
    );
    expect(isBatchGuardFailure(noRow)).toBe(true);
    expect(await tenantExists(lost.id)).toBe(false);

    // Two rows changed is not "exactly one" either.
    const other = newTenant(clock);
    await db.insert(tenants).values(other);
    const twoRows = await rejectionOf(
      runBatch(db, [
        db
          .update(tenants)
          .set({ description: "two rows" })
          .where(inArray(tenants.id, [kept.id, other.id])),
        assertPreviousWriteChangedOneRow(db),
      ]),
    );
    expect(isBatchGuardFailure(twoRows)).toBe(true);
    expect(await rawDb.prepare("SELECT description FROM tenants WHERE id = ?").bind(kept.id).first()).toEqual({
      description: "one row",
    });
    // The guard itself never stores a row.
    expect(await rawDb.prepare("SELECT count(*) AS n FROM batch_guards").first()).toEqual({ n: 0 });
  });

  it("rolls back a batch that breaks a UNIQUE index, and names the column in the error, inside and outside batches", async () => {
    const clock = new TestClock();
    const first = newTenant(clock);
    await db.insert(tenants).values(first);

    const outside = await rejectionOf(db.insert(tenants).values(newTenant(clock, first.slug)));
    expect(isUniqueViolation(outside, "tenants.slug")).toBe(true);
    expect(isBatchGuardFailure(outside)).toBe(false);

    const before = newTenant(clock);
    const inside = await rejectionOf(
      runBatch(db, [db.insert(tenants).values(before), db.insert(tenants).values(newTenant(clock, first.slug))]),
    );
    expect(isUniqueViolation(inside, "tenants.slug")).toBe(true);
    expect(isUniqueViolation(inside, "users.email")).toBe(false);
    expect(await tenantExists(before.id)).toBe(false);
  });

  it("maps batch results: write counts, RETURNING rows, joined selects by position, integers as numbers and times as Dates", async () => {
    const clock = new TestClock("2026-11-23T12:34:56.789Z");
    const { user } = await inviteTestUser(clock, { role: "CONTRACTOR" });
    const tenant = newTenant(clock);
    const membershipId = generateId("mbr");
    const expiresAt = new Date(clock.now().getTime() + 86_400_000);
    const [inserted, membership, updated, joined, counted] = await db.batch([
      db.insert(tenants).values(tenant).returning({ id: tenants.id, createdAt: tenants.createdAt }),
      db.insert(memberships).values({
        id: membershipId,
        userId: user.id,
        tenantId: tenant.id,
        role: "OPERATOR_FULL",
        expiresAt,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      }),
      db.update(tenants).set({ description: "updated" }).where(eq(tenants.id, tenant.id)),
      db
        .select({
          email: users.email,
          slug: tenants.slug,
          expiresAt: memberships.expiresAt,
          revokedAt: memberships.revokedAt,
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
        .where(eq(memberships.id, membershipId)),
      db.select({ n: sql<number>`count(*)`, latest: sql<number>`max(${memberships.expiresAt})` }).from(memberships),
    ]);
    expect(inserted).toEqual([{ id: tenant.id, createdAt: clock.now() }]);
    expect(countAffectedRows(membership)).toBe(1);
    expect(countAffectedRows(updated)).toBe(1);
    expect(joined).toEqual([{ email: user.email, slug: tenant.slug, expiresAt, revokedAt: null }]);
    expect(typeof counted[0]?.n).toBe("number");
    expect(counted[0]?.latest).toBeGreaterThanOrEqual(expiresAt.getTime());
  });

  it("takes a list as one JSON parameter (json_each), as bulk lookups do", async () => {
    const clock = new TestClock();
    const rows = [newTenant(clock), newTenant(clock), newTenant(clock)];
    await db.insert(tenants).values(rows);
    const found = await db
      .select({ id: tenants.id })
      .from(tenants)
      .where(
        sql`${tenants.slug} IN (SELECT value FROM json_each(${JSON.stringify([rows[0]?.slug, rows[2]?.slug, "absent"])}))`,
      );
    expect(found.map((row) => row.id).sort()).toEqual([rows[0]?.id, rows[2]?.id].sort());
  });
});
