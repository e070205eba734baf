// What needs an administrator's attention, for the console's home page (/admin): people invited who
// have not finished setup, access that ends within the week, emails that could not be delivered.
// The route says which parts the caller may see (authorize()); only those are read, in one batch.
import { addDays } from "date-fns";
import { and, count, eq, type SQL, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../db/batch";
import { membershipSortKeySql, memberships, outbox, users } from "../db/schema";
import type { DomainContext } from "./context";
import { type MembershipWithParties, selectMembershipsPage } from "./memberships/memberships-read";
import { statusCondition } from "./users/users-list";

export const expiringSoonDays = 7;
/** How many of the soonest-ending memberships the home page names. */
export const soonestShown = 3;

export interface AttentionParts {
  pendingInvites: boolean;
  expiringMemberships: boolean;
  failedEmails: boolean;
}

/** Each part is null when the caller may not see it. */
export interface Attention {
  pendingInvites: number | null;
  expiringMemberships: { count: number; soonest: MembershipWithParties[] } | null;
  failedEmails: number | null;
}

type CountRows = Array<{ n: number }>;

function countOf(rows: unknown): number {
  return (rows as CountRows)[0]?.n ?? 0;
}

export async function readAttention(ctx: DomainContext, parts: AttentionParts): Promise<Attention> {
  const statements: Statement[] = [];
  if (parts.pendingInvites) {
    statements.push(ctx.db.select({ n: count() }).from(users).where(statusCondition("PENDING")));
  }
  if (parts.expiringMemberships) {
    const sortKey = membershipSortKeySql(memberships.expiresAt);
    const within: SQL[] = [
      sql`${memberships.revokedAt} IS NULL`,
      sql`${sortKey} > ${ctx.now.getTime()}`,
      sql`${sortKey} <= ${addDays(ctx.now, expiringSoonDays).getTime()}`,
    ];
    statements.push(
      ctx.db
        .select({ n: count() })
        .from(memberships)
        .where(and(...within)),
    );
    statements.push(selectMembershipsPage(ctx, { expiringWithinDays: expiringSoonDays, limit: soonestShown }));
  }
  if (parts.failedEmails) {
    statements.push(ctx.db.select({ n: count() }).from(outbox).where(eq(outbox.status, "failed")));
  }
  const results = await runBatch(ctx.db, statements);
  const take = () => results.shift();
  return {
    pendingInvites: parts.pendingInvites ? countOf(take()) : null,
    expiringMemberships: parts.expiringMemberships
      ? { count: countOf(take()), soonest: (take() as MembershipWithParties[]).slice(0, soonestShown) }
      : null,
    failedEmails: parts.failedEmails ? countOf(take()) : null,
  };
}
