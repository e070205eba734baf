// Access-review runs (docs/ACCESS-REVIEWS.md), the cron's side: items whose membership ended
// elsewhere, and closing runs with nothing pending. Every statement is guarded by the state it
// changes (status = 'pending', closed_at IS NULL), so a repeated or overlapping cron changes nothing twice.
import { and, eq, inArray, isNull, notExists, type SQL, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../../db/batch";
import { countAffectedRows } from "../../db/client";
import { memberships, reviewItems, reviewRuns } from "../../db/schema";
import { insertAuditEventsSelect } from "../audit/audit";
import type { DomainContext } from "../context";
import { campaignActor } from "./review-revocation";

export type ReviewJobContext = Pick<DomainContext, "db" | "now" | "config" | "ip" | "requestId">;

export const reviewRoundSize = 500;
// 40 × 500 = 20,000 items per step and run; the rest waits for the next run (like the expiry sweep).
export const reviewMaxRoundsPerRun = 40;

/** SQL: the membership (the `memberships` row in scope) is live at `now`: not revoked, not past its expiry. */
export function membershipLiveSql(now: Date): SQL {
  return sql`(${memberships.revokedAt} IS NULL AND (${memberships.expiresAt} IS NULL OR ${memberships.expiresAt} > ${now.getTime()}))`;
}

/** Repeats a bounded round until it changes fewer rows than a round holds. */
export async function inRounds(round: () => Promise<number>): Promise<{ changed: number; complete: boolean }> {
  let changed = 0;
  for (let rounds = 1; rounds <= reviewMaxRoundsPerRun; rounds++) {
    const count = await round();
    changed += count;
    if (count < reviewRoundSize) return { changed, complete: true };
  }
  return { changed, complete: false };
}

/**
 * Pending items whose membership is no longer live (removed, expired, replaced, erased) become
 * `ended_elsewhere`. No audit event: the membership's own event says what happened.
 */
export function closeEndedItems(ctx: ReviewJobContext) {
  const ended = ctx.db
    .select({ id: reviewItems.id })
    .from(reviewItems)
    .innerJoin(memberships, eq(memberships.id, reviewItems.membershipId))
    .where(and(eq(reviewItems.status, "pending"), sql`NOT ${membershipLiveSql(ctx.now)}`))
    .limit(reviewRoundSize);
  return inRounds(async () => {
    const result = await ctx.db
      .update(reviewItems)
      .set({ status: "ended_elsewhere", decisionSource: "membership_ended", decidedAt: ctx.now })
      .where(and(inArray(reviewItems.id, ended), eq(reviewItems.status, "pending")));
    return countAffectedRows(result);
  });
}

function pendingItemOf(ctx: ReviewJobContext) {
  return ctx.db
    .select({ one: sql`1` })
    .from(reviewItems)
    .where(and(eq(reviewItems.runId, reviewRuns.id), eq(reviewItems.status, "pending")));
}

// One pass over the run's items (review_items_run_status_idx) for every count the closing event reports.
const closedCountsSql = sql`(SELECT json_object(
    'kept', coalesce(sum(status = 'kept' AND decision_source = 'reviewer'), 0),
    'revoked', coalesce(sum(status = 'revoked' AND decision_source = 'reviewer'), 0),
    'endedElsewhere', coalesce(sum(status = 'ended_elsewhere'), 0),
    'keptAtDeadline', coalesce(sum(status = 'kept' AND decision_source = 'deadline'), 0),
    'revokedAtDeadline', coalesce(sum(status = 'revoked' AND decision_source = 'deadline'), 0))
  FROM review_items WHERE review_items.run_id = ${reviewRuns.id})`;

function closeRunStatements(ctx: ReviewJobContext, run: { id: string; campaignId: string; name: string }): Statement[] {
  const still = and(eq(reviewRuns.id, run.id), isNull(reviewRuns.closedAt), notExists(pendingItemOf(ctx)));
  return [
    insertAuditEventsSelect(
      { ...ctx, actor: campaignActor(run) },
      {
        action: "access_review.closed",
        targetType: "review_run",
        targetId: sql`${reviewRuns.id}`,
        targetLabel: sql`${reviewRuns.name}`,
        tenantId: null,
        detailKeys: ["kept", "revoked", "endedElsewhere", "keptAtDeadline", "revokedAtDeadline"],
        details: closedCountsSql,
        from: sql`FROM ${reviewRuns} WHERE ${still}`,
      },
    ),
    ctx.db.update(reviewRuns).set({ closedAt: ctx.now }).where(still),
  ];
}

/** Open runs with no pending item left are closed, early or after their deadline, each with its `access_review.closed` event. */
export async function closeFinishedRuns(ctx: ReviewJobContext): Promise<number> {
  const finished = await ctx.db
    .select({ id: reviewRuns.id, campaignId: reviewRuns.campaignId, name: reviewRuns.name })
    .from(reviewRuns)
    .where(and(isNull(reviewRuns.closedAt), notExists(pendingItemOf(ctx))));
  const results = await runBatch(
    ctx.db,
    finished.flatMap((run) => closeRunStatements(ctx, run)),
  );
  return results.filter((_, index) => index % 2 === 1).reduce<number>((sum, r) => sum + countAffectedRows(r), 0);
}
