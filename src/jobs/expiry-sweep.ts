// The expiry sweep (docs/PRODUCT.md §3): records expired memberships as revoked with reason `expired`, one
// audit event each. Access is already denied at request time (domain/principal.ts compares
// expires_at with `now`); the sweep only writes down what happened.
//
// Model: each round is ONE db.batch of the two set-based statements of
// domain/memberships/membership-expiry.ts over the oldest `batchSize` live, expired memberships
// (read through memberships_live_expiry_idx). A batch is one transaction, so both statements see
// the same rows and commit or roll back together. A row revoked by any earlier batch (this run's,
// an overlapping run's, a retried run's) no longer matches `revoked_at IS NULL`, so repeated,
// concurrent and half-failed runs end with exactly one revocation and one audit event per
// membership, and the next run finishes what a failed one left.
import { runBatch } from "../db/batch";
import { countAffectedRows } from "../db/client";
import { type ExpiryContext, recordExpiryStatements } from "../domain/memberships/membership-expiry";

export const sweepBatchSize = 500;
// 40 × 500 = 20,000 revocations per run; anything beyond waits five minutes for the next run.
export const sweepMaxBatchesPerRun = 40;

export interface SweepResult {
  revoked: number;
  batches: number;
  /** False when the run stopped at its batch limit with expired memberships possibly left over. */
  complete: boolean;
}

export async function sweepExpiredMemberships(
  ctx: ExpiryContext,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<SweepResult> {
  const batchSize = options.batchSize ?? sweepBatchSize;
  const maxBatches = options.maxBatches ?? sweepMaxBatchesPerRun;
  let revoked = 0;
  for (let batches = 1; batches <= maxBatches; batches++) {
    const results = await runBatch(ctx.db, recordExpiryStatements(ctx, { oldest: batchSize }));
    const changed = countAffectedRows(results[1]);
    revoked += changed;
    if (changed < batchSize) return { revoked, batches, complete: true };
  }
  return { revoked, batches: maxBatches, complete: false };
}
