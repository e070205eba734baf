// Access reviews as the console's tests and budget rows need them, written as plain rows (the run's
// own opening is tested in test/jobs/access-reviews.test.ts): a campaign, one run of it and any number
// of items, 10,000 in one INSERT … SELECT over a counter. Closing goes through the real job step.
import { env } from "cloudflare:test";
import { closeFinishedRuns } from "../../src/domain/reviews/review-runs";
import type { TestClock } from "./clock";
import { testContext } from "./factories";

export interface SeededRun {
  campaignId: string;
  runId: string;
}

export interface SeedItems {
  tenantId: string;
  count: number;
  /** "pending" (the default), or decided by a reviewer ("kept"/"revoked"). */
  status?: "pending" | "kept" | "revoked";
  reviewerKey?: string;
  kind?: "staff" | "client";
  /** The member of every item; defaults to one made-up user per item. */
  userId?: string;
}

function uniqueSuffix(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** A quarterly campaign over every tenant and one open run of it, opened now with a 14-day deadline. */
export async function seedReviewRun(clock: TestClock, name = "Quarterly access review"): Promise<SeededRun> {
  const suffix = uniqueSuffix();
  const campaignId = `rvc_seed_${suffix}`;
  const runId = `rvr_seed_${suffix}`;
  const now = clock.now().getTime();
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO review_campaigns (id, name, all_tenants, membership_kinds, cadence, duration_days, client_say_on_staff,
        justification_required, deadline_action, inactive_after_days, starts_at, next_run_at, created_at, updated_at)
       VALUES (?, ?, 1, 'both', 'quarterly', 14, 'advisory', 1, 'revoke', 30, ?, ?, ?, ?)`,
    ).bind(campaignId, name, now, now + 90 * 86_400_000, now, now),
    env.DB.prepare(
      `INSERT INTO review_runs (id, campaign_id, due_at, opened_at, deadline_at, name, membership_kinds, client_say_on_staff,
        justification_required, deadline_action, inactive_after_days, item_count)
       VALUES (?, ?, ?, ?, ?, ?, 'both', 'advisory', 1, 'revoke', 30, 0)`,
    ).bind(runId, campaignId, now, now, now + 14 * 86_400_000, name),
  ]);
  return { campaignId, runId };
}

/** `count` items in the run (one statement), each for its own made-up membership; returns their ids' prefix. */
export async function seedReviewItems(clock: TestClock, run: SeededRun, items: SeedItems): Promise<string> {
  const prefix = `rvi_${uniqueSuffix()}`;
  if (items.count <= 0) return prefix;
  const now = clock.now().getTime();
  const status = items.status ?? "pending";
  const decided = status !== "pending";
  const kind = items.kind ?? "client";
  await env.DB.batch([
    env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO review_items (id, run_id, tenant_id, membership_id, user_id, member_name, member_email, membership_kind,
         role, expires_at, granted_by, member_last_login_at, recommend_revoke, reviewer_key, client_may_advise, status,
         decision_source, decided_at, decided_by, decided_by_name, justification)
       SELECT ? || '_' || printf('%05d', i), ?, ?, ? || '_m' || i, coalesce(?, ? || '_u' || i), 'Member ' || i,
         'member' || i || '.' || ? || '@example.test', ?, ?, NULL, NULL, ?, i % 3 = 0, ?, ?, ?,
         ?, ?, ?, ?, ?
       FROM n`,
    ).bind(
      items.count,
      prefix,
      run.runId,
      items.tenantId,
      prefix,
      items.userId ?? null,
      prefix,
      prefix,
      kind,
      kind === "client" ? "CLIENT_VIEWER" : "OPERATOR_READONLY",
      now - 40 * 86_400_000,
      items.reviewerKey ?? "super_admins",
      kind === "staff" ? 1 : 0,
      status,
      decided ? "reviewer" : null,
      decided ? now : null,
      decided ? "usr_seed_reviewer" : null,
      decided ? "Rita Reviewer" : null,
      decided ? "Still works on this account." : null,
    ),
    env.DB.prepare("UPDATE review_runs SET item_count = item_count + ? WHERE id = ?").bind(items.count, run.runId),
  ]);
  return prefix;
}

/** Closes the run the way the cron does (access_review.closed by the campaign); every item must be decided. */
export async function closeSeededRuns(clock: TestClock): Promise<void> {
  await closeFinishedRuns(testContext(clock));
}

/** One pending item for a real membership (so deciding it revokes or keeps that membership). */
export async function seedReviewItemFor(
  run: SeededRun,
  membership: { id: string; userId: string; tenantId: string; role: string },
  reviewerKey = "super_admins",
): Promise<string> {
  const itemId = `rvi_${uniqueSuffix()}`;
  const kind = membership.role.startsWith("CLIENT_") ? "client" : "staff";
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO review_items (id, run_id, tenant_id, membership_id, user_id, member_name, member_email, membership_kind,
         role, recommend_revoke, reviewer_key, client_may_advise, status)
       SELECT ?, ?, ?, ?, id, display_name, email, ?, ?, 0, ?, 0, 'pending' FROM users WHERE id = ?`,
    ).bind(
      itemId,
      run.runId,
      membership.tenantId,
      membership.id,
      kind,
      membership.role,
      reviewerKey,
      membership.userId,
    ),
    env.DB.prepare("UPDATE review_runs SET item_count = item_count + 1 WHERE id = ?").bind(run.runId),
  ]);
  return itemId;
}
