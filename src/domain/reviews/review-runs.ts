// Access-review runs (docs/ACCESS-REVIEWS.md), the cron's side: opening due runs (and "Start now"),
// items whose membership ended elsewhere, and closing runs with nothing pending (the deadline is
// review-deadline.ts).
// Every write is guarded by the state it changes (the campaign's nextRunAt, UNIQUE campaign and
// due time, status = 'pending', closed_at IS NULL), so a repeated, overlapping or skipped cron
// changes nothing twice. Work on items is set-based in bounded rounds, like jobs/expiry-sweep.ts.
import { addDays, subDays } from "date-fns";
import { and, asc, eq, isNull, lte, notExists, type SQL, sql } from "drizzle-orm";
import { generateId } from "../../auth/crypto";
import { runBatch, type Statement } from "../../db/batch";
import { countAffectedRows } from "../../db/client";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { reviewCampaigns, reviewItems, reviewRuns } from "../../db/schema";
import { AppError } from "../../errors";
import { insertAuditEventsSelect } from "../audit/audit";
import type { DomainContext } from "../context";
import { assertMayManageCampaigns, campaignNotFound, nextScheduledTimes, type ReviewRunRow } from "./review-campaigns";
import {
  clientAdminCountsSql,
  clientAdminsPerTenantSql,
  heldByTenantDirectorySql,
  itemMembershipStandsSql,
  liveMembershipSql,
  mayReviewAsGrantorSql,
  reviewerKeySql,
} from "./review-reviewers";
import { campaignActor } from "./review-revocation";

export type ReviewJobContext = Pick<DomainContext, "db" | "now" | "config" | "ip" | "requestId">;

export const reviewRoundSize = 500;
// 40 × 500 = 20,000 items per step and run; the rest waits for the next run (like the expiry sweep).
export const reviewMaxRoundsPerRun = 40;

/** Repeats a bounded round until it changes fewer rows than a round holds. */
async function inRounds(round: () => Promise<number>): Promise<{ changed: number; complete: boolean }> {
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
  // Pending items are only in open runs (a run closes when none is left): read through
  // review_items_pending_membership_idx, each membership by its key.
  const ended = sql`SELECT ri.id FROM review_items AS ri JOIN memberships AS m ON m.id = ri.membership_id
    WHERE ri.status = 'pending' AND NOT ${itemMembershipStandsSql("m", "ri", ctx.now)} LIMIT ${reviewRoundSize}`;
  return inRounds(async () => {
    const result = await ctx.db
      .update(reviewItems)
      .set({ status: "ended_elsewhere", decisionSource: "membership_ended", decidedAt: ctx.now })
      .where(sql`${reviewItems.id} IN (${ended})`);
    return countAffectedRows(result);
  });
}

/**
 * Pending items of runs still before their deadline whose reviewer can no longer act go to the
 * Super admins (docs/ACCESS-REVIEWS.md "Who reviews what"): a named grantor deactivated, erased, no
 * longer staff or no longer allowed to end memberships, or a tenant left with no live CLIENT_ADMIN
 * of an active user but the member. The rule of the opening, applied again while the review runs,
 * so no item waits for the deadline only because its reviewer left. Each hand-over is one
 * `access_review.item_handed_over` event by Gatehouse (the rule, not a campaign's decision: one
 * statement spans every open run) naming the reviewer it had, in the same
 * batch (both statements select the same first rows by id). Each tenant's client admins are
 * counted once (the materialized CTE), never once per item.
 */
export function handOverStrandedItems(ctx: ReviewJobContext) {
  const now = ctx.now.getTime();
  const stranded = sql`WITH admins AS MATERIALIZED (${clientAdminCountsSql(ctx.now)})
    SELECT ri.id FROM review_runs AS run JOIN review_items AS ri ON ri.run_id = run.id AND ri.status = 'pending'
    WHERE run.closed_at IS NULL AND run.deadline_at > ${now} AND (
      (ri.reviewer_key LIKE 'user:%' AND NOT EXISTS (SELECT 1 FROM users AS u WHERE u.id = substr(ri.reviewer_key, 6)
        AND ${mayReviewAsGrantorSql("u")}))
      OR (ri.reviewer_key = 'client_admins' AND NOT EXISTS (SELECT 1 FROM admins WHERE admins.tenant_id = ri.tenant_id
        AND (admins.n > 1 OR admins.one <> ri.user_id))))
    ORDER BY ri.id LIMIT ${reviewRoundSize}`;
  return inRounds(async () => {
    const results = await runBatch(ctx.db, [
      insertAuditEventsSelect(
        { ...ctx, actor: { kind: "system" } },
        {
          action: "access_review.item_handed_over",
          targetType: "review_item",
          targetId: sql`ri.id`,
          targetLabel: sql`ri.member_email || ' in ' || t.slug`,
          tenantId: sql`ri.tenant_id`,
          detailKeys: ["runId", "from", "to"],
          details: sql`json_object('runId', ri.run_id, 'from', ri.reviewer_key, 'to', 'super_admins')`,
          from: sql`FROM review_items AS ri JOIN tenants AS t ON t.id = ri.tenant_id WHERE ri.id IN (${stranded})`,
        },
      ),
      ctx.db.update(reviewItems).set({ reviewerKey: "super_admins" }).where(sql`${reviewItems.id} IN (${stranded})`),
    ]);
    return countAffectedRows(results[1]);
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

// ---- opening ----

type Campaign = typeof reviewCampaigns.$inferSelect;

const staffRoles = sql`('OPERATOR_FULL', 'OPERATOR_READONLY')`;
const clientRoles = sql`('CLIENT_ADMIN', 'CLIENT_VIEWER')`;

function inCampaignScope(campaign: Campaign): SQL {
  const tenants = campaign.allTenants
    ? sql`1`
    : sql`m.tenant_id IN (SELECT tenant_id FROM review_campaign_tenants WHERE campaign_id = ${campaign.id})`;
  const kinds = { both: sql`1`, staff: sql`m.role IN ${staffRoles}`, client: sql`m.role IN ${clientRoles}` };
  return sql`${tenants} AND ${kinds[campaign.membershipKinds]}`;
}

/**
 * One item per membership in scope, live at `now`, of a user not erased and not held by the
 * tenant's own SCIM directory (directory-ownership.ts: its identity provider reviews those), with
 * the member's snapshot, the inactivity recommendation and the reviewer key. One INSERT … SELECT.
 */
function insertRunItems(ctx: ReviewJobContext, campaign: Campaign, runId: string): Statement {
  const inactiveSince = subDays(ctx.now, campaign.inactiveAfterDays).getTime();
  // Every column in the table's order (drizzle's INSERT … SELECT names them all); decisions and advice NULL.
  return ctx.db.insert(reviewItems).select(sql`
    SELECT 'rvi_' || lower(hex(randomblob(16))), r.id, m.tenant_id, m.id, m.user_id, u.display_name, u.email,
      CASE WHEN m.role IN ${staffRoles} THEN 'staff' ELSE 'client' END, m.role, m.expires_at, m.created_by,
      u.last_login_at, (coalesce(u.last_login_at, u.created_at) <= ${inactiveSince} OR u.deactivated_at IS NOT NULL),
      ${reviewerKeySql(sql`r.client_say_on_staff`)},
      (m.role IN ${staffRoles} AND r.client_say_on_staff = 'advisory'), 'pending',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM review_runs AS r JOIN memberships AS m ON ${inCampaignScope(campaign)}
      JOIN users AS u ON u.id = m.user_id
      LEFT JOIN ${clientAdminsPerTenantSql(ctx.now)} ON admins.tenant_id = m.tenant_id
    WHERE r.id = ${runId} AND ${liveMembershipSql("m", ctx.now)} AND u.erased_at IS NULL
      AND NOT ${heldByTenantDirectorySql("m")}`);
}

interface Opening {
  campaign: Campaign;
  dueAt: Date;
  /** Where the campaign's nextRunAt moves (null: nothing more is scheduled). */
  nextRunAt: Date | null;
  /** Who the `access_review.opened` event names: the campaign (cron) or the Super admin (Start now). */
  opener: (run: { id: string; campaignId: string; name: string }) => DomainContext["actor"];
}

/**
 * Opens one run in one batch: moves nextRunAt (compare-and-set on the value read, so an overlapping
 * cron or a second click loses and changes nothing), the run with the campaign's settings (UNIQUE
 * campaign and dueAt: one run per scheduled time), its items, their count and the audit event.
 * Null when the campaign changed meanwhile.
 */
async function openRunFor(
  ctx: ReviewJobContext,
  opening: Opening,
): Promise<{ run: ReviewRunRow; opened: boolean } | null> {
  const { campaign, dueAt } = opening;
  const run = {
    id: generateId("rvr"),
    campaignId: campaign.id,
    dueAt,
    openedAt: ctx.now,
    deadlineAt: addDays(ctx.now, campaign.durationDays),
    name: `${campaign.name} ${dueAt.toISOString().slice(0, 10)}`,
    membershipKinds: campaign.membershipKinds,
    clientSayOnStaff: campaign.clientSayOnStaff,
    justificationRequired: campaign.justificationRequired,
    deadlineAction: campaign.deadlineAction,
    inactiveAfterDays: campaign.inactiveAfterDays,
    itemCount: 0,
  };
  const thisRun = eq(reviewRuns.id, run.id);
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(reviewCampaigns)
        .set({ nextRunAt: opening.nextRunAt })
        .where(
          and(
            eq(reviewCampaigns.id, campaign.id),
            campaign.nextRunAt ? eq(reviewCampaigns.nextRunAt, campaign.nextRunAt) : isNull(reviewCampaigns.nextRunAt),
            // An edit since the read (settings, tenants) loses this opening: the run takes the settings it read.
            eq(reviewCampaigns.updatedAt, campaign.updatedAt),
            isNull(reviewCampaigns.stoppedAt),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      ctx.db.insert(reviewRuns).values(run).onConflictDoNothing(),
      insertRunItems(ctx, campaign, run.id),
      ctx.db
        .update(reviewRuns)
        .set({ itemCount: sql`(SELECT count(*) FROM review_items WHERE review_items.run_id = ${run.id})` })
        .where(thisRun),
      insertAuditEventsSelect(
        { ...ctx, actor: opening.opener(run) },
        {
          action: "access_review.opened",
          targetType: "review_run",
          targetId: sql`${reviewRuns.id}`,
          targetLabel: sql`${reviewRuns.name}`,
          tenantId: null,
          detailKeys: ["campaignId", "dueAt", "deadlineAt", "itemCount"],
          details: sql`json_object('campaignId', ${campaign.id}, 'dueAt', ${dueAt.toISOString()},
            'deadlineAt', ${run.deadlineAt.toISOString()}, 'itemCount', ${reviewRuns.itemCount})`,
          from: sql`FROM ${reviewRuns} WHERE ${thisRun}`,
        },
      ),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) return null;
    throw error;
  }
  const [found] = await ctx.db
    .select()
    .from(reviewRuns)
    .where(and(eq(reviewRuns.campaignId, campaign.id), eq(reviewRuns.dueAt, dueAt)));
  return found ? { run: found, opened: found.id === run.id } : null;
}

/** The cron: opens every campaign's run that is due (the latest scheduled time ≤ now, skipped periods once). */
export async function openDueRuns(ctx: ReviewJobContext): Promise<number> {
  const due = await ctx.db
    .select()
    .from(reviewCampaigns)
    .where(and(lte(reviewCampaigns.nextRunAt, ctx.now), isNull(reviewCampaigns.stoppedAt)))
    .orderBy(asc(reviewCampaigns.nextRunAt), asc(reviewCampaigns.id));
  let opened = 0;
  for (const campaign of due) {
    const times = nextScheduledTimes(campaign.cadence, campaign.startsAt, campaign.nextRunAt, ctx.now);
    if (!times.dueAt) continue;
    const result = await openRunFor(ctx, {
      campaign,
      dueAt: times.dueAt,
      nextRunAt: times.nextRunAt,
      opener: campaignActor,
    });
    if (result?.opened) opened += 1;
  }
  return opened;
}

/**
 * "Start now" (a SUPER_ADMIN): opens the campaign's next scheduled run now, the one the cron would
 * open at nextRunAt (or the one due, when that has passed), and moves nextRunAt past it, so the
 * schedule keeps one run per period. Refused when nothing is scheduled (stopped, or a one-off that ran).
 */
export async function openRun(ctx: DomainContext, campaignId: string): Promise<ReviewRunRow> {
  assertMayManageCampaigns(ctx);
  const [campaigns, openRuns] = await ctx.db.batch([
    ctx.db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, campaignId)),
    ctx.db
      .select({ deadlineAt: reviewRuns.deadlineAt })
      .from(reviewRuns)
      .where(and(eq(reviewRuns.campaignId, campaignId), isNull(reviewRuns.closedAt)))
      .limit(1),
  ]);
  const campaign = campaigns[0];
  if (!campaign) throw campaignNotFound();
  if (campaign.stoppedAt || !campaign.nextRunAt) {
    throw new AppError("STATE_CONFLICT", {
      detail: "This campaign has no review scheduled: it was stopped or has run.",
    });
  }
  const open = openRuns[0];
  if (open) {
    throw new AppError("STATE_CONFLICT", {
      detail: `A review of this campaign is still open (its deadline is ${open.deadlineAt.toISOString()}): start the next one after it closes.`,
    });
  }
  const at = campaign.nextRunAt.getTime() > ctx.now.getTime() ? campaign.nextRunAt : ctx.now;
  const times = nextScheduledTimes(campaign.cadence, campaign.startsAt, campaign.nextRunAt, at);
  const result = await openRunFor(ctx, {
    campaign,
    dueAt: times.dueAt ?? campaign.nextRunAt,
    nextRunAt: times.nextRunAt,
    opener: () => ctx.actor,
  });
  if (!result)
    throw new AppError("STATE_CONFLICT", { detail: "The campaign changed meanwhile; reload and try again." });
  return result.run;
}
