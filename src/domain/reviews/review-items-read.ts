// Reading access reviews (docs/ACCESS-REVIEWS.md): a run, its progress, its items page by page, and
// what one person has to review. `reviewableBy` is the SQL twin of access.ts#decideReviewItem: the
// listing of "items this person may decide (or advise on)" must never show an item authorize()
// would refuse them, nor hide one it allows (test/domain/reviews/review-decisions.test.ts).
import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { jsonList } from "../../db/json-list";
import { type ReviewItemStatus, reviewItemStatuses, reviewItems, reviewRuns, tenants } from "../../db/schema";
import { AppError } from "../../errors";
import { authorize, grantorReviewPermission, isStaffRole, type Principal } from "../access";
import { actorRole, type DomainContext } from "../context";
import { decodeTextCursor, encodeTextCursor, type Page, toPage } from "../pagination";
import { assertMaySeeProgress, type RunProgress, selectRunProgress, toRunProgress } from "./review-run-progress";

export { type RunProgress, readRunProgress, type StatusCounts } from "./review-run-progress";

export type ReviewItemRow = typeof reviewItems.$inferSelect;
export type ReviewRunRow = typeof reviewRuns.$inferSelect;

/** Deciding an item, advising on one, or either. */
export type ReviewAccess = "decide" | "advise" | "any";

function clientAdminTenantIds(principal: Principal): string[] {
  return principal.memberships.filter((m) => m.role === "CLIENT_ADMIN").map((m) => m.tenantId);
}

/** The reviewer keys a person answers to, beside the tenants they are CLIENT_ADMIN of. */
function reviewerKeysOf(principal: Principal): string[] {
  const role = principal.user.role;
  const keys: string[] = [];
  if (isStaffRole(role) && principal.permissions.has(grantorReviewPermission)) keys.push(`user:${principal.user.id}`);
  if (role === "SUPER_ADMIN") keys.push("super_admins");
  return keys;
}

// A few values bound one by one, so that one of them reads as an equality on the index; more as one JSON list.
function inList(column: SQLiteColumn, values: string[]): SQL {
  return values.length <= 20 ? (inArray(column, values) as SQL) : sql`${column} IN ${jsonList(values)}`;
}

/**
 * SQL over `review_items`: the items this person may decide (or advise on), as decideReviewItem
 * says: never their own; decide as the named user (staff), any SUPER_ADMIN, or a CLIENT_ADMIN
 * (client user) of the item's tenant; advise as a CLIENT_ADMIN of the tenant where the item allows it.
 * Spelled so that each part leads with a column of a run's index: the reviewer keys
 * (review_items_run_reviewer_idx) or the client admin's tenants (review_items_run_tenant_idx).
 */
export function reviewableBy(principal: Principal, access: ReviewAccess = "decide"): SQL {
  const keys = access === "advise" ? [] : reviewerKeysOf(principal);
  const adminTenants = clientAdminTenantIds(principal);
  const asClient: SQL[] = [];
  if (access !== "advise" && principal.user.role === "CLIENT_USER")
    asClient.push(sql`${reviewItems.reviewerKey} = 'client_admins'`);
  if (access !== "decide") asClient.push(sql`${reviewItems.clientMayAdvise} = 1`);
  const parts: SQL[] = [];
  if (keys.length > 0) parts.push(inArray(reviewItems.reviewerKey, keys));
  if (adminTenants.length > 0 && asClient.length > 0) {
    parts.push(sql`(${inList(reviewItems.tenantId, adminTenants)} AND (${sql.join(asClient, sql` OR `)}))`);
  }
  if (parts.length === 0) return sql`0`;
  return sql`(${reviewItems.userId} <> ${principal.user.id} AND (${sql.join(parts, sql` OR `)}))`;
}

// Columns of the joined tables carry names of their own: a D1 batch cannot tell apart two columns of one name.
const itemSelection = {
  item: reviewItems,
  runName: sql<string>`${reviewRuns.name}`.as("run_name"),
  campaignId: sql<string>`${reviewRuns.campaignId}`.as("run_campaign_id"),
  deadlineAt: sql<number>`${reviewRuns.deadlineAt}`.as("run_deadline_at"),
  runClosedAt: sql<number | null>`${reviewRuns.closedAt}`.as("run_closed_at"),
  justificationRequired: sql<number>`${reviewRuns.justificationRequired}`.as("run_justification_required"),
  tenantName: sql<string>`${tenants.name}`.as("tenant_name"),
  tenantSlug: sql<string>`${tenants.slug}`.as("tenant_slug"),
};

/** An item with what its pages and the API show beside it: its run and its tenant. */
export interface ReviewItemView extends ReviewItemRow {
  runName: string;
  campaignId: string;
  deadlineAt: Date;
  runClosedAt: Date | null;
  justificationRequired: boolean;
  tenantName: string;
  tenantSlug: string;
}

export type ItemSelectionRow = { item: ReviewItemRow; runName: string; campaignId: string } & {
  deadlineAt: number;
  runClosedAt: number | null;
  justificationRequired: number;
  tenantName: string;
  tenantSlug: string;
};

export function toItemView(row: ItemSelectionRow): ReviewItemView {
  return {
    ...row.item,
    runName: row.runName,
    campaignId: row.campaignId,
    deadlineAt: new Date(Number(row.deadlineAt)),
    runClosedAt: row.runClosedAt === null ? null : new Date(Number(row.runClosedAt)),
    justificationRequired: Boolean(row.justificationRequired),
    tenantName: row.tenantName,
    tenantSlug: row.tenantSlug,
  };
}

/** Items with their run and tenant (rows for toItemView), and any `extra` columns: for a batch. */
export function selectItemViews<E extends Record<string, SQL.Aliased>>(db: Db, extra?: E) {
  return db
    .select({ ...itemSelection, ...(extra as E) })
    .from(reviewItems)
    .innerJoin(reviewRuns, eq(reviewRuns.id, reviewItems.runId))
    .innerJoin(tenants, eq(tenants.id, reviewItems.tenantId));
}

export type ReviewItemsScope = { kind: "all" } | { kind: "reviewer"; principal: Principal; access?: ReviewAccess };

export interface ListReviewItemsQuery {
  /** Without a run: the items of every open run. */
  runId?: string | undefined;
  tenantId?: string | undefined;
  status?: ReviewItemStatus | undefined;
  scope: ReviewItemsScope;
  cursor?: string | undefined;
  limit: number;
}

function decodeItemsCursor(value: string | undefined): { runId: string; status: string; id: string } | null {
  const cursor = decodeTextCursor(value);
  if (!cursor) return null;
  const [runId, status] = cursor.key.split("/");
  if (!runId || !/^[A-Za-z0-9_]{1,64}$/.test(runId) || !reviewItemStatuses.includes(status as ReviewItemStatus)) {
    throw new AppError("VALIDATION_FAILED", {
      fieldErrors: [{ field: "cursor", message: "This cursor is not valid." }],
    });
  }
  return { runId, status: status as ReviewItemStatus, id: cursor.id };
}

/**
 * A page of items in (run, status, id) order, the order of the run's indexes (a status or a tenant
 * narrows the range, never the order): the query (limit + 1 rows), for a batch. `all` is every
 * item (SUPER_ADMIN); `reviewer` those the person may decide (default) or advise on.
 */
export function selectReviewItemsPage(ctx: Pick<DomainContext, "db" | "actor">, query: ListReviewItemsQuery) {
  if (query.scope.kind === "all" && actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can see every review item." });
  }
  const cursor = decodeItemsCursor(query.cursor);
  const conditions: SQL[] = [
    query.runId
      ? eq(reviewItems.runId, query.runId)
      : inArray(
          reviewItems.runId,
          ctx.db.select({ id: reviewRuns.id }).from(reviewRuns).where(isNull(reviewRuns.closedAt)),
        ),
  ];
  if (query.tenantId) conditions.push(eq(reviewItems.tenantId, query.tenantId));
  if (query.status) conditions.push(eq(reviewItems.status, query.status));
  if (query.scope.kind === "reviewer") conditions.push(reviewableBy(query.scope.principal, query.scope.access));
  if (cursor) {
    conditions.push(
      sql`(${reviewItems.runId}, ${reviewItems.status}, ${reviewItems.id}) > (${cursor.runId}, ${cursor.status}, ${cursor.id})`,
    );
  }
  return selectItemViews(ctx.db)
    .where(and(...conditions))
    .orderBy(asc(reviewItems.runId), asc(reviewItems.status), asc(reviewItems.id))
    .limit(query.limit + 1);
}

export function toReviewItemsPage(rows: ItemSelectionRow[], limit: number): Page<ReviewItemView> {
  return toPage(rows.map(toItemView), limit, (item) =>
    encodeTextCursor({ key: `${item.runId}/${item.status}`, id: item.id }),
  );
}

export async function listReviewItems(
  ctx: Pick<DomainContext, "db" | "actor">,
  query: ListReviewItemsQuery,
): Promise<Page<ReviewItemView>> {
  return toReviewItemsPage(await selectReviewItemsPage(ctx, query), query.limit);
}

/**
 * One item, for a SUPER_ADMIN or for someone who may decide or advise on it; anyone else is refused
 * as authorize() refuses them (404 when they may not know the tenant, 403 otherwise).
 */
export async function readReviewItem(ctx: Pick<DomainContext, "db" | "actor">, id: string): Promise<ReviewItemView> {
  const [row] = await selectItemViews(ctx.db).where(eq(reviewItems.id, id)).limit(1);
  if (!row) throw new AppError("NOT_FOUND", { detail: "No such review item." });
  const item = toItemView(row);
  if (actorRole(ctx.actor) === "SUPER_ADMIN") return item;
  if (ctx.actor.kind !== "user") throw new AppError("NOT_FOUND", { detail: "No such review item." });
  const decide = authorize(ctx.actor.principal, { kind: "review-item", item, access: "decide" });
  const advise = authorize(ctx.actor.principal, { kind: "review-item", item, access: "advise" });
  if (decide.allowed || advise.allowed) return item;
  const status = decide.status === 404 ? "NOT_FOUND" : "FORBIDDEN";
  throw new AppError(status, {
    detail: status === "NOT_FOUND" ? "No such review item." : "This item is not yours to review.",
  });
}

export async function readRun(ctx: Pick<DomainContext, "db">, runId: string): Promise<ReviewRunRow | null> {
  const [run] = await ctx.db.select().from(reviewRuns).where(eq(reviewRuns.id, runId)).limit(1);
  return run ?? null;
}

export interface RunPage {
  run: ReviewRunRow;
  /** Counts per tenant and per reviewer, when asked for (SUPER_ADMIN only). */
  progress: RunProgress | null;
  items: Page<ReviewItemView>;
}

/**
 * A run's page in one batch: the run, a page of its items and, for a SUPER_ADMIN who asks, its
 * progress. Null when there is no such run.
 */
export async function readRunPage(
  ctx: Pick<DomainContext, "db" | "actor">,
  runId: string,
  items: Omit<ListReviewItemsQuery, "runId">,
  options: { progress: boolean },
): Promise<RunPage | null> {
  if (options.progress) assertMaySeeProgress(ctx);
  const query = { ...items, runId };
  const selectRun = ctx.db.select().from(reviewRuns).where(eq(reviewRuns.id, runId)).limit(1);
  const [runRows, itemRows, ...progressRows] = options.progress
    ? await ctx.db.batch([selectRun, selectReviewItemsPage(ctx, query), ...selectRunProgress(ctx.db, runId)])
    : await ctx.db.batch([selectRun, selectReviewItemsPage(ctx, query)]);
  const run = runRows[0];
  if (!run) return null;
  const [tenantRows, reviewerRows] = progressRows;
  return {
    run,
    progress: tenantRows && reviewerRows ? toRunProgress(run, [tenantRows, reviewerRows]) : null,
    items: toReviewItemsPage(itemRows, items.limit),
  };
}

export interface OpenRunForReviewer {
  run: ReviewRunRow;
  /** Pending items this person may decide. */
  toDecide: number;
  /** Pending items this person may still advise on (no advice given yet). */
  toAdvise: number;
}

/** The open runs with pending items this person may decide or advise on, deadline first, with those counts: for a batch. */
export function selectOpenRunsFor(db: Db, principal: Principal) {
  const decide = reviewableBy(principal, "decide");
  const advise = sql`(${reviewableBy(principal, "advise")} AND ${reviewItems.advice} IS NULL)`;
  const openRunIds = db.select({ id: reviewRuns.id }).from(reviewRuns).where(isNull(reviewRuns.closedAt));
  return (
    db
      .select({
        run: reviewRuns,
        toDecide: sql<number>`sum(CASE WHEN ${decide} THEN 1 ELSE 0 END)`.as("to_decide"),
        toAdvise: sql<number>`sum(CASE WHEN ${advise} THEN 1 ELSE 0 END)`.as("to_advise"),
      })
      .from(reviewItems)
      .innerJoin(reviewRuns, eq(reviewRuns.id, reviewItems.runId))
      // One condition in the index's terms (reviewableBy), not the two counts' OR, which SQLite would not search by.
      .where(
        and(inArray(reviewItems.runId, openRunIds), eq(reviewItems.status, "pending"), reviewableBy(principal, "any")),
      )
      .groupBy(reviewItems.runId)
      .having(sql`to_decide > 0 OR to_advise > 0`)
      .orderBy(asc(reviewRuns.deadlineAt), asc(reviewRuns.id))
  );
}

export async function listOpenRunsFor(
  ctx: Pick<DomainContext, "db">,
  principal: Principal,
): Promise<OpenRunForReviewer[]> {
  const rows = await selectOpenRunsFor(ctx.db, principal);
  return rows.map((row) => ({ run: row.run, toDecide: Number(row.toDecide), toAdvise: Number(row.toAdvise) }));
}

export function toReviewRunDto(run: ReviewRunRow) {
  return {
    id: run.id,
    campaignId: run.campaignId,
    name: run.name,
    dueAt: run.dueAt.toISOString(),
    openedAt: run.openedAt.toISOString(),
    deadlineAt: run.deadlineAt.toISOString(),
    closedAt: run.closedAt?.toISOString() ?? null,
    membershipKinds: run.membershipKinds,
    clientSayOnStaff: run.clientSayOnStaff,
    justificationRequired: run.justificationRequired,
    deadlineAction: run.deadlineAction,
    inactiveAfterDays: run.inactiveAfterDays,
    itemCount: run.itemCount,
  };
}

export function toReviewItemDto(item: ReviewItemView) {
  const iso = (value: Date | null) => value?.toISOString() ?? null;
  return {
    id: item.id,
    runId: item.runId,
    runName: item.runName,
    deadlineAt: item.deadlineAt.toISOString(),
    tenant: { id: item.tenantId, name: item.tenantName, slug: item.tenantSlug },
    membershipId: item.membershipId,
    member: {
      id: item.userId,
      name: item.memberName,
      email: item.memberEmail,
      lastLoginAt: iso(item.memberLastLoginAt),
    },
    membershipKind: item.membershipKind,
    role: item.role,
    expiresAt: iso(item.expiresAt),
    grantedBy: item.grantedBy,
    recommendRevoke: item.recommendRevoke,
    reviewerKey: item.reviewerKey,
    clientMayAdvise: item.clientMayAdvise,
    status: item.status,
    decisionSource: item.decisionSource,
    decidedAt: iso(item.decidedAt),
    decidedBy: item.decidedBy ? { id: item.decidedBy, name: item.decidedByName } : null,
    justification: item.justification,
    flag: item.flag,
    advice: item.advice
      ? {
          advice: item.advice,
          justification: item.adviceJustification,
          by: { id: item.advisedBy, name: item.advisedByName },
          at: iso(item.advisedAt),
        }
      : null,
  };
}
