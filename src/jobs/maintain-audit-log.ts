// The audit log's cron job (docs/AUDIT.md "Verifying the log"; docs/JOBS.md): check a slice of
// the log against its leaves, append the events no request's background work sequenced (the
// check's own findings among them), then seal a checkpoint when the tree grew. It runs last, so
// the events this run's other jobs wrote are in its checkpoint. Every step is idempotent: a skipped, repeated or overlapping run appends each
// event once (compare-and-set), records each finding once, and seals each size once.

import { checkAuditLog } from "../domain/audit/audit-integrity";
import { checkTreeExtendsNewestCheckpoint, sealCheckpoint, sequenceAuditLog } from "../domain/audit/audit-tree";
import type { DomainContext } from "../domain/context";
import type { JobResult } from "../domain/job-health";

/** Sequencer batches per run (500 events each): 10,000 events, about 40 of D1's 1,000 queries per invocation. */
export const sequencerBatchesPerRun = 20;

export async function maintainAuditLog(ctx: DomainContext): Promise<JobResult> {
  // Each step runs even when one before it failed (a row that cannot be read must not stop the
  // sequencing of the others); the first failure is the job's error once all have run.
  const failures: unknown[] = [];
  const attempt = <T>(step: () => Promise<T>) =>
    step().catch((error: unknown) => {
      failures.push(error);
      return null;
    });
  const check = await attempt(() => checkAuditLog(ctx));
  await attempt(() => checkTreeExtendsNewestCheckpoint(ctx));
  const sequenced = await attempt(() => sequenceAuditLog(ctx, sequencerBatchesPerRun));
  const checkpoint = failures.length === 0 ? await attempt(() => sealCheckpoint(ctx)) : null;
  if (failures.length > 0) throw failures[0];
  return {
    appended: sequenced?.appended ?? 0,
    treeSize: sequenced?.size ?? 0,
    checkpointSize: checkpoint?.treeSize ?? 0,
    checked: check?.checked ?? 0,
    newFindings: check?.newFindings ?? 0,
  };
}
