// Outbound email goes through the outbox table (SPEC §7): queueing is a row written in the same
// batch as the change that caused it, so a mail is never lost and never blocks the change.
// Delivery happens later, on the cron (jobs/deliver-outbox.ts).

import { generateId } from "../auth/crypto";
import type { Db } from "../db/client";
import { outbox } from "../db/schema";
import type { EmailMessage } from "./emails";

export interface OutboxOptions {
  userId?: string | null;
  dedupeKey?: string;
}

export function insertOutboxMessage(db: Db, message: EmailMessage, now: Date, options: OutboxOptions = {}) {
  return db.insert(outbox).values(buildOutboxRow(message, now, options));
}

export function buildOutboxRow(message: EmailMessage, now: Date, options: OutboxOptions = {}): typeof outbox.$inferInsert {
  return {
    id: generateId("msg"),
    kind: message.kind,
    toAddress: message.to,
    subject: message.subject,
    textBody: message.text,
    htmlBody: message.html,
    userId: options.userId ?? null,
    dedupeKey: options.dedupeKey ?? null,
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  };
}
