// Outbox delivery on the cron (docs/PRODUCT.md §7): claim due rows, send, then mark them sent, schedule a
// retry with exponential back-off, or give up (status `failed`, shown on the Outbox page).
//
// Model: claiming is ONE conditional UPDATE … RETURNING over a bounded subquery of due rows. It
// sets status `sending`, counts the attempt and moves next_attempt_at one lease ahead, so an
// overlapping run's claim (a separate, serialized statement) no longer matches those rows: no row
// is sent twice by two runs. Follow-up writes are conditional on the claim (status `sending` and
// the same attempt number). A run that dies mid-send leaves rows `sending`; after the lease they
// are due again and retried first, before newer mail (at-least-once; the HTTP provider's
// Idempotency-Key dedupes that case).
//
// No stale invite: the claim runs in one batch after `supersedeStaleSetupLinkEmails`, which marks
// a due setup-link email `superseded` when its link is no longer the user's live one (a new link,
// completed setup, deactivation, erasure), so a claimed setup-link email carries a working link.
// The batches that change a link mark the pending ones first (`supersedeSetupLinkEmails`).
import { addSeconds } from "date-fns";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { outbox } from "../db/schema";
import type { DomainContext } from "../domain/context";
import { supersedeStaleSetupLinkEmails } from "../domain/outbox";
import { writeLog } from "../log";
import { EmailDeliveryError, type EmailProvider, maskSetupTokens } from "./email-providers";

type DeliveryContext = Pick<DomainContext, "db" | "now">;
type ClaimedMessage = typeof outbox.$inferSelect;

export const maxDeliveryAttempts = 8;
export const deliveryBatchSize = 25;
// Longer than a whole run can take (25 sends × 10 s timeout), so a live run never loses its claim.
export const deliveryLeaseSeconds = 900;
const firstRetryDelaySeconds = 300;
const maxRetryDelaySeconds = 6 * 3600;
const lastErrorMaxLength = 500;

export interface DeliveryResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

/** 5, 10, 20, 40, 80, 160, 320 minutes after attempts 1..7 (capped at 6 hours); attempt 8 gives up. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(firstRetryDelaySeconds * 2 ** Math.max(0, attempts - 1), maxRetryDelaySeconds);
}

// A row still `sending` when its lease is over was claimed by a run that died: it has waited
// longest (its lease pushed next_attempt_at 15 minutes on), so it goes before any `pending` row.
const strandedFirst = sql`CASE ${outbox.status} WHEN 'sending' THEN 0 ELSE 1 END`;

export async function claimDueMessages(ctx: DeliveryContext, limit = deliveryBatchSize): Promise<ClaimedMessage[]> {
  const isDue = and(inArray(outbox.status, ["pending", "sending"]), lte(outbox.nextAttemptAt, ctx.now));
  const dueIds = ctx.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(isDue)
    .orderBy(strandedFirst, asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(limit);
  const [, claimed] = await ctx.db.batch([
    supersedeStaleSetupLinkEmails(ctx.db, ctx.now),
    ctx.db
      .update(outbox)
      .set({
        status: "sending",
        attempts: sql`${outbox.attempts} + 1`,
        nextAttemptAt: addSeconds(ctx.now, deliveryLeaseSeconds),
      })
      .where(and(inArray(outbox.id, dueIds), isDue))
      .returning(),
  ]);
  return claimed;
}

function stillClaimed(message: ClaimedMessage) {
  return and(eq(outbox.id, message.id), eq(outbox.status, "sending"), eq(outbox.attempts, message.attempts));
}

function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return maskSetupTokens(text).slice(0, lastErrorMaxLength);
}

async function recordFailure(
  ctx: DeliveryContext,
  message: ClaimedMessage,
  error: unknown,
): Promise<"retried" | "failed"> {
  const permanent = error instanceof EmailDeliveryError && error.permanent;
  const giveUp = permanent || message.attempts >= maxDeliveryAttempts;
  await ctx.db
    .update(outbox)
    .set({
      status: giveUp ? "failed" : "pending",
      lastError: describeFailure(error),
      nextAttemptAt: giveUp ? ctx.now : addSeconds(ctx.now, retryDelaySeconds(message.attempts)),
    })
    .where(stillClaimed(message));
  if (giveUp) writeLog("error", "email_failed", { id: message.id, kind: message.kind, attempts: message.attempts });
  return giveUp ? "failed" : "retried";
}

export async function deliverOutbox(
  ctx: DeliveryContext,
  provider: EmailProvider,
  options: { limit?: number } = {},
): Promise<DeliveryResult> {
  const claimed = await claimDueMessages(ctx, options.limit);
  const result: DeliveryResult = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
  for (const message of claimed) {
    try {
      await provider.send({
        id: message.id,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
      });
    } catch (error) {
      result[await recordFailure(ctx, message, error)] += 1;
      continue;
    }
    await ctx.db.update(outbox).set({ status: "sent", sentAt: ctx.now }).where(stillClaimed(message));
    result.sent += 1;
  }
  return result;
}
