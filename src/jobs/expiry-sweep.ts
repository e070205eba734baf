// The expiry sweep (docs/PRODUCT.md §3): records expired memberships as revoked with reason `expired`, one
// audit event each. Access is already denied at request time (domain/principal.ts compares
// expires_at with `now`); the sweep only writes down what happened.
//
// Model: each round is ONE db.batch of two set-based statements over the same bounded subquery
// (the oldest `batchSize` live, expired memberships, read through memberships_live_expiry_idx):
// first the audit INSERT … SELECT, then the UPDATE. A batch is one transaction, so both statements
// see the same rows and commit or roll back together. A row revoked by any earlier batch (this
// run's, an overlapping run's, a retried run's) no longer matches `revoked_at IS NULL`, so repeated,
// concurrent and half-failed runs end with exactly one revocation and one audit event per
// membership, and the next run finishes what a failed one left.
import { and, asc, eq, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { runBatch } from "../db/batch";
import { countAffectedRows } from "../db/client";
import { auditEvents, memberships, tenants, users } from "../db/schema";
import { type DomainContext, snapshotActor } from "../domain/context";

type SweepContext = Pick<DomainContext, "db" | "now" | "requestId">;

export const sweepBatchSize = 500;
// 40 × 500 = 20,000 revocations per run; anything beyond waits five minutes for the next run.
export const sweepMaxBatchesPerRun = 40;

export interface SweepResult {
  revoked: number;
  batches: number;
  /** False when the run stopped at its batch limit with expired memberships possibly left over. */
  complete: boolean;
}

/** The ids of one round: live, expired, oldest first. Deterministic, so both statements agree. */
function expiredMembershipIds(ctx: SweepContext, batchSize: number) {
  return ctx.db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(isNull(memberships.revokedAt), isNotNull(memberships.expiresAt), lte(memberships.expiresAt, ctx.now)))
    .orderBy(asc(memberships.expiresAt), asc(memberships.id))
    .limit(batchSize);
}

// INSERT … SELECT: drizzle wants the selected keys in the table's column order.
function insertExpiryAuditEvents(ctx: SweepContext, batchSize: number) {
  const actor = snapshotActor({ kind: "system" });
  return ctx.db.insert(auditEvents).select(
    ctx.db
      .select({
        id: sql<number>`NULL`.as("id"),
        at: sql<number>`${ctx.now.getTime()}`.as("at"),
        action: sql<string>`'membership.expired'`.as("action"),
        actorKind: sql<string>`${actor.kind}`.as("actorKind"),
        actorId: sql<null>`NULL`.as("actorId"),
        actorName: sql<string>`${actor.name}`.as("actorName"),
        actorEmail: sql<null>`NULL`.as("actorEmail"),
        targetType: sql<string>`'membership'`.as("targetType"),
        targetId: memberships.id,
        targetLabel: sql<string>`${users.email} || ' in ' || ${tenants.slug}`.as("targetLabel"),
        tenantId: memberships.tenantId,
        // expiresAt is rendered like Date#toISOString(), from integer milliseconds.
        details: sql<string>`json_object('userId', ${memberships.userId}, 'role', ${memberships.role}, 'expiresAt',
          strftime('%Y-%m-%dT%H:%M:%S', ${memberships.expiresAt} / 1000, 'unixepoch') || '.' || printf('%03d', ${memberships.expiresAt} % 1000) || 'Z')`.as(
          "details",
        ),
        ip: sql<null>`NULL`.as("ip"),
        requestId: sql<string | null>`${ctx.requestId}`.as("requestId"),
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(inArray(memberships.id, expiredMembershipIds(ctx, batchSize))),
  );
}

function revokeExpiredMemberships(ctx: SweepContext, batchSize: number) {
  return ctx.db
    .update(memberships)
    .set({ revokedAt: ctx.now, revokedBy: null, revokeReason: "expired", updatedAt: ctx.now })
    .where(inArray(memberships.id, expiredMembershipIds(ctx, batchSize)));
}

export async function sweepExpiredMemberships(
  ctx: SweepContext,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<SweepResult> {
  const batchSize = options.batchSize ?? sweepBatchSize;
  const maxBatches = options.maxBatches ?? sweepMaxBatchesPerRun;
  let revoked = 0;
  for (let batches = 1; batches <= maxBatches; batches++) {
    const results = await runBatch(ctx.db, [insertExpiryAuditEvents(ctx, batchSize), revokeExpiredMemberships(ctx, batchSize)]);
    const changed = countAffectedRows(results[1]);
    revoked += changed;
    if (changed < batchSize) return { revoked, batches, complete: true };
  }
  return { revoked, batches: maxBatches, complete: false };
}
