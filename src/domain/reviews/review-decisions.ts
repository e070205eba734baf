// A reviewer's decisions and a client's advice (docs/ACCESS-REVIEWS.md). A person keeps or revokes
// the items authorize() lets them decide, one or many at once with one justification; a keep
// changes nothing on the membership (it never extends an expiry), a revoke ends it as if removed by
// hand, by the campaign (review-revocation.ts), while the decision itself is the person's event.
//
// The items are read once; the writes are one batch whose statements each select their rows again
// by state (still pending, membership still live), so a decision that lost a race to another
// reviewer, the deadline or the membership's end changes nothing; the batch's last statement reads
// the items back, and only those this call decided are reported as decided.
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { jsonList } from "../../db/json-list";
import { reviewItems } from "../../db/schema";
import { AppError, type ErrorCode, fieldError } from "../../errors";
import { authorize, type Principal } from "../access";
import { insertAuditEvent, insertAuditEventsSelect } from "../audit/audit";
import type { DomainContext } from "../context";
import { multiLineTextSchema } from "../text";
import { type ItemSelectionRow, type ReviewItemView, selectItemViews, toItemView } from "./review-items-read";
import { itemStillStandsSql } from "./review-reviewers";
import { campaignActor, queueNoAdminEmails, revokeReviewItemsStatements } from "./review-revocation";

export const reviewJustificationMaximum = 1000;

const justificationSchema = multiLineTextSchema("Justification")
  .max(reviewJustificationMaximum, `Use at most ${reviewJustificationMaximum} characters.`)
  .nullish()
  .transform((value) => value || null);

export const decideItemSchema = z.strictObject({
  decision: z.enum(["keep", "revoke"], "Choose keep or revoke."),
  justification: justificationSchema,
});

/** Bulk: one decision and one justification for up to 500 items. */
export const decideItemsSchema = z.strictObject({
  itemIds: z
    .array(z.string().trim().min(1).max(64))
    .min(1, "Choose at least one item.")
    .max(500, "Decide at most 500 items at once."),
  decision: decideItemSchema.shape.decision,
  justification: justificationSchema,
});
export type DecideItemsInput = z.output<typeof decideItemsSchema>;

export const adviseItemSchema = z.strictObject({
  advice: z.enum(["keep", "revoke"], "Choose keep or revoke."),
  justification: justificationSchema,
});
export type AdviseItemInput = z.output<typeof adviseItemSchema>;

/** Why an item of a decision was left alone. */
export type SkipReason = "not_found" | "forbidden" | "not_pending" | "deadline_passed";

const skipMessages: Record<SkipReason, { code: ErrorCode; detail: string }> = {
  not_found: { code: "NOT_FOUND", detail: "No such review item." },
  forbidden: { code: "FORBIDDEN", detail: "This item is not yours to decide." },
  not_pending: { code: "STATE_CONFLICT", detail: "This item was already decided." },
  deadline_passed: {
    code: "STATE_CONFLICT",
    detail: "The review's deadline has passed: what was still pending is handled as the review says.",
  },
};

export interface DecisionResult {
  /** Kept or revoked by this call, as they are now (a revoke that emptied a tenant is flagged last_client_admin). */
  decided: ReviewItemView[];
  /** Their membership had ended meanwhile: closed as ended_elsewhere instead, which the reviewer is told. */
  endedElsewhere: ReviewItemView[];
  skipped: Array<{ id: string; reason: SkipReason; detail: string }>;
}

function personOf(ctx: DomainContext): Principal {
  if (ctx.actor.kind !== "user") throw new AppError("FORBIDDEN", { detail: "Only a person reviews access." });
  return ctx.actor.principal;
}

/** The items with what a decision needs of their run and tenant, and whether their membership is live now. */
async function readItemsForDecision(ctx: DomainContext, itemIds: readonly string[]) {
  const rows = await selectItemViews(ctx.db, {
    membershipLive: sql<number>`${itemStillStandsSql("review_items", ctx.now)}`.as("membership_live"),
  }).where(inArray(reviewItems.id, jsonList(itemIds)));
  return rows.map((row) => ({ item: toItemView(row), membershipLive: Boolean(row.membershipLive) }));
}
type ItemForDecision = Awaited<ReturnType<typeof readItemsForDecision>>[number];

function refusalOf(
  ctx: DomainContext,
  principal: Principal,
  found: ItemForDecision | undefined,
  access: "decide" | "advise",
) {
  if (!found) return "not_found" as const;
  const decision = authorize(principal, { kind: "review-item", item: found.item, access });
  if (!decision.allowed) return decision.status === 404 ? ("not_found" as const) : ("forbidden" as const);
  if (found.item.status !== "pending") return "not_pending" as const;
  // At the deadline the campaign decides what is still pending (review-deadline.ts), even before
  // the cron has run: a late decision would contradict the review's own rule.
  return found.item.deadlineAt.getTime() <= ctx.now.getTime() ? ("deadline_passed" as const) : null;
}

/** SQL over `ri`: the item is among `ids`, pending, and its membership is live (or, `live` false, not). */
function pendingWithMembership(ids: readonly string[], now: Date, live: boolean): SQL {
  const exists = itemStillStandsSql("ri", now);
  return sql`ri.id IN ${jsonList(ids)} AND ri.status = 'pending' AND ${live ? exists : sql`NOT ${exists}`}`;
}

/** The person's `access_review.item_decided` events for the rows `where` selects (placed before the change). */
function insertDecisionEvents(ctx: DomainContext, where: SQL, decision: string, justification: string | null) {
  return insertAuditEventsSelect(ctx, {
    action: "access_review.item_decided",
    targetType: "review_item",
    targetId: sql`ri.id`,
    targetLabel: sql`ri.member_email || ' in ' || t.slug`,
    tenantId: sql`ri.tenant_id`,
    detailKeys: ["runId", "membershipId", "userId", "decision", "justification"],
    details: sql`json_object('runId', ri.run_id, 'membershipId', ri.membership_id, 'userId', ri.user_id,
      'decision', ${decision}, 'justification', ${justification})`,
    from: sql`FROM review_items AS ri JOIN tenants AS t ON t.id = ri.tenant_id WHERE ${where}`,
  });
}

function keepStatements(ctx: DomainContext, person: Principal, ids: string[], justification: string | null) {
  if (ids.length === 0) return [];
  const where = pendingWithMembership(ids, ctx.now, true);
  return [
    insertDecisionEvents(ctx, where, "keep", justification),
    ctx.db
      .update(reviewItems)
      .set({
        status: "kept",
        decisionSource: "reviewer",
        decidedAt: ctx.now,
        decidedBy: person.user.id,
        decidedByName: person.user.displayName,
        justification,
      })
      .where(sql`${reviewItems.id} IN (SELECT ri.id FROM review_items AS ri WHERE ${where})`),
  ];
}

/** Per run: the person's events, then the campaign's revocation of the same rows (review-revocation.ts). */
function revokeStatements(
  ctx: DomainContext,
  person: Principal,
  items: ItemForDecision[],
  justification: string | null,
) {
  const runs = new Map<string, ItemForDecision[]>();
  for (const found of items) runs.set(found.item.runId, [...(runs.get(found.item.runId) ?? []), found]);
  return [...runs.values()].flatMap((ofRun) => {
    const [first] = ofRun as [ItemForDecision];
    const ids = ofRun.map((found) => found.item.id);
    const run = { id: first.item.runId, campaignId: first.item.campaignId, name: first.item.runName };
    return [
      insertDecisionEvents(ctx, pendingWithMembership(ids, ctx.now, true), "revoke", justification),
      ...revokeReviewItemsStatements(
        { ...ctx, actor: campaignActor(run) },
        {
          runId: run.id,
          itemIds: ids,
          source: "reviewer",
          decidedBy: { id: person.user.id, name: person.user.displayName },
          justification,
        },
      ),
    ];
  });
}

/** Items whose membership ended before the decision: closed as ended_elsewhere (no event: the membership's own says it). */
function endedElsewhereStatement(ctx: DomainContext, ids: string[]): Statement {
  return ctx.db
    .update(reviewItems)
    .set({ status: "ended_elsewhere", decisionSource: "membership_ended", decidedAt: ctx.now })
    .where(
      sql`${reviewItems.id} IN (SELECT ri.id FROM review_items AS ri WHERE ${pendingWithMembership(ids, ctx.now, false)})`,
    );
}

function assertJustified(decision: string, justification: string | null, items: ItemForDecision[]): void {
  if (decision === "keep" && !justification && items.some((found) => found.item.justificationRequired)) {
    throw fieldError("justification", "Say why this access is still needed.");
  }
}

/**
 * Keeps or revokes the items the person may decide; the others are reported as skipped (not
 * found, not theirs, no longer pending). One read, one batch, then the no-admin emails when a
 * revoke removed a tenant's last client admin.
 */
export async function decideReviewItems(ctx: DomainContext, input: DecideItemsInput): Promise<DecisionResult> {
  const person = personOf(ctx);
  const ids = [...new Set(input.itemIds)];
  const found = new Map((await readItemsForDecision(ctx, ids)).map((row) => [row.item.id, row]));
  const skipped: DecisionResult["skipped"] = [];
  const candidates: ItemForDecision[] = [];
  for (const id of ids) {
    const reason = refusalOf(ctx, person, found.get(id), "decide");
    if (reason) skipped.push({ id, reason, detail: skipMessages[reason].detail });
    else candidates.push(found.get(id) as ItemForDecision);
  }
  if (candidates.length === 0) return { decided: [], endedElsewhere: [], skipped };
  const live = candidates.filter((row) => row.membershipLive);
  assertJustified(input.decision, input.justification, live);
  const candidateIds = candidates.map((row) => row.item.id);
  const results = await runBatch(ctx.db, [
    ...(input.decision === "keep"
      ? keepStatements(
          ctx,
          person,
          live.map((row) => row.item.id),
          input.justification,
        )
      : revokeStatements(ctx, person, live, input.justification)),
    // Every candidate the decision could not take because its membership ended (before the read or since).
    endedElsewhereStatement(ctx, candidateIds),
    selectItemViews(ctx.db).where(inArray(reviewItems.id, jsonList(candidateIds))),
  ]);
  const after = (results.at(-1) as ItemSelectionRow[]).map(toItemView);
  const result: DecisionResult = { decided: [], endedElsewhere: [], skipped };
  const now = ctx.now.getTime();
  for (const item of after) {
    const byThisCall = item.decidedAt?.getTime() === now;
    if (byThisCall && item.decisionSource === "reviewer" && item.decidedBy === person.user.id)
      result.decided.push(item);
    else if (byThisCall && item.status === "ended_elsewhere") result.endedElsewhere.push(item);
    else skipped.push({ id: item.id, reason: "not_pending", detail: skipMessages.not_pending.detail });
  }
  await emailIfTenantLeftWithoutAdmin(ctx, result.decided);
  return result;
}

async function emailIfTenantLeftWithoutAdmin(ctx: DomainContext, decided: ReviewItemView[]): Promise<void> {
  const runs = new Map<string, { id: string; name: string }>();
  for (const item of decided) {
    if (item.flag !== "last_client_admin") continue;
    runs.set(item.runId, { id: item.runId, name: item.runName });
  }
  for (const run of runs.values()) await queueNoAdminEmails(ctx, run);
}

/**
 * One item's decision (a page's form, the API's POST …/:id/decision): refused as authorize() and
 * the item's state say (404, 403, 409); an item whose membership had ended comes back ended_elsewhere.
 */
export async function decideReviewItem(
  ctx: DomainContext,
  itemId: string,
  input: z.output<typeof decideItemSchema>,
): Promise<ReviewItemView> {
  const result = await decideReviewItems(ctx, { ...input, itemIds: [itemId] });
  const item = result.decided[0] ?? result.endedElsewhere[0];
  if (item) return item;
  const skip = result.skipped[0] ?? { reason: "not_found" as const };
  const { code, detail } = skipMessages[skip.reason];
  throw new AppError(code, { detail });
}

/**
 * A CLIENT_ADMIN's advice on a staff item the run lets them advise on: once per item, while it is
 * pending. It changes nothing but the item; the reviewer sees it beside the item.
 */
export async function adviseReviewItem(
  ctx: DomainContext,
  itemId: string,
  input: AdviseItemInput,
): Promise<ReviewItemView> {
  const person = personOf(ctx);
  const [found] = await readItemsForDecision(ctx, [itemId]);
  const reason = refusalOf(ctx, person, found, "advise");
  if (reason || !found) {
    const { code, detail } = skipMessages[reason ?? "not_found"];
    throw new AppError(code, { detail: reason === "forbidden" ? "This item is not yours to advise on." : detail });
  }
  if (found.item.advice) throw adviceGiven();
  assertJustified(input.advice, input.justification, [found]);
  const advice = {
    advice: input.advice,
    adviceJustification: input.justification,
    advisedBy: person.user.id,
    advisedByName: person.user.displayName,
    advisedAt: ctx.now,
  };
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(reviewItems)
        .set(advice)
        .where(and(eq(reviewItems.id, itemId), eq(reviewItems.status, "pending"), sql`${reviewItems.advice} IS NULL`)),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "access_review.advice_given",
        target: { type: "review_item", id: itemId, label: `${found.item.memberEmail} in ${found.item.tenantSlug}` },
        tenantId: found.item.tenantId,
        details: {
          runId: found.item.runId,
          membershipId: found.item.membershipId,
          userId: found.item.userId,
          advice: input.advice,
          justification: input.justification,
        },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw adviceGiven();
    throw error;
  }
  return { ...found.item, ...advice };
}

function adviceGiven(): AppError {
  return new AppError("STATE_CONFLICT", {
    detail: "Advice on this item was already given, or it was decided meanwhile.",
  });
}
