// The audit log's cron job (docs/AUDIT.md "Verifying the log"; docs/JOBS.md): check a slice of
// the log against its leaves, append the events no request's background work sequenced (the
// check's own findings among them), then seal a checkpoint when the tree grew. It runs last, so
// the events this run's other jobs wrote are in its checkpoint. Every step is idempotent: a skipped, repeated or overlapping run appends each
// event once (compare-and-set), records each finding once, and seals each size once.

import { checkAuditLog } from "../domain/audit/audit-integrity";
import { sealCheckpoint, sequenceAuditLog } from "../domain/audit/audit-tree";
import type { DomainContext } from "../domain/context";
import type { JobResult } from "../domain/job-health";

/** Sequencer batches per run (500 events each): 10,000 events, about 40 of D1's 1,000 queries per invocation. */
export const sequencerBatchesPerRun = 20;

export async function maintainAuditLog(ctx: DomainContext): Promise<JobResult> {
  const check = await checkAuditLog(ctx);
  const sequenced = await sequenceAuditLog(ctx, sequencerBatchesPerRun);
  const checkpoint = await sealCheckpoint(ctx);
  return {
    appended: sequenced.appended,
    treeSize: sequenced.size,
    checkpointSize: checkpoint?.treeSize ?? 0,
    checked: check.checked,
    newFindings: check.newFindings,
  };
}
