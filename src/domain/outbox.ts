// Outbound email goes through the outbox table (docs/PRODUCT.md §7): queueing is a row written in the same
// batch as the change that caused it, so a mail is never lost and never blocks the change.
// Delivery happens later, on the cron (jobs/deliver-outbox.ts). This module also reads the outbox
// for the Outbox page and for a user's invite delivery state.

import { and, count, desc, eq, inArray, isNotNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../auth/crypto";
import type { Db } from "../db/client";
import { outbox, users } from "../db/schema";
import type { DomainContext } from "./context";
import type { EmailMessage } from "./emails";
import { decodeCursor, encodeCursor, type Page, toPage } from "./pagination";

export interface OutboxOptions {
  userId?: string | null;
  dedupeKey?: string;
  /** The hash of the setup link the email carries: it is sent only while that is still the user's link. */
  setupTokenHash?: string;
}

export function insertOutboxMessage(db: Db, message: EmailMessage, now: Date, options: OutboxOptions = {}) {
  return db.insert(outbox).values(buildOutboxRow(message, now, options));
}

export function buildOutboxRow(
  message: EmailMessage,
  now: Date,
  options: OutboxOptions = {},
): typeof outbox.$inferInsert {
  return {
    id: generateId("msg"),
    kind: message.kind,
    toAddress: message.to,
    subject: message.subject,
    textBody: message.text,
    htmlBody: message.html,
    userId: options.userId ?? null,
    dedupeKey: options.dedupeKey ?? null,
    setupTokenHash: options.setupTokenHash ?? null,
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  };
}

/** `superseded`: a setup-link email whose link was replaced, used or revoked before it went out; never sent. */
export const outboxStatuses = ["pending", "sending", "sent", "failed", "superseded"] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];
export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxSummary = Omit<OutboxRow, "textBody" | "htmlBody" | "setupTokenHash">;

export const listOutboxQuerySchema = z.strictObject({
  status: z.enum(outboxStatuses).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type ListOutboxQuery = z.output<typeof listOutboxQuerySchema>;

const summaryColumns = {
  id: outbox.id,
  kind: outbox.kind,
  toAddress: outbox.toAddress,
  subject: outbox.subject,
  userId: outbox.userId,
  dedupeKey: outbox.dedupeKey,
  status: outbox.status,
  attempts: outbox.attempts,
  lastError: outbox.lastError,
  nextAttemptAt: outbox.nextAttemptAt,
  createdAt: outbox.createdAt,
  sentAt: outbox.sentAt,
};

/** Newest first, without the bodies; a page reads at most `limit + 1` rows. For a batch. */
function selectOutboxPage(ctx: Pick<DomainContext, "db">, query: ListOutboxQuery) {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(outbox.status, query.status));
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    const after = or(
      lt(outbox.createdAt, new Date(cursor.time)),
      and(eq(outbox.createdAt, new Date(cursor.time)), lt(outbox.id, cursor.id)),
    );
    if (after) conditions.push(after);
  }
  return ctx.db
    .select(summaryColumns)
    .from(outbox)
    .where(and(...conditions))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(query.limit + 1);
}

export async function findOutboxMessage(ctx: Pick<DomainContext, "db">, id: string): Promise<OutboxRow | null> {
  const [row] = await ctx.db.select().from(outbox).where(eq(outbox.id, id)).limit(1);
  return row ?? null;
}

/** The Outbox page: a page of messages and how many failed or still wait, in one batch. */
export async function readOutboxPage(
  ctx: Pick<DomainContext, "db">,
  query: ListOutboxQuery,
): Promise<{ page: Page<OutboxSummary>; counts: { failed: number; waiting: number } }> {
  const [rows, failed, waiting] = await ctx.db.batch([
    selectOutboxPage(ctx, query),
    ctx.db.select({ n: count() }).from(outbox).where(eq(outbox.status, "failed")),
    ctx.db
      .select({ n: count() })
      .from(outbox)
      .where(inArray(outbox.status, ["pending", "sending"])),
  ]);
  return {
    page: toPage(rows, query.limit, (row) => encodeCursor({ time: row.createdAt.getTime(), id: row.id })),
    counts: { failed: failed[0]?.n ?? 0, waiting: waiting[0]?.n ?? 0 },
  };
}

/** The emails that carry a setup link: their delivery state is what an admin wants on a user's page. */
export const setupLinkEmailKinds = ["invite", "invite_resent", "two_factor_reset"] as const;

/**
 * Marks the user's setup-link emails that have not gone out yet as `superseded`, for the batch that
 * replaces, uses or revokes their link (a new link, completed setup, deactivation, erasure): no one
 * gets a link that no longer works. A new email queued in the same batch must come after it.
 * `sending` rows are left to the delivery run that claimed them, which checks the link again
 * (`supersedeStaleSetupLinkEmails`) only when their lease runs out.
 */
export function supersedeSetupLinkEmails(db: Db, userId: string) {
  return db
    .update(outbox)
    .set({ status: "superseded" })
    .where(
      and(eq(outbox.userId, userId), inArray(outbox.kind, [...setupLinkEmailKinds]), eq(outbox.status, "pending")),
    );
}

/**
 * Delivery's own check, for the batch that claims due rows: a due setup-link email whose link is
 * no longer its user's live link (replaced, used, revoked, or the user deactivated or erased) is
 * marked `superseded` instead of being sent. Rows queued before the outbox kept the link's hash
 * are held to the user still having some link; a message tied to no user has no link to check.
 */
export function supersedeStaleSetupLinkEmails(db: Db, now: Date) {
  const linkIsCurrent = sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${outbox.userId}
    AND ${users.deactivatedAt} IS NULL AND ${users.erasedAt} IS NULL
    AND (${users.setupTokenHash} = ${outbox.setupTokenHash}
      OR (${outbox.setupTokenHash} IS NULL AND ${users.setupTokenHash} IS NOT NULL)))`;
  return db
    .update(outbox)
    .set({ status: "superseded" })
    .where(
      and(
        inArray(outbox.status, ["pending", "sending"]),
        lte(outbox.nextAttemptAt, now),
        inArray(outbox.kind, [...setupLinkEmailKinds]),
        isNotNull(outbox.userId),
        sql`NOT ${linkIsCurrent}`,
      ),
    );
}

export interface InviteDelivery {
  messageId: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
}

/** The user's latest setup-link email (at most one row), to run alone or inside a db.batch(). */
export function selectInviteDelivery(db: Db, userId: string) {
  return db
    .select({
      messageId: outbox.id,
      kind: outbox.kind,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      nextAttemptAt: outbox.nextAttemptAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .where(and(eq(outbox.userId, userId), inArray(outbox.kind, [...setupLinkEmailKinds])))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(1);
}

/** The delivery state of the user's latest setup-link email, or null when none was queued. */
export async function findInviteDelivery(
  ctx: Pick<DomainContext, "db">,
  userId: string,
): Promise<InviteDelivery | null> {
  const [row] = await selectInviteDelivery(ctx.db, userId);
  return row ?? null;
}
