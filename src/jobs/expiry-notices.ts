// Expiry notices (SPEC §3): 7 days and 1 day before a membership expires, one email to the member
// and one to whoever granted it, each exactly once.
//
// Model: a notice is keyed by (membership, the expiry it announces, days before), the primary key
// of expiry_notices; its emails carry the same key plus the recipient as outbox.dedupe_key (unique).
// Every write is `INSERT … SELECT … WHERE the membership is still live with that very expiry
// ON CONFLICT DO NOTHING`, so repeated and overlapping runs queue nothing twice, and a membership
// extended or removed between the read and the write gets nothing. Extending changes the expiry,
// hence the key: the notices re-arm for the new date.
import { and, asc, eq, gt, isNull, lte, notExists, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { generateId } from "../auth/crypto";
import { runBatch, type Statement } from "../db/batch";
import { countAffectedRows } from "../db/client";
import { expiryNotices, memberships, outbox, tenants, users } from "../db/schema";
import type { DomainContext } from "../domain/context";
import { buildExpiryNoticeEmail, type EmailMessage } from "../domain/emails";

type NoticeContext = Pick<DomainContext, "db" | "now">;

const dayMs = 86_400_000;
const noticeRoundSize = 25;
// 8 × 25 = 200 memberships per run: a backlog (first deploy, long outage) drains over a few runs.
const noticeMaxRoundsPerRun = 8;

export interface NoticeResult {
  memberships: number;
  emails: number;
}

const grantors = alias(users, "grantors");

/** The notice due for a membership at `now`: 1 within a day of expiry, else 7 (within a week). */
function dueStage(now: Date): SQL<number> {
  return sql<number>`(CASE WHEN ${memberships.expiresAt} <= ${now.getTime() + dayMs} THEN 1 ELSE 7 END)`;
}

/** Correlated: the notice due now for the outer membership row was already written. */
function noticeAlreadyQueued(ctx: NoticeContext) {
  return ctx.db
    .select({ one: sql`1` })
    .from(expiryNotices)
    .where(
      and(
        eq(expiryNotices.membershipId, memberships.id),
        eq(expiryNotices.expiresAt, memberships.expiresAt),
        eq(expiryNotices.daysBefore, dueStage(ctx.now)),
      ),
    );
}

function readDueMemberships(ctx: NoticeContext) {
  return ctx.db
    .select({
      id: memberships.id,
      expiresAt: memberships.expiresAt,
      daysBefore: dueStage(ctx.now),
      tenantName: tenants.name,
      member: {
        id: users.id,
        email: users.email,
        name: users.firstName,
        displayName: users.displayName,
        deactivatedAt: users.deactivatedAt,
        erasedAt: users.erasedAt,
      },
      grantor: {
        id: grantors.id,
        email: grantors.email,
        name: grantors.firstName,
        activatedAt: grantors.activatedAt,
        deactivatedAt: grantors.deactivatedAt,
        erasedAt: grantors.erasedAt,
      },
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .leftJoin(grantors, eq(grantors.id, memberships.createdBy))
    .where(
      and(
        isNull(memberships.revokedAt),
        gt(memberships.expiresAt, ctx.now),
        lte(memberships.expiresAt, new Date(ctx.now.getTime() + 7 * dayMs)),
        notExists(noticeAlreadyQueued(ctx)),
      ),
    )
    .orderBy(asc(memberships.expiresAt), asc(memberships.id))
    .limit(noticeRoundSize);
}

type DueMembership = Awaited<ReturnType<typeof readDueMemberships>>[number];

/** The condition every write of a notice depends on: the membership is live with the same expiry. */
function stillDue(due: DueMembership): SQL {
  return and(eq(memberships.id, due.id), isNull(memberships.revokedAt), eq(memberships.expiresAt, due.expiresAt as Date)) as SQL;
}

function insertNoticeRecord(ctx: NoticeContext, due: DueMembership): Statement {
  return ctx.db
    .insert(expiryNotices)
    .select(
      ctx.db
        .select({
          membershipId: memberships.id,
          expiresAt: memberships.expiresAt,
          daysBefore: sql<number>`${due.daysBefore}`.as("daysBefore"),
          queuedAt: sql<number>`${ctx.now.getTime()}`.as("queuedAt"),
        })
        .from(memberships)
        .where(stillDue(due)),
    )
    .onConflictDoNothing();
}

function insertNoticeEmail(ctx: NoticeContext, due: DueMembership, message: EmailMessage, recipient: string, userId: string): Statement {
  const now = ctx.now.getTime();
  const dedupeKey = `expiry:${due.id}:${(due.expiresAt as Date).getTime()}:${due.daysBefore}:${recipient}`;
  // Keys in the outbox's column order (drizzle's INSERT … SELECT requires it).
  return ctx.db
    .insert(outbox)
    .select(
      ctx.db
        .select({
          id: sql<string>`${generateId("msg")}`.as("id"),
          kind: sql<string>`${message.kind}`.as("kind"),
          toAddress: sql<string>`${message.to}`.as("toAddress"),
          subject: sql<string>`${message.subject}`.as("subject"),
          textBody: sql<string>`${message.text}`.as("textBody"),
          htmlBody: sql<string>`${message.html}`.as("htmlBody"),
          userId: sql<string>`${userId}`.as("userId"),
          dedupeKey: sql<string>`${dedupeKey}`.as("dedupeKey"),
          status: sql<"pending">`'pending'`.as("status"),
          attempts: sql<number>`0`.as("attempts"),
          lastError: sql<null>`NULL`.as("lastError"),
          nextAttemptAt: sql<number>`${now}`.as("nextAttemptAt"),
          createdAt: sql<number>`${now}`.as("createdAt"),
          sentAt: sql<null>`NULL`.as("sentAt"),
        })
        .from(memberships)
        .where(stillDue(due)),
    )
    .onConflictDoNothing();
}

async function buildNoticeStatements(ctx: NoticeContext, due: DueMembership): Promise<{ record: Statement; emails: Statement[] }> {
  const expiresAt = due.expiresAt as Date;
  const common = { memberName: due.member.displayName, tenantName: due.tenantName, expiresAt, now: ctx.now };
  const emails: Statement[] = [];
  if (!due.member.deactivatedAt && !due.member.erasedAt) {
    const message = await buildExpiryNoticeEmail({ ...common, to: due.member.email, recipientName: due.member.name, forGrantor: false });
    emails.push(insertNoticeEmail(ctx, due, message, "member", due.member.id));
  }
  const grantor = due.grantor;
  if (grantor?.id && grantor.activatedAt && !grantor.deactivatedAt && !grantor.erasedAt && grantor.id !== due.member.id) {
    const message = await buildExpiryNoticeEmail({
      ...common,
      to: grantor.email as string,
      recipientName: grantor.name as string,
      forGrantor: true,
    });
    emails.push(insertNoticeEmail(ctx, due, message, "grantor", grantor.id));
  }
  return { record: insertNoticeRecord(ctx, due), emails };
}

export async function queueExpiryNotices(ctx: NoticeContext): Promise<NoticeResult> {
  const result: NoticeResult = { memberships: 0, emails: 0 };
  for (let round = 0; round < noticeMaxRoundsPerRun; round++) {
    const due = await readDueMemberships(ctx);
    const notices = await Promise.all(due.map((row) => buildNoticeStatements(ctx, row)));
    const results = await runBatch(
      ctx.db,
      notices.flatMap((notice) => [notice.record, ...notice.emails]),
    );
    // Count what was written, not what was attempted: an overlapping run may have won a row.
    let index = 0;
    for (const notice of notices) {
      result.memberships += countAffectedRows(results[index]);
      for (let email = 1; email <= notice.emails.length; email++) result.emails += countAffectedRows(results[index + email]);
      index += 1 + notice.emails.length;
    }
    if (due.length < noticeRoundSize) break;
  }
  return result;
}
