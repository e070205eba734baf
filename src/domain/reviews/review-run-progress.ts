// A run's progress (docs/ACCESS-REVIEWS.md): its items counted by status, per tenant and per
// reviewer. Each GROUP BY reads its covering index (review_items_run_tenant_idx,
// review_items_run_reviewer_idx), so a run of 10,000 items costs two index walks and no row reads.
// SUPER_ADMIN only: the per-tenant counts name every tenant of the run.
import { count, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ReviewItemStatus, reviewItems, reviewRuns, tenants, users } from "../../db/schema";
import { AppError } from "../../errors";
import { actorRole, type DomainContext } from "../context";

type ReviewRunRow = typeof reviewRuns.$inferSelect;

export type StatusCounts = Record<ReviewItemStatus, number> & { total: number };

export interface RunProgress {
  run: ReviewRunRow;
  totals: StatusCounts;
  byTenant: Array<{ tenantId: string; tenantName: string; counts: StatusCounts }>;
  /** reviewerName: the named user's for "user:<id>", null for "super_admins" and "client_admins". */
  byReviewer: Array<{ reviewerKey: string; reviewerName: string | null; counts: StatusCounts }>;
}

export function assertMaySeeProgress(ctx: Pick<DomainContext, "actor">): void {
  if (actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can see a review's progress." });
  }
}

/** The two GROUP BY statements of a run's progress, for a batch; toRunProgress folds their rows. */
export function selectRunProgress(db: Db, runId: string) {
  return [
    db
      .select({
        tenantId: reviewItems.tenantId,
        status: reviewItems.status,
        n: count(),
        tenantName: sql<string>`(SELECT ${tenants.name} FROM ${tenants} WHERE ${tenants.id} = ${reviewItems.tenantId})`,
      })
      .from(reviewItems)
      .where(eq(reviewItems.runId, runId))
      .groupBy(reviewItems.tenantId, reviewItems.status),
    db
      .select({
        reviewerKey: reviewItems.reviewerKey,
        status: reviewItems.status,
        n: count(),
        reviewerName: sql<string | null>`CASE WHEN ${reviewItems.reviewerKey} LIKE 'user:%' THEN
          (SELECT ${users.displayName} FROM ${users} WHERE ${users.id} = substr(${reviewItems.reviewerKey}, 6)) END`,
      })
      .from(reviewItems)
      .where(eq(reviewItems.runId, runId))
      .groupBy(reviewItems.reviewerKey, reviewItems.status),
  ] as const;
}

type ProgressStatements = ReturnType<typeof selectRunProgress>;
type ProgressRows = [Awaited<ProgressStatements[0]>, Awaited<ProgressStatements[1]>];

function emptyCounts(): StatusCounts {
  return { pending: 0, kept: 0, revoked: 0, ended_elsewhere: 0, total: 0 };
}

function addCount(counts: StatusCounts, status: ReviewItemStatus, n: number): void {
  counts[status] += n;
  counts.total += n;
}

/** GROUP BY (key, status) rows folded into one entry per key with its counts. */
function groupCounts<R extends { status: ReviewItemStatus; n: number }, E>(
  rows: R[],
  keyOf: (row: R) => string,
  entryOf: (row: R) => E,
): Array<E & { counts: StatusCounts }> {
  const entries = new Map<string, E & { counts: StatusCounts }>();
  for (const row of rows) {
    const entry = entries.get(keyOf(row)) ?? { ...entryOf(row), counts: emptyCounts() };
    addCount(entry.counts, row.status, row.n);
    entries.set(keyOf(row), entry);
  }
  return [...entries.values()];
}

export function toRunProgress(run: ReviewRunRow, [tenantRows, reviewerRows]: ProgressRows): RunProgress {
  const totals = emptyCounts();
  for (const row of tenantRows) addCount(totals, row.status, row.n);
  const byTenant = groupCounts(
    tenantRows,
    (row) => row.tenantId,
    (row) => ({ tenantId: row.tenantId, tenantName: row.tenantName }),
  );
  const byReviewer = groupCounts(
    reviewerRows,
    (row) => row.reviewerKey,
    (row) => ({ reviewerKey: row.reviewerKey, reviewerName: row.reviewerName }),
  );
  return {
    run,
    totals,
    byTenant: byTenant.sort((a, b) => a.tenantName.localeCompare(b.tenantName)),
    // The named reviewers by name, then "client_admins" and "super_admins".
    byReviewer: byReviewer.sort(
      (a, b) =>
        Number(a.reviewerName === null) - Number(b.reviewerName === null) ||
        (a.reviewerName ?? a.reviewerKey).localeCompare(b.reviewerName ?? b.reviewerKey),
    ),
  };
}

/** A run with its progress, in one batch; null when there is no such run. */
export async function readRunProgress(
  ctx: Pick<DomainContext, "db" | "actor">,
  runId: string,
): Promise<RunProgress | null> {
  assertMaySeeProgress(ctx);
  const [runRows, ...progressRows] = await ctx.db.batch([
    ctx.db.select().from(reviewRuns).where(eq(reviewRuns.id, runId)).limit(1),
    ...selectRunProgress(ctx.db, runId),
  ]);
  const run = runRows[0];
  return run ? toRunProgress(run, progressRows) : null;
}
