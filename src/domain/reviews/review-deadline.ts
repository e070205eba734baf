// The deadline of an access review (docs/ACCESS-REVIEWS.md "The deadline"): what is still pending
// when an open run's deadline has passed is decided by the campaign itself, as its service actor
// (review-revocation.ts#campaignActor): revoked (deadlineAction revoke, through the same statements
// as a reviewer's revoke) or kept and flagged `kept_at_deadline` (keep_flag). Rounds read their ids
// first and bind every statement to them; a repeated or overlapping cron finds nothing pending.
import { and, asc, isNull, lte, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../../db/batch";
import { countAffectedRows } from "../../db/client";
import { reviewItems, reviewRuns } from "../../db/schema";
import { insertAuditEventsSelect } from "../audit/audit";
import { itemMembershipStandsSql } from "./review-reviewers";
import {
  campaignActor,
  queueNoAdminEmails,
  revokedItemsResult,
  revokeReviewItemsStatements,
} from "./review-revocation";
import { type ReviewJobContext, reviewMaxRoundsPerRun, reviewRoundSize } from "./review-runs";

type OpenRun = { id: string; campaignId: string; name: string; deadlineAction: "revoke" | "keep_flag" };

/** A round: the run's first `reviewRoundSize` pending items (by id) whose membership is live. */
async function readPendingRound(ctx: ReviewJobContext, runId: string): Promise<string[]> {
  const rows = await ctx.db.all<{ id: string }>(sql`SELECT ri.id AS id FROM review_items AS ri
      JOIN memberships AS m ON m.id = ri.membership_id
    WHERE ri.run_id = ${runId} AND ri.status = 'pending' AND ${itemMembershipStandsSql("m", "ri", ctx.now)}
    ORDER BY ri.id LIMIT ${reviewRoundSize}`);
  return rows.map((row) => row.id);
}

/** keep_flag: the items stay, marked kept at the deadline, one `access_review.kept_at_deadline` each. */
function keepAtDeadlineStatements(ctx: ReviewJobContext, run: OpenRun, itemIds: string[]): Statement[] {
  // Still pending: a reviewer may have decided one since the round was read.
  const chosen = sql`SELECT value FROM json_each(${JSON.stringify(itemIds)})
    WHERE value IN (SELECT id FROM review_items WHERE run_id = ${run.id} AND status = 'pending')`;
  return [
    insertAuditEventsSelect(
      { ...ctx, actor: campaignActor(run) },
      {
        action: "access_review.kept_at_deadline",
        targetType: "review_item",
        targetId: sql`ri.id`,
        targetLabel: sql`ri.member_email || ' in ' || t.slug`,
        tenantId: sql`ri.tenant_id`,
        detailKeys: ["runId", "membershipId", "userId", "role"],
        details: sql`json_object('runId', ri.run_id, 'membershipId', ri.membership_id, 'userId', ri.user_id, 'role', ri.role)`,
        from: sql`FROM review_items AS ri JOIN tenants AS t ON t.id = ri.tenant_id WHERE ri.id IN (${chosen})`,
      },
    ),
    ctx.db
      .update(reviewItems)
      .set({ status: "kept", decisionSource: "deadline", decidedAt: ctx.now, flag: "kept_at_deadline" })
      .where(sql`${reviewItems.id} IN (${chosen})`),
  ];
}

/** One round of a run's deadline; `read` is how many items it found pending, `changed` how many it decided. */
async function applyDeadlineRound(ctx: ReviewJobContext, run: OpenRun): Promise<{ read: number; changed: number }> {
  const itemIds = await readPendingRound(ctx, run.id);
  if (itemIds.length === 0) return { read: 0, changed: 0 };
  if (run.deadlineAction === "keep_flag") {
    const results = await runBatch(ctx.db, keepAtDeadlineStatements(ctx, run, itemIds));
    return { read: itemIds.length, changed: countAffectedRows(results[1]) };
  }
  const statements = revokeReviewItemsStatements(
    { ...ctx, actor: campaignActor(run) },
    { runId: run.id, itemIds, source: "deadline", decidedBy: null },
  );
  const results = await runBatch(ctx.db, statements);
  return { read: itemIds.length, changed: countAffectedRows(results[revokedItemsResult]) };
}

export interface DeadlineResult {
  revoked: number;
  kept: number;
  complete: boolean;
}

/**
 * Pending items of open runs past their deadline: revoked by the campaign (deadlineAction revoke,
 * review-revocation.ts) or kept and flagged (keep_flag), in rounds of reviewRoundSize, at most
 * reviewMaxRoundsPerRun rounds a cron run over all runs. Then the Super admins hear of any tenant
 * the run's revocations left without a client admin.
 */
export async function applyDeadlines(ctx: ReviewJobContext): Promise<DeadlineResult> {
  const runs = await ctx.db
    .select({
      id: reviewRuns.id,
      campaignId: reviewRuns.campaignId,
      name: reviewRuns.name,
      deadlineAction: reviewRuns.deadlineAction,
    })
    .from(reviewRuns)
    .where(and(isNull(reviewRuns.closedAt), lte(reviewRuns.deadlineAt, ctx.now)))
    .orderBy(asc(reviewRuns.deadlineAt), asc(reviewRuns.id));
  const result: DeadlineResult = { revoked: 0, kept: 0, complete: true };
  let rounds = 0;
  for (const run of runs) {
    for (let read = reviewRoundSize; read === reviewRoundSize; ) {
      if (rounds++ >= reviewMaxRoundsPerRun) return { ...result, complete: false };
      const round = await applyDeadlineRound(ctx, run);
      read = round.read;
      result[run.deadlineAction === "revoke" ? "revoked" : "kept"] += round.changed;
    }
  }
  return result;
}

/**
 * Emails the Super admins about every tenant an open run's revocations left without a client
 * admin (review-revocation.ts#queueNoAdminEmails, deduplicated): after the deadline, and as the
 * repair of a reviewer's decision whose own call failed after its batch.
 */
export async function notifyTenantsLeftWithoutAdmin(ctx: ReviewJobContext): Promise<number> {
  const runs = await ctx.db
    .select({ id: reviewRuns.id, name: reviewRuns.name })
    .from(reviewRuns)
    .where(isNull(reviewRuns.closedAt));
  let queued = 0;
  for (const run of runs) queued += await queueNoAdminEmails(ctx, run);
  return queued;
}
