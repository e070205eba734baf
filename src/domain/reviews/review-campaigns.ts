// Access-review campaigns (docs/ACCESS-REVIEWS.md): what a SUPER_ADMIN defines (who is in scope,
// how often, how long a review stays open, what the deadline does). The cron opens runs on the
// campaign's schedule (review-schedule.ts, review-runs.ts); a run copies the settings, so an edit
// changes only the runs that open after it.
import { and, asc, count, desc, eq, getTableColumns, inArray, isNull, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { runBatch, type Statement } from "../../db/batch";
import type { Db } from "../../db/client";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { jsonList } from "../../db/json-list";
import {
  type ReviewCadence,
  reviewCadences,
  reviewCampaigns,
  reviewCampaignTenants,
  reviewClientSays,
  reviewDeadlineActions,
  reviewItems,
  reviewMembershipKinds,
  reviewRuns,
  tenants,
} from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import { insertAuditEvent } from "../audit/audit";
import { actorRole, actorUserId, type DomainContext } from "../context";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";
import { singleLineTextSchema } from "../text";
import { firstScheduledTimeAfter } from "./review-schedule";

export { nextScheduledTimes } from "./review-schedule";

export type ReviewCampaignRow = typeof reviewCampaigns.$inferSelect;
/** A campaign with the tenants it names (none when it covers all tenants). */
export type CampaignWithTenants = ReviewCampaignRow & { tenantIds: string[] };
export type ReviewRunRow = typeof reviewRuns.$inferSelect;

/** How many tenants a campaign may name one by one; more is "all tenants". */
export const campaignTenantsMaximum = 1000;

const campaignFields = {
  name: singleLineTextSchema("Name").min(1, "Give the campaign a name.").max(100, "Use at most 100 characters."),
  allTenants: z.boolean(),
  tenantIds: z
    .array(z.string().trim().min(1).max(64))
    .max(campaignTenantsMaximum, `Choose at most ${campaignTenantsMaximum} tenants, or all of them.`),
  membershipKinds: z.enum(reviewMembershipKinds, "Choose staff, client or both."),
  cadence: z.enum(reviewCadences, "Choose how often the review runs."),
  durationDays: z.number().int().min(1, "Give at least 1 day.").max(90, "Give at most 90 days."),
  clientSayOnStaff: z.enum(reviewClientSays, "Choose what the client admins may say about staff."),
  justificationRequired: z.boolean(),
  deadlineAction: z.enum(reviewDeadlineActions, "Choose what happens at the deadline."),
  inactiveAfterDays: z.number().int().min(1, "Give at least 1 day.").max(365, "Give at most 365 days."),
  startsAt: z.iso
    .datetime({ offset: true, message: "Use an ISO-8601 time such as 2027-01-04T09:00:00Z." })
    .transform((value) => new Date(value)),
};

function checkTenantChoice(
  input: { allTenants?: boolean | undefined; tenantIds?: string[] | undefined },
  ctx: z.RefinementCtx,
) {
  if (input.allTenants === false && (input.tenantIds?.length ?? 0) === 0) {
    ctx.addIssue({ code: "custom", path: ["tenantIds"], message: "Choose at least one tenant, or all tenants." });
  }
  if (input.allTenants === true && (input.tenantIds?.length ?? 0) > 0) {
    ctx.addIssue({ code: "custom", path: ["tenantIds"], message: "Choose all tenants or some of them, not both." });
  }
}

/** A new campaign (the console's form and POST /api/v1/access-reviews); defaults as docs/ACCESS-REVIEWS.md says. */
export const createCampaignSchema = z
  .strictObject({
    ...campaignFields,
    tenantIds: campaignFields.tenantIds.default([]),
    membershipKinds: campaignFields.membershipKinds.default("both"),
    durationDays: campaignFields.durationDays.default(14),
    clientSayOnStaff: campaignFields.clientSayOnStaff.default("none"),
    justificationRequired: campaignFields.justificationRequired.default(true),
    deadlineAction: campaignFields.deadlineAction.default("revoke"),
    inactiveAfterDays: campaignFields.inactiveAfterDays.default(30),
    startsAt: campaignFields.startsAt.optional(),
  })
  .superRefine(checkTenantChoice);
export type CreateCampaignInput = z.output<typeof createCampaignSchema>;

/** A change of settings: only the fields sent change; tenantIds replaces the chosen tenants. */
export const updateCampaignSchema = z.strictObject(campaignFields).partial().superRefine(checkTenantChoice);
export type UpdateCampaignInput = z.output<typeof updateCampaignSchema>;

// ---- writing ----

/** The longest review of each cadence: one review ends before the next opens (a quarter is 89–92 days). */
const longestDurationDays: Record<ReviewCadence, number> = { quarterly: 60, half_yearly: 90, yearly: 90, once: 90 };

function assertDurationFitsCadence(cadence: ReviewCadence, durationDays: number): void {
  const longest = longestDurationDays[cadence];
  if (durationDays > longest) {
    throw fieldError(
      "durationDays",
      `A quarterly review lasts at most ${longest} days, so that one review ends before the next opens.`,
    );
  }
}

export function assertMayManageCampaigns(ctx: DomainContext): void {
  if (actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can manage access reviews." });
  }
}

export function describeCampaign(campaign: { id: string; name: string }) {
  return { type: "review_campaign" as const, id: campaign.id, label: campaign.name };
}

export function campaignNotFound(): AppError {
  return new AppError("NOT_FOUND", { detail: "No such access review campaign." });
}

/** The tenants a campaign names, deduplicated, refused as a field error when one does not exist. */
async function checkTenantIds(ctx: DomainContext, tenantIds: string[]): Promise<string[]> {
  const unique = [...new Set(tenantIds)];
  if (unique.length === 0) return unique;
  const found = await ctx.db
    .select({ id: tenants.id })
    .from(tenants)
    .where(inArray(tenants.id, jsonList(unique)));
  if (found.length !== unique.length) {
    throw fieldError("tenantIds", "A tenant you chose does not exist (any more). Choose again.");
  }
  return unique;
}

function insertCampaignTenants(db: Db, campaignId: string, tenantIds: string[]): Statement {
  return db.insert(reviewCampaignTenants).select(
    db
      .select({ campaignId: sql<string>`${campaignId}`.as("campaign_id"), tenantId: tenants.id })
      .from(tenants)
      .where(inArray(tenants.id, jsonList(tenantIds))),
  );
}

/** The settings an audit event records: the campaign's fields as the API shows them. */
function settingsOf(campaign: ReviewCampaignRow, tenantIds: string[]) {
  return {
    name: campaign.name,
    allTenants: campaign.allTenants,
    tenantIds: campaign.allTenants ? [] : [...tenantIds].sort(),
    membershipKinds: campaign.membershipKinds,
    cadence: campaign.cadence,
    durationDays: campaign.durationDays,
    clientSayOnStaff: campaign.clientSayOnStaff,
    justificationRequired: campaign.justificationRequired,
    deadlineAction: campaign.deadlineAction,
    inactiveAfterDays: campaign.inactiveAfterDays,
    startsAt: campaign.startsAt.toISOString(),
    nextRunAt: campaign.nextRunAt?.toISOString() ?? null,
  };
}

export async function createCampaign(ctx: DomainContext, input: CreateCampaignInput): Promise<CampaignWithTenants> {
  assertMayManageCampaigns(ctx);
  assertDurationFitsCadence(input.cadence, input.durationDays);
  const tenantIds = await checkTenantIds(ctx, input.allTenants ? [] : input.tenantIds);
  const startsAt = input.startsAt ?? ctx.now;
  const campaign: ReviewCampaignRow = {
    id: generateId("rvc"),
    name: input.name,
    allTenants: input.allTenants,
    membershipKinds: input.membershipKinds,
    cadence: input.cadence,
    durationDays: input.durationDays,
    clientSayOnStaff: input.clientSayOnStaff,
    justificationRequired: input.justificationRequired,
    deadlineAction: input.deadlineAction,
    inactiveAfterDays: input.inactiveAfterDays,
    startsAt,
    nextRunAt: startsAt,
    stoppedAt: null,
    createdAt: ctx.now,
    createdBy: actorUserId(ctx.actor),
    updatedAt: ctx.now,
  };
  await runBatch(ctx.db, [
    ctx.db.insert(reviewCampaigns).values(campaign),
    ...(tenantIds.length > 0 ? [insertCampaignTenants(ctx.db, campaign.id, tenantIds)] : []),
    insertAuditEvent(ctx, {
      action: "access_review.campaign_created",
      target: describeCampaign(campaign),
      details: settingsOf(campaign, tenantIds),
    }),
  ]);
  return { ...campaign, tenantIds };
}

/** The campaign, its chosen tenants' ids and the dueAt of its latest run, in one batch. */
async function findCampaignForChange(ctx: DomainContext, id: string) {
  const [campaignRows, tenantRows, latestRows] = await ctx.db.batch([
    ctx.db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, id)).limit(1),
    ctx.db
      .select({ tenantId: reviewCampaignTenants.tenantId })
      .from(reviewCampaignTenants)
      .where(eq(reviewCampaignTenants.campaignId, id)),
    ctx.db
      .select({ dueAt: reviewRuns.dueAt })
      .from(reviewRuns)
      .where(eq(reviewRuns.campaignId, id))
      .orderBy(desc(reviewRuns.dueAt))
      .limit(1),
  ]);
  const campaign = campaignRows[0];
  if (!campaign) throw campaignNotFound();
  return { campaign, tenantIds: tenantRows.map((row) => row.tenantId), latestDueAt: latestRows[0]?.dueAt ?? null };
}

function stoppedConflict(): AppError {
  return new AppError("STATE_CONFLICT", {
    detail: "This campaign's schedule was stopped. Create a new campaign to review again.",
  });
}

function changedMeanwhile(): AppError {
  return new AppError("STATE_CONFLICT", {
    detail: "A review of this campaign opened meanwhile. Reload the page and make the change again.",
  });
}

/** The row's nextRunAt as the compare-and-set of an update saw it. */
function sameNextRunAt(nextRunAt: Date | null): SQL | undefined {
  return nextRunAt === null ? isNull(reviewCampaigns.nextRunAt) : eq(reviewCampaigns.nextRunAt, nextRunAt);
}

/**
 * Changes the settings of the runs that open from now on (an open run keeps the ones it opened
 * with). A new cadence or start moves nextRunAt to the first time of the new schedule after the
 * latest run (or to the start, when none ran yet): compare-and-set against the cron, which may be
 * opening a run at the same moment.
 */
export async function updateCampaign(
  ctx: DomainContext,
  id: string,
  input: UpdateCampaignInput,
): Promise<CampaignWithTenants> {
  assertMayManageCampaigns(ctx);
  const found = await findCampaignForChange(ctx, id);
  const before = found.campaign;
  if (before.stoppedAt) throw stoppedConflict();
  const allTenants = input.allTenants ?? before.allTenants;
  if (allTenants && (input.tenantIds?.length ?? 0) > 0) {
    throw fieldError("tenantIds", "Choose all tenants or some of them, not both.");
  }
  const tenantIds = allTenants ? [] : await checkTenantIds(ctx, input.tenantIds ?? found.tenantIds);
  if (!allTenants && tenantIds.length === 0) {
    throw fieldError("tenantIds", "Choose at least one tenant, or all tenants.");
  }
  // Only the fields sent: a key present as undefined changes nothing.
  const { tenantIds: _tenantIds, ...sent } = input;
  const fields = Object.fromEntries(Object.entries(sent).filter(([, value]) => value !== undefined)) as typeof sent;
  // The console's form shows the start to the minute: the same minute sent back is no new start.
  if (
    fields.startsAt &&
    Math.floor(fields.startsAt.getTime() / 60_000) === Math.floor(before.startsAt.getTime() / 60_000)
  )
    delete fields.startsAt;
  const after: ReviewCampaignRow = { ...before, ...fields, allTenants, updatedAt: ctx.now };
  assertDurationFitsCadence(after.cadence, after.durationDays);
  const rescheduled = after.cadence !== before.cadence || after.startsAt.getTime() !== before.startsAt.getTime();
  if (rescheduled) after.nextRunAt = firstScheduledTimeAfter(after.cadence, after.startsAt, found.latestDueAt);
  const [was, now] = [settingsOf(before, found.tenantIds), settingsOf(after, tenantIds)];
  const changed = (Object.keys(now) as Array<keyof typeof now>).filter(
    (key) => JSON.stringify(now[key]) !== JSON.stringify(was[key]),
  );
  if (changed.length === 0) return { ...before, tenantIds: found.tenantIds };
  const tenantsChanged = changed.includes("tenantIds") || changed.includes("allTenants");
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(reviewCampaigns)
        .set({ ...fields, allTenants, nextRunAt: after.nextRunAt, updatedAt: ctx.now })
        .where(and(eq(reviewCampaigns.id, id), isNull(reviewCampaigns.stoppedAt), sameNextRunAt(before.nextRunAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      ...(tenantsChanged
        ? [
            ctx.db.delete(reviewCampaignTenants).where(eq(reviewCampaignTenants.campaignId, id)),
            ...(tenantIds.length > 0 ? [insertCampaignTenants(ctx.db, id, tenantIds)] : []),
          ]
        : []),
      insertAuditEvent(ctx, {
        action: "access_review.campaign_updated",
        target: describeCampaign(after),
        details: { changed, ...now },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw changedMeanwhile();
    throw error;
  }
  return { ...after, tenantIds };
}

/** Stops the schedule: no run opens any more; a run that is open goes on to its deadline. */
export async function stopCampaign(ctx: DomainContext, id: string): Promise<CampaignWithTenants> {
  assertMayManageCampaigns(ctx);
  const { campaign, tenantIds } = await findCampaignForChange(ctx, id);
  if (campaign.stoppedAt) throw stoppedConflict();
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(reviewCampaigns)
        .set({ stoppedAt: ctx.now, nextRunAt: null, updatedAt: ctx.now })
        .where(and(eq(reviewCampaigns.id, id), isNull(reviewCampaigns.stoppedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "access_review.campaign_stopped",
        target: describeCampaign(campaign),
        details: { nextRunAt: campaign.nextRunAt?.toISOString() ?? null },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw stoppedConflict();
    throw error;
  }
  return { ...campaign, tenantIds, stoppedAt: ctx.now, nextRunAt: null, updatedAt: ctx.now };
}

// ---- reading ----

export const listCampaignsQuerySchema = z.strictObject({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListCampaignsQuery = z.output<typeof listCampaignsQuerySchema>;

/** Campaigns, newest first (review_campaigns_created_idx): the page's query (limit + 1 rows), for a batch. */
export function selectCampaignsPage(db: Db, query: ListCampaignsQuery) {
  const cursor = decodeCursor(query.cursor);
  const after = cursor
    ? sql`(${reviewCampaigns.createdAt}, ${reviewCampaigns.id}) < (${cursor.time}, ${cursor.id})`
    : undefined;
  return db
    .select({
      ...getTableColumns(reviewCampaigns),
      // The chosen tenants as one JSON array (the table's primary key leads with the campaign).
      tenantIdsJson:
        sql<string>`(SELECT json_group_array(${reviewCampaignTenants.tenantId}) FROM ${reviewCampaignTenants}
        WHERE ${reviewCampaignTenants.campaignId} = ${reviewCampaigns.id})`.as("tenant_ids"),
    })
    .from(reviewCampaigns)
    .where(after)
    .orderBy(desc(reviewCampaigns.createdAt), desc(reviewCampaigns.id))
    .limit(query.limit + 1);
}

export function toCampaignsPage(
  rows: Array<ReviewCampaignRow & { tenantIdsJson: string }>,
  limit: number,
): Page<CampaignWithTenants> {
  const campaigns = rows.map(({ tenantIdsJson, ...campaign }) => ({
    ...campaign,
    tenantIds: (JSON.parse(tenantIdsJson) as string[]).sort(),
  }));
  return toPage(campaigns, limit, (row) => encodeCursor({ time: row.createdAt.getTime(), id: row.id }));
}

export async function listCampaigns(ctx: DomainContext, query: ListCampaignsQuery): Promise<Page<CampaignWithTenants>> {
  assertMayManageCampaigns(ctx);
  return toCampaignsPage(await selectCampaignsPage(ctx.db, query), query.limit);
}

/** How many runs of a campaign its page lists (newest first): a quarterly campaign's 25 years. */
export const campaignRunsShown = 100;

export interface CampaignRunSummary extends ReviewRunRow {
  pendingCount: number;
}

export interface CampaignDetails {
  campaign: ReviewCampaignRow;
  tenants: Array<{ id: string; name: string; slug: string }>;
  runs: CampaignRunSummary[];
}

/** One campaign with its chosen tenants and its runs (newest first, with what is pending), in one batch; null when there is none. */
export async function readCampaign(ctx: DomainContext, id: string): Promise<CampaignDetails | null> {
  assertMayManageCampaigns(ctx);
  const runIds = ctx.db.select({ id: reviewRuns.id }).from(reviewRuns).where(eq(reviewRuns.campaignId, id));
  const [campaignRows, tenantRows, runRows, pendingRows] = await ctx.db.batch([
    ctx.db.select().from(reviewCampaigns).where(eq(reviewCampaigns.id, id)).limit(1),
    ctx.db
      .select({ id: tenants.id, name: tenants.name, slug: tenants.slug })
      .from(reviewCampaignTenants)
      .innerJoin(tenants, eq(tenants.id, reviewCampaignTenants.tenantId))
      .where(eq(reviewCampaignTenants.campaignId, id))
      .orderBy(asc(tenants.name)),
    ctx.db
      .select()
      .from(reviewRuns)
      .where(eq(reviewRuns.campaignId, id))
      .orderBy(desc(reviewRuns.dueAt))
      .limit(campaignRunsShown),
    ctx.db
      .select({ runId: reviewItems.runId, pending: count() })
      .from(reviewItems)
      .where(and(inArray(reviewItems.runId, runIds), eq(reviewItems.status, "pending")))
      .groupBy(reviewItems.runId),
  ]);
  const campaign = campaignRows[0];
  if (!campaign) return null;
  const pending = new Map(pendingRows.map((row) => [row.runId, row.pending]));
  return {
    campaign,
    tenants: tenantRows,
    runs: runRows.map((run) => ({ ...run, pendingCount: pending.get(run.id) ?? 0 })),
  };
}

/** A campaign as the API shows it: its tenants are its own when it carries them (writes and lists), else `tenantIds`. */
export function toCampaignDto(campaign: ReviewCampaignRow & { tenantIds?: string[] }, tenantIds: string[] = []) {
  const chosen = campaign.tenantIds ?? tenantIds;
  return {
    id: campaign.id,
    ...settingsOf(campaign, chosen),
    stoppedAt: campaign.stoppedAt?.toISOString() ?? null,
    createdAt: campaign.createdAt.toISOString(),
    createdBy: campaign.createdBy,
    updatedAt: campaign.updatedAt.toISOString(),
  };
}
