// A log rebuilt around a changed row (docs/AUDIT.md "Checkpoints"): someone with access to the
// database drops the triggers, edits a row, empties the tree's tables and lets the sequencer build
// them again, so the stored leaves match the rows and the cron's row check sees nothing. Gatehouse
// must never sign a checkpoint inconsistent with one it signed (c2sp.org/tlog-checkpoint): the
// sealer checks the stored tree against the newest checkpoint — the database's or, when its rows
// were deleted too, the copy kept in KV — refuses to seal, and raises a finding. Its own file: it
// wrecks the tree for every test after it.
import { describe, expect, it } from "vitest";
import { sealCheckpoint, sequenceAuditLog } from "../../src/domain/audit/audit-tree";
import { runScheduledJobs } from "../../src/jobs/scheduled";
import { TestClock } from "../helpers/clock";
import { testContext } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

async function writeEvents(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await rawDb
      .prepare(
        "INSERT INTO audit_events (at, action, actor_kind, actor_name, target_type, target_id, details) VALUES (?, 'tenant.updated', 'system', 'Gatehouse (system)', 'tenant', ?, '{}')",
      )
      .bind(1_795_000_000_000 + i, `ten_${i}`)
      .run();
  }
}

/** Empties the tree's tables and lets the sequencer append every row again, as the attacker would. */
async function rebuildTree(clock: TestClock): Promise<void> {
  await rawDb.prepare("DELETE FROM audit_leaves").run();
  await rawDb.prepare("DELETE FROM audit_tree_nodes").run();
  await rawDb.prepare("UPDATE audit_tree SET size = 0, last_event_id = 0, frontier = '[]'").run();
  await sequenceAuditLog(testContext(clock), 10);
}

describe("a log rebuilt around a changed row", () => {
  it("is never sealed: the sealer and every cron run refuse it against the newest checkpoint, then against the copy in KV when the checkpoint rows are gone too", async () => {
    const clock = new TestClock("2026-07-01T09:00:00Z");
    await writeEvents(10);
    const first = await runScheduledJobs(env, clock.now(), { log: () => undefined });
    const sealedSize = Number(first.audit_log?.checkpointSize);
    expect(sealedSize).toBeGreaterThan(0);

    for (const trigger of [
      "audit_events_refuse_update",
      "audit_leaves_refuse_delete",
      "audit_tree_nodes_refuse_delete",
      "audit_checkpoints_refuse_delete",
    ]) {
      await rawDb.prepare(`DROP TRIGGER ${trigger}`).run();
    }
    await rawDb
      .prepare("UPDATE audit_events SET actor_name = 'Mallory' WHERE id = (SELECT min(id) FROM audit_events)")
      .run();
    await rebuildTree(clock);
    await writeEvents(2);
    await sequenceAuditLog(testContext(clock), 10);

    await expect(sealCheckpoint(testContext(clock))).rejects.toThrow(
      `The audit log's tree no longer extends its checkpoint of ${sealedSize} events`,
    );
    clock.advanceSeconds(300);
    const run = await runScheduledJobs(env, clock.now(), { log: () => undefined });
    expect(run.audit_log).toBeNull();
    const job = await rawDb
      .prepare("SELECT last_error FROM job_runs WHERE job = 'audit_log'")
      .first<{ last_error: string }>();
    expect(job?.last_error).toContain("no longer extends its checkpoint");
    expect(
      await rawDb.prepare("SELECT max(tree_size) AS size FROM audit_checkpoints").first<{ size: number }>(),
    ).toEqual({ size: sealedSize });
    const findings = await rawDb
      .prepare("SELECT subject, problem FROM audit_findings WHERE problem = 'rewritten'")
      .all<{ subject: string; problem: string }>();
    expect(findings.results).toEqual([{ subject: `checkpoint:${sealedSize}`, problem: "rewritten" }]);

    // The checkpoint rows deleted as well: the copy of the newest one kept in KV still refuses.
    await rawDb.prepare("DELETE FROM audit_checkpoints").run();
    await expect(sealCheckpoint(testContext(clock))).rejects.toThrow(
      `no longer extends its checkpoint of ${sealedSize} events`,
    );
    expect(await rawDb.prepare("SELECT count(*) AS n FROM audit_checkpoints").first()).toEqual({ n: 0 });
  });
});
