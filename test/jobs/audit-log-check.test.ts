// The cron's check of the audit log on the store under test (docs/AUDIT.md "What the cron
// checks"): rows edited, deleted, swapped or slipped in directly in the database — past the
// append-only triggers, dropped here as someone with database access would — are found within the
// stated number of runs, each recorded once as a finding and an audit event by Gatehouse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAuditLog, checkSliceSize } from "../../src/domain/audit/audit-integrity";
import { sequenceAuditLog } from "../../src/domain/audit/audit-tree";
import { runScheduledJobs } from "../../src/jobs/scheduled";
import { TestClock } from "../helpers/clock";
import { testContext } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

const triggers = {
  update:
    "CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
  delete:
    "CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
};

beforeAll(async () => {
  await rawDb.prepare("DROP TRIGGER audit_events_refuse_update").run();
  await rawDb.prepare("DROP TRIGGER audit_events_refuse_delete").run();
});

afterAll(async () => {
  await rawDb.prepare(triggers.update).run();
  await rawDb.prepare(triggers.delete).run();
});

/** Audit rows written as the application writes them, many per statement. */
async function writeEvents(count: number, at = Date.parse("2026-11-23T12:00:00Z")): Promise<void> {
  for (let start = 0; start < count; start += 200) {
    const values = Array.from(
      { length: Math.min(200, count - start) },
      (_, i) =>
        `(${at + start + i}, 'tenant.updated', 'system', NULL, 'Gatehouse (system)', NULL, 'tenant', 'ten_${start + i}', 'Tenant ${start + i}', NULL, '{"n":${start + i}}', NULL, 'cron-test')`,
    );
    await rawDb
      .prepare(
        `INSERT INTO audit_events (at, action, actor_kind, actor_id, actor_name, actor_email, target_type, target_id, target_label, tenant_id, details, ip, request_id) VALUES ${values.join(",")}`,
      )
      .run();
  }
}

async function eventIdAtLeaf(leafIndex: number): Promise<number> {
  const row = await rawDb
    .prepare("SELECT event_id FROM audit_leaves WHERE leaf_index = ?")
    .bind(leafIndex)
    .first<{ event_id: number }>();
  if (!row) throw new Error(`no leaf ${leafIndex}`);
  return row.event_id;
}

async function findingsOf(eventId: number) {
  const rows = await rawDb
    .prepare("SELECT problem, leaf_index FROM audit_findings WHERE event_id = ? ORDER BY id")
    .bind(eventId)
    .all<{ problem: string; leaf_index: number | null }>();
  return rows.results;
}

/** Runs the check until it records the event's finding; returns how many runs that took. */
async function runsUntilFound(eventId: number, limit: number): Promise<number> {
  const ctx = testContext(new TestClock());
  for (let run = 1; run <= limit; run++) {
    await checkAuditLog(ctx);
    if ((await findingsOf(eventId)).length > 0) return run;
  }
  return Number.POSITIVE_INFINITY;
}

describe("the cron's check of the audit log", () => {
  it("finds an old row edited in the database within ceil(size / 500) runs, and one of the newest 100 at the next run", async () => {
    const ctx = testContext(new TestClock());
    await writeEvents(1_250);
    const { size } = await sequenceAuditLog(ctx, 10);
    const old = await eventIdAtLeaf(3);
    const recent = await eventIdAtLeaf(size - 2);
    // The rolling cursor has just passed leaf 3 when the row is edited: the worst case.
    await checkAuditLog(ctx);
    await rawDb.prepare("UPDATE audit_events SET actor_name = 'Mallory' WHERE id = ?").bind(old).run();
    await rawDb.prepare("UPDATE audit_events SET details = '{\"n\":-1}' WHERE id = ?").bind(recent).run();

    expect(await runsUntilFound(recent, 1)).toBe(1);
    const runs = await runsUntilFound(old, Math.ceil(size / checkSliceSize));
    expect(runs).toBeGreaterThan(1);
    expect(runs).toBeLessThanOrEqual(Math.ceil(size / checkSliceSize) - 1);
    expect(await findingsOf(old)).toEqual([{ problem: "changed", leaf_index: 3 }]);
    expect(await findingsOf(recent)).toEqual([{ problem: "changed", leaf_index: size - 2 }]);
    // Recorded once: a full pass more adds neither a finding nor an audit event.
    for (let run = 0; run <= Math.ceil(size / checkSliceSize); run++) await checkAuditLog(ctx);
    const alerts = await rawDb
      .prepare(
        "SELECT actor_kind, target_id, details FROM audit_events WHERE action = 'audit.tampering_detected' ORDER BY id",
      )
      .all<{ actor_kind: string; target_id: string; details: string }>();
    expect(
      alerts.results.map((row) => [row.actor_kind, row.target_id, JSON.parse(row.details).problem]).sort(),
    ).toEqual(
      [
        ["system", String(recent), "changed"],
        ["system", String(old), "changed"],
      ].sort(),
    );
  });

  it("finds a deleted row, two swapped rows and a row slipped in below the log's end", async () => {
    const ctx = testContext(new TestClock());
    await writeEvents(40);
    const { size } = await sequenceAuditLog(ctx, 10);
    const deleted = await eventIdAtLeaf(size - 30);
    const [first, second] = [await eventIdAtLeaf(size - 20), await eventIdAtLeaf(size - 19)];
    await rawDb.prepare("DELETE FROM audit_events WHERE id = ?").bind(deleted).run();
    // Swapped: each id now holds the other's row.
    const rows = await rawDb
      .prepare("SELECT id, at, target_id FROM audit_events WHERE id IN (?, ?) ORDER BY id")
      .bind(first, second)
      .all<{ id: number; at: number; target_id: string }>();
    const [a, b] = rows.results;
    if (!a || !b) throw new Error("rows missing");
    for (const [row, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await rawDb
        .prepare("UPDATE audit_events SET at = ?, target_id = ? WHERE id = ?")
        .bind(other.at, other.target_id, row.id)
        .run();
    }
    // Slipped in: an id the log skipped (a gap), below the last event it holds.
    const gap = await eventIdAtLeaf(size - 1);
    await rawDb
      .prepare(
        "INSERT INTO audit_events (id, at, action, actor_kind, actor_name, details) VALUES (?, 0, 'audit.exported', 'system', 'Gatehouse (system)', '{}')",
      )
      .bind(gap + 1000)
      .run();
    await sequenceAuditLog(ctx, 10);
    await rawDb
      .prepare(
        "INSERT INTO audit_events (id, at, action, actor_kind, actor_name, details) VALUES (?, 0, 'user.invited', 'user', 'Mallory', '{}')",
      )
      .bind(gap + 500)
      .run();

    for (let run = 0; run <= Math.ceil((size + 1) / checkSliceSize) + 1; run++) await checkAuditLog(ctx);
    expect(await findingsOf(deleted)).toEqual([{ problem: "deleted", leaf_index: size - 30 }]);
    expect(await findingsOf(first)).toEqual([{ problem: "changed", leaf_index: size - 20 }]);
    expect(await findingsOf(second)).toEqual([{ problem: "changed", leaf_index: size - 19 }]);
    expect(await findingsOf(gap + 500)).toEqual([{ problem: "added", leaf_index: null }]);
  });

  it("finds an event deleted together with its leaf row, a row whose details are no longer JSON, and records each once when two checks overlap", async () => {
    const ctx = testContext(new TestClock());
    await writeEvents(30);
    const { size } = await sequenceAuditLog(ctx, 10);
    const gone = size - 12;
    await rawDb.prepare("DROP TRIGGER audit_leaves_refuse_delete").run();
    await rawDb
      .prepare("DELETE FROM audit_events WHERE id = ?")
      .bind(await eventIdAtLeaf(gone))
      .run();
    await rawDb.prepare("DELETE FROM audit_leaves WHERE leaf_index = ?").bind(gone).run();
    const garbled = await eventIdAtLeaf(size - 5);
    await rawDb.prepare("UPDATE audit_events SET details = 'not json' WHERE id = ?").bind(garbled).run();

    // Two overlapping runs both see the new findings; each is recorded, and audited, once.
    await Promise.all([checkAuditLog(ctx), checkAuditLog(ctx)]);

    const findings = await rawDb
      .prepare("SELECT subject, problem, leaf_index FROM audit_findings WHERE subject IN (?, ?) ORDER BY subject")
      .bind(`event:${garbled}`, `leaf:${gone}`)
      .all<{ subject: string; problem: string; leaf_index: number }>();
    expect(findings.results).toEqual([
      { subject: `event:${garbled}`, problem: "changed", leaf_index: size - 5 },
      { subject: `leaf:${gone}`, problem: "deleted", leaf_index: gone },
    ]);
    const alerts = await rawDb
      .prepare(
        "SELECT count(*) AS n FROM audit_events WHERE action = 'audit.tampering_detected' AND json_extract(details, '$.subject') IN (?, ?)",
      )
      .bind(`event:${garbled}`, `leaf:${gone}`)
      .first<{ n: number }>();
    expect(alerts?.n).toBe(2);
  });

  it("stops the log before an event it cannot encode, records it as unreadable, and still checks and seals the rest", async () => {
    const clock = new TestClock("2026-06-01T11:00:00Z");
    await writeEvents(3);
    await runScheduledJobs(env, clock.now(), { log: () => undefined });
    // A lone surrogate, which RFC 8785 refuses: only writing to the database directly makes one.
    await rawDb
      .prepare(
        "INSERT INTO audit_events (at, action, actor_kind, actor_name, details) VALUES (0, 'tenant.updated', 'system', 'Gatehouse (system)', ?)",
      )
      .bind('{"note":"\\ud800"}')
      .run();
    const stuck = await rawDb.prepare("SELECT max(id) AS id FROM audit_events").first<{ id: number }>();
    await writeEvents(2);
    const run = await runScheduledJobs(env, clock.now(), { log: () => undefined });
    expect(run.audit_log).toMatchObject({ appended: expect.any(Number) });
    expect(
      await rawDb.prepare("SELECT count(*) AS n FROM audit_leaves WHERE event_id >= ?").bind(stuck?.id).first(),
    ).toEqual({
      n: 0,
    });
    expect(
      await rawDb.prepare("SELECT problem FROM audit_findings WHERE subject = ?").bind(`event:${stuck?.id}`).first(),
    ).toEqual({ problem: "unreadable" });
  });

  it("runs as the cron's audit_log job: sequences, checks and seals, and a repeated run changes nothing", async () => {
    const clock = new TestClock("2026-06-01T10:00:00Z");
    await writeEvents(7);
    const first = await runScheduledJobs(env, clock.now(), { log: () => undefined });
    expect(first.audit_log).toMatchObject({ newFindings: 0 });
    const size = Number(first.audit_log?.treeSize);
    expect(first.audit_log?.checkpointSize).toBe(size);
    const checkpoints = await rawDb.prepare("SELECT count(*) AS n FROM audit_checkpoints").first<{ n: number }>();
    const again = await runScheduledJobs(env, clock.now(), { log: () => undefined });
    // The job's own job_runs rows are not audit events, so a repeated run seals nothing new.
    expect(again.audit_log).toMatchObject({ appended: 0, treeSize: size, checkpointSize: size, newFindings: 0 });
    expect(await rawDb.prepare("SELECT count(*) AS n FROM audit_checkpoints").first<{ n: number }>()).toEqual(
      checkpoints,
    );
  });
});
