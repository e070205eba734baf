// How the Worker's libSQL client talks to the server, seen from the server's side: the same
// requests go to Turso or sqld in production (src/db/connect.ts, @libsql/client/web).
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { generateId } from "../../src/auth/crypto";
import { runBatch } from "../../src/db/batch";
import { createDbFromEnv } from "../../src/db/connect";
import { assertPreviousWriteChangedOneRow } from "../../src/db/guards";
import { tenants } from "../../src/db/schema";
import { TestClock } from "../helpers/clock";
import { inviteTestUser } from "../helpers/factories";
import { env } from "../helpers/store";
import { libsqlServer } from "./local-database";

function executedDuring(work: () => Promise<unknown>): Promise<string[]> {
  const start = libsqlServer.executed.length;
  return work().then(
    () => libsqlServer.executed.slice(start),
    () => libsqlServer.executed.slice(start),
  );
}

describe("the Worker's libSQL client (@libsql/client/web over HTTP)", () => {
  it("sends the auth token with every request", async () => {
    await inviteTestUser(new TestClock());
    expect(libsqlServer.authorizations.length).toBeGreaterThan(0);
    expect(new Set(libsqlServer.authorizations)).toEqual(new Set(["Bearer local-test-token"]));
  });

  it("runs a batch that writes as one BEGIN IMMEDIATE … COMMIT, and rolls back when a statement fails", async () => {
    const db = createDbFromEnv(env);
    const clock = new TestClock();
    const tenant = {
      id: generateId("tnt"),
      name: "Batch",
      slug: `batch-${crypto.randomUUID().slice(0, 8)}`,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    };

    const committed = await executedDuring(() =>
      runBatch(db, [
        db.insert(tenants).values(tenant),
        db.update(tenants).set({ name: "Batch 2" }).where(eq(tenants.id, tenant.id)),
      ]),
    );
    expect(committed[0]).toBe("BEGIN IMMEDIATE");
    expect(committed.slice(1, 3).map((statement) => statement.split(" ")[0])).toEqual(["insert", "update"]);
    expect(committed.slice(3)).toEqual(["COMMIT"]);

    const rolledBack = await executedDuring(() =>
      runBatch(db, [
        db.update(tenants).set({ name: "never" }).where(eq(tenants.id, "tnt_missing")),
        assertPreviousWriteChangedOneRow(db),
      ]),
    );
    expect(rolledBack[0]).toBe("BEGIN IMMEDIATE");
    expect(rolledBack.at(-1)).toBe("ROLLBACK");
    expect(rolledBack).not.toContain("COMMIT");
  });

  it("reads a batch of SELECTs in one deferred transaction, without taking the write lock", async () => {
    const db = createDbFromEnv(env);

    const executed = await executedDuring(() =>
      db.batch([db.select().from(tenants).limit(1), db.select({ id: tenants.id }).from(tenants).limit(1)]),
    );

    expect(executed[0]).toBe("BEGIN DEFERRED");
    expect(executed.slice(1, 3).every((statement) => statement.startsWith("select"))).toBe(true);
    expect(executed.slice(3)).toEqual(["COMMIT"]);
  });
});
