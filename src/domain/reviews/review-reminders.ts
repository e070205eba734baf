// Reminders to reviewers (docs/ACCESS-REVIEWS.md "Reminders"): per open run and per person who may
// decide at least one of its pending items, at three stages — 'start' (the opening), '7d' and '1d'
// (before the deadline). A cron run sends only the latest stage whose time has come, so a skipped
// cron never sends a stale one; a stage that fell before the opening (a short review) is skipped,
// except 'start'. Each email's outbox dedupe_key is `review:<runId>:<userId>:<stage>` (unique): a
// repeated or overlapping run queues nothing twice, and the query leaves out who already has it.
// Advisers are not reminded; nobody with nothing pending gets one.
import { subDays } from "date-fns";
import { and, asc, gt, isNull, lte, sql } from "drizzle-orm";
import { runBatch } from "../../db/batch";
import { insertInChunks } from "../../db/chunked-insert";
import { countAffectedRows } from "../../db/client";
import { outbox, reviewRuns } from "../../db/schema";
import type { DomainContext } from "../context";
import { buildReviewReminderEmail, type ReviewReminderStage } from "../emails";
import { buildOutboxRow } from "../outbox";
import { reviewerPersonsSql } from "./review-reviewers";

type ReminderContext = Pick<DomainContext, "db" | "now" | "config">;

/** Recipients read (and emails queued) per round; a run goes on while rounds come back full. */
const reminderRoundSize = 200;
const reminderMaxRounds = 20;

interface ReminderRun {
  id: string;
  name: string;
  openedAt: Date;
  deadlineAt: Date;
}

/** The stage due now: the latest whose time has come, stages before the opening skipped (but 'start'). */
export function dueReminderStage(run: Pick<ReminderRun, "openedAt" | "deadlineAt">, now: Date): ReviewReminderStage {
  const stages: Array<[ReviewReminderStage, Date]> = [
    ["start", run.openedAt],
    ["7d", subDays(run.deadlineAt, 7)],
    ["1d", subDays(run.deadlineAt, 1)],
  ];
  const due = stages.filter(
    ([stage, at]) => at.getTime() <= now.getTime() && (stage === "start" || at.getTime() >= run.openedAt.getTime()),
  );
  return due.at(-1)?.[0] ?? "start";
}

interface Recipient {
  userId: string;
  email: string;
  firstName: string;
  timeZone: string;
  role: string;
  pending: number;
  tenants: number;
  tenantSlug: string;
}

/** One round: reviewers of the run's pending items who have not had this stage's email, with their counts. */
function selectRecipients(ctx: ReminderContext, run: ReminderRun, stage: ReviewReminderStage) {
  const items = sql`(SELECT * FROM review_items WHERE run_id = ${run.id} AND status = 'pending') AS ri`;
  return ctx.db.all<Recipient>(sql`SELECT p.user_id AS userId, u.email AS email, u.first_name AS firstName,
      u.time_zone AS timeZone, u.role AS role, count(*) AS pending, count(DISTINCT p.tenant_id) AS tenants,
      min(t.slug) AS tenantSlug
    FROM (${reviewerPersonsSql(ctx.now, items)}) AS p
      JOIN users AS u ON u.id = p.user_id JOIN tenants AS t ON t.id = p.tenant_id
    WHERE NOT EXISTS (SELECT 1 FROM outbox
      WHERE outbox.dedupe_key = 'review:' || ${run.id} || ':' || p.user_id || ':' || ${stage})
    GROUP BY p.user_id ORDER BY p.user_id LIMIT ${reminderRoundSize}`);
}

/** Staff decide in the console; a client admin in the portal (their tenant's page, or the portal's choice of tenants). */
function reviewUrl(ctx: ReminderContext, run: ReminderRun, recipient: Recipient): string {
  const origin = ctx.config.APP_ORIGIN;
  if (recipient.role !== "CLIENT_USER") return `${origin}/admin/reviews/runs/${encodeURIComponent(run.id)}`;
  return recipient.tenants === 1
    ? `${origin}/portal/${encodeURIComponent(recipient.tenantSlug)}/reviews`
    : `${origin}/portal`;
}

async function queueReminderRound(ctx: ReminderContext, run: ReminderRun, stage: ReviewReminderStage) {
  const recipients = await selectRecipients(ctx, run, stage);
  const rows = await Promise.all(
    recipients.map(async (recipient) => {
      const message = await buildReviewReminderEmail({
        appName: ctx.config.APP_NAME,
        to: recipient.email,
        recipientName: recipient.firstName,
        timeZone: recipient.timeZone,
        run,
        pending: Number(recipient.pending),
        url: reviewUrl(ctx, run, recipient),
        stage,
        now: ctx.now,
      });
      const dedupeKey = `review:${run.id}:${recipient.userId}:${stage}`;
      return buildOutboxRow(message, ctx.now, { userId: recipient.userId, dedupeKey });
    }),
  );
  const results = await runBatch(ctx.db, insertInChunks(ctx.db, outbox, rows, { skipExisting: true }));
  return { read: recipients.length, queued: results.reduce<number>((sum, r) => sum + countAffectedRows(r), 0) };
}

/** Queues the reminders due now for every open run before its deadline; returns how many were queued. */
export async function queueReviewReminders(ctx: ReminderContext): Promise<{ queued: number; complete: boolean }> {
  const runs = await ctx.db
    .select({
      id: reviewRuns.id,
      name: reviewRuns.name,
      openedAt: reviewRuns.openedAt,
      deadlineAt: reviewRuns.deadlineAt,
    })
    .from(reviewRuns)
    .where(and(isNull(reviewRuns.closedAt), gt(reviewRuns.deadlineAt, ctx.now), lte(reviewRuns.openedAt, ctx.now)))
    .orderBy(asc(reviewRuns.deadlineAt), asc(reviewRuns.id));
  let queued = 0;
  let rounds = 0;
  for (const run of runs) {
    const stage = dueReminderStage(run, ctx.now);
    for (let read = reminderRoundSize; read === reminderRoundSize; ) {
      if (rounds++ >= reminderMaxRounds) return { queued, complete: false };
      const round = await queueReminderRound(ctx, run, stage);
      read = round.read;
      queued += round.queued;
    }
  }
  return { queued, complete: true };
}
