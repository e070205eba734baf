// Expiry notices (docs/JOBS.md "Expiry notices"): 7 days and 1 day before a membership expires, one
// email to the member and one to whoever granted it, each exactly once, and never skipped.
//
// Model: a notice is keyed by (membership, the expiry it announces, days before), the primary key
// of expiry_notices; its emails carry the same key plus the recipient as outbox.dedupe_key (unique).
// Every write is `INSERT … SELECT … WHERE the membership is still live (or expired by the sweep)
// with that very expiry ON CONFLICT DO NOTHING`, so repeated and overlapping runs queue nothing
// twice, and a membership extended or removed between the read and the write gets nothing.
// Extending changes the expiry, hence the key: the notices re-arm for the new date.
//
// Never skipped: a run queues rounds, oldest expiry first, until nothing is due or its deadline (the
// scheduled time + 20 s) has passed; the next run starts with what is left. A 1-day notice that
// could not be queued before the expiry (a late run, a membership shorter than a cron interval) is
// still queued for a week after it, also once the sweep has revoked the membership, and then says
// that the access ended, and when (docs/SECURITY.md "Expiry notices are never skipped").
import { and, asc, eq, gt, isNull, lte, ne, notExists, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { generateId } from "../auth/crypto";
import { runBatch, type Statement } from "../db/batch";
import { countAffectedRows } from "../db/client";
import { expiryNotices, memberships, outbox, tenants, users } from "../db/schema";
import type { DomainContext } from "../domain/context";
import { buildExpiryNoticeEmail, type EmailMessage } from "../domain/emails";

type NoticeContext = Pick<DomainContext, "db" | "now" | "config">;

const dayMs = 86_400_000;
const noticeRoundSize = 25;
/** A run starts no round later than this after its scheduled time. */
export const noticeRunSeconds = 20;
// A stop besides the deadline: D1 allows 1,000 queries per invocation (Workers Paid) and a round
// costs two, so 300 rounds (7,500 memberships) leave room for the sweep and the delivery.
const noticeMaxRoundsPerRun = 300;
/** How long after an expiry its missed 1-day notice is still sent, saying that the access ended. */
export const lateNoticeWindowDays = 7;

export interface NoticeRunLimits {
  /** No round starts at or after this instant (the run's scheduled time + noticeRunSeconds). */
  deadline: Date;
  /** The wall clock, read after each round: in a Worker it advances with each round's I/O. */
  readClock: () => Date;
}

export interface NoticeResult {
  memberships: number;
  emails: number;
  /** False when the run stopped at its deadline or round limit with notices possibly left over. */
  complete: boolean;
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

const successors = alias(memberships, "successors");

/** Correlated: a newer live membership of the same person in the same tenant took the outer row's place. */
function replacedByNewerMembership(ctx: NoticeContext) {
  return ctx.db
    .select({ one: sql`1` })
    .from(successors)
    .where(
      and(
        eq(successors.userId, memberships.userId),
        eq(successors.tenantId, memberships.tenantId),
        isNull(successors.revokedAt),
        ne(successors.id, memberships.id),
      ),
    );
}

/** Revoked by its expiry (the sweep, or a new grant recording it): the access ended, it was not taken away. */
const revokedByExpiry = sql`${memberships.revokeReason} = 'expired'`;

/**
 * Live and expiring within 7 days, or expired less than lateNoticeWindowDays ago, swept or not. Two
 * ranges, one per partial index (memberships_live_expiry_idx, memberships_expired_expiry_idx).
 */
function inNoticeWindow(ctx: NoticeContext): SQL {
  const lateFrom = new Date(ctx.now.getTime() - lateNoticeWindowDays * dayMs);
  const noticeUntil = new Date(ctx.now.getTime() + 7 * dayMs);
  return or(
    and(isNull(memberships.revokedAt), gt(memberships.expiresAt, lateFrom), lte(memberships.expiresAt, noticeUntil)),
    and(revokedByExpiry, gt(memberships.expiresAt, lateFrom), lte(memberships.expiresAt, ctx.now)),
  ) as SQL;
}

/** One round: the memberships owed a notice now, oldest expiry first. Exported for the query-plan test. */
export function selectDueMemberships(ctx: NoticeContext) {
  return ctx.db
    .select({
      id: memberships.id,
      expiresAt: memberships.expiresAt,
      daysBefore: dueStage(ctx.now),
      role: memberships.role,
      tenantName: tenants.name,
      member: {
        id: users.id,
        email: users.email,
        name: users.firstName,
        displayName: users.displayName,
        timeZone: users.timeZone,
        deactivatedAt: users.deactivatedAt,
        erasedAt: users.erasedAt,
      },
      // Who granted it, read in the same query: both notices name them (docs/JOBS.md "Expiry notices").
      grantor: {
        id: grantors.id,
        email: grantors.email,
        name: grantors.firstName,
        displayName: grantors.displayName,
        timeZone: grantors.timeZone,
        activatedAt: grantors.activatedAt,
        deactivatedAt: grantors.deactivatedAt,
        erasedAt: grantors.erasedAt,
      },
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .leftJoin(grantors, eq(grantors.id, memberships.createdBy))
    .where(and(inNoticeWindow(ctx), notExists(noticeAlreadyQueued(ctx)), notExists(replacedByNewerMembership(ctx))))
    .orderBy(asc(memberships.expiresAt), asc(memberships.id))
    .limit(noticeRoundSize);
}

type DueMembership = Awaited<ReturnType<typeof selectDueMemberships>>[number];

/** What every write of a notice depends on: the same expiry, live or ended by it, not replaced. */
function stillDue(ctx: NoticeContext, due: DueMembership): SQL {
  return and(
    eq(memberships.id, due.id),
    eq(memberships.expiresAt, due.expiresAt as Date),
    or(isNull(memberships.revokedAt), revokedByExpiry),
    notExists(replacedByNewerMembership(ctx)),
  ) as SQL;
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
        .where(stillDue(ctx, due)),
    )
    .onConflictDoNothing();
}

function insertNoticeEmail(
  ctx: NoticeContext,
  due: DueMembership,
  message: EmailMessage,
  recipient: string,
  userId: string,
): Statement {
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
          setupTokenHash: sql<null>`NULL`.as("setupTokenHash"),
          status: sql<"pending">`'pending'`.as("status"),
          attempts: sql<number>`0`.as("attempts"),
          lastError: sql<null>`NULL`.as("lastError"),
          nextAttemptAt: sql<number>`${now}`.as("nextAttemptAt"),
          createdAt: sql<number>`${now}`.as("createdAt"),
          sentAt: sql<null>`NULL`.as("sentAt"),
        })
        .from(memberships)
        .where(stillDue(ctx, due)),
    )
    .onConflictDoNothing();
}

/** The grantor when they can still be asked: an active account that is not the member's own. */
function reachableGrantor(due: DueMembership) {
  const grantor = due.grantor;
  if (!grantor?.id || !grantor.activatedAt || grantor.deactivatedAt || grantor.erasedAt) return null;
  if (grantor.id === due.member.id) return null;
  return {
    id: grantor.id,
    email: grantor.email as string,
    firstName: grantor.name as string,
    displayName: grantor.displayName as string,
    timeZone: grantor.timeZone,
  };
}

async function buildNoticeStatements(
  ctx: NoticeContext,
  due: DueMembership,
): Promise<{ record: Statement; emails: Statement[] }> {
  const grantor = reachableGrantor(due);
  const common = {
    appName: ctx.config.APP_NAME,
    appOrigin: ctx.config.APP_ORIGIN,
    member: { id: due.member.id, name: due.member.displayName, email: due.member.email },
    tenantName: due.tenantName,
    role: due.role,
    grantor: grantor ? { name: grantor.displayName, email: grantor.email } : null,
    expiresAt: due.expiresAt as Date,
    now: ctx.now,
  };
  const emails: Statement[] = [];
  if (!due.member.deactivatedAt && !due.member.erasedAt) {
    const message = await buildExpiryNoticeEmail({
      ...common,
      to: due.member.email,
      recipientName: due.member.name,
      timeZone: due.member.timeZone,
      forGrantor: false,
    });
    emails.push(insertNoticeEmail(ctx, due, message, "member", due.member.id));
  }
  if (grantor) {
    const message = await buildExpiryNoticeEmail({
      ...common,
      to: grantor.email,
      recipientName: grantor.firstName,
      timeZone: grantor.timeZone,
      forGrantor: true,
    });
    emails.push(insertNoticeEmail(ctx, due, message, "grantor", grantor.id));
  }
  return { record: insertNoticeRecord(ctx, due), emails };
}

interface RoundResult {
  due: number;
  memberships: number;
  emails: number;
}

async function queueNoticeRound(ctx: NoticeContext): Promise<RoundResult> {
  const due = await selectDueMemberships(ctx);
  const notices = await Promise.all(due.map((row) => buildNoticeStatements(ctx, row)));
  const results = await runBatch(
    ctx.db,
    notices.flatMap((notice) => [notice.record, ...notice.emails]),
  );
  // Count what was written, not what was attempted: an overlapping run may have won a row.
  const round: RoundResult = { due: due.length, memberships: 0, emails: 0 };
  let index = 0;
  for (const notice of notices) {
    round.memberships += countAffectedRows(results[index]);
    for (let email = 1; email <= notice.emails.length; email++)
      round.emails += countAffectedRows(results[index + email]);
    index += 1 + notice.emails.length;
  }
  return round;
}

/**
 * Queues every notice due, in rounds, until none is left or `limits.deadline` has passed (at least
 * one round runs). Without limits (tests, scripts) it runs until none is left.
 */
export async function queueExpiryNotices(
  ctx: NoticeContext,
  limits: NoticeRunLimits = {
    deadline: new Date(ctx.now.getTime() + noticeRunSeconds * 1000),
    readClock: () => ctx.now,
  },
): Promise<NoticeResult> {
  const result: NoticeResult = { memberships: 0, emails: 0, complete: false };
  for (let rounds = 1; rounds <= noticeMaxRoundsPerRun; rounds++) {
    const round = await queueNoticeRound(ctx);
    result.memberships += round.memberships;
    result.emails += round.emails;
    if (round.due < noticeRoundSize) return { ...result, complete: true };
    // A full round that wrote nothing lost every row to an overlapping run, which goes on with them.
    if (round.memberships === 0 || limits.readClock() >= limits.deadline) break;
  }
  return result;
}
