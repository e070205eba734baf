// Recording expiry (docs/PRODUCT.md §3): a live membership past its expiry is revoked with reason
// `expired` and one `membership.expired` audit event by the system. Access already ended at the
// instant of expiry (access.ts#isMembershipLive); this only writes down what happened. Two callers:
// the cron sweep (jobs/expiry-sweep.ts), oldest first in bounded rounds, and a new grant for the
// same user and tenant (memberships.ts), which records the old membership before it takes its place.
//
// Both statements select their rows with the same deterministic subquery, and the caller runs them
// in ONE db.batch (one transaction): the audit INSERT … SELECT first, then the UPDATE, so both see
// the same rows and commit or roll back together. A row revoked by any earlier batch no longer
// matches `revoked_at IS NULL`, so repeated or concurrent runs record each membership exactly once.
import { and, asc, eq, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Statement } from "../../db/batch";
import { auditEvents, memberships, tenants, users } from "../../db/schema";
import { type DomainContext, snapshotActor } from "../context";

export type ExpiryContext = Pick<DomainContext, "db" | "now" | "requestId">;

/** Which expired memberships to record: the `oldest` N (the sweep), or the one of a user in a tenant (a grant). */
export type ExpiryScope = { oldest: number } | { userId: string; tenantId: string };

/** Ids of live memberships whose expiry is at or before `now`, within the scope. */
export function selectExpiredMembershipIds(ctx: ExpiryContext, scope: ExpiryScope) {
  const expired = and(
    isNull(memberships.revokedAt),
    isNotNull(memberships.expiresAt),
    lte(memberships.expiresAt, ctx.now),
  );
  const query = ctx.db.select({ id: memberships.id }).from(memberships);
  if ("userId" in scope) {
    return query.where(and(eq(memberships.userId, scope.userId), eq(memberships.tenantId, scope.tenantId), expired));
  }
  // Read through memberships_live_expiry_idx, oldest first; the id tie-break keeps it deterministic.
  return query.where(expired).orderBy(asc(memberships.expiresAt), asc(memberships.id)).limit(scope.oldest);
}

// INSERT … SELECT: drizzle wants the selected keys in the table's column order.
function insertExpiryAuditEvents(ctx: ExpiryContext, scope: ExpiryScope) {
  const actor = snapshotActor({ kind: "system" });
  return ctx.db.insert(auditEvents).select(
    ctx.db
      .select({
        id: sql<number>`NULL`.as("id"),
        at: sql<number>`${ctx.now.getTime()}`.as("at"),
        action: sql<string>`'membership.expired'`.as("action"),
        actorKind: sql<string>`${actor.kind}`.as("actorKind"),
        actorId: sql<string | null>`${actor.id}`.as("actorId"),
        actorName: sql<string>`${actor.name}`.as("actorName"),
        actorEmail: sql<string | null>`${actor.email}`.as("actorEmail"),
        targetType: sql<string>`'membership'`.as("targetType"),
        targetId: memberships.id,
        targetLabel: sql<string>`${users.email} || ' in ' || ${tenants.slug}`.as("targetLabel"),
        tenantId: memberships.tenantId,
        // expiresAt is rendered like Date#toISOString(), from integer milliseconds.
        details: sql<string>`json_object('userId', ${memberships.userId}, 'role', ${memberships.role}, 'expiresAt',
          strftime('%Y-%m-%dT%H:%M:%S', ${memberships.expiresAt} / 1000, 'unixepoch') || '.' || printf('%03d', ${memberships.expiresAt} % 1000) || 'Z')`.as(
          "details",
        ),
        // The system acts, not the client of the request that happened to trigger it.
        ip: sql<null>`NULL`.as("ip"),
        requestId: sql<string | null>`${ctx.requestId}`.as("requestId"),
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(inArray(memberships.id, selectExpiredMembershipIds(ctx, scope))),
  );
}

/**
 * The two statements that record the scope's expired memberships: their audit events, then their
 * revocation. Run them in one batch, in this order. The UPDATE's result counts the memberships.
 */
export function recordExpiryStatements(ctx: ExpiryContext, scope: ExpiryScope): [Statement, Statement] {
  return [
    insertExpiryAuditEvents(ctx, scope),
    ctx.db
      .update(memberships)
      .set({ revokedAt: ctx.now, revokedBy: null, revokeReason: "expired", updatedAt: ctx.now })
      .where(inArray(memberships.id, selectExpiredMembershipIds(ctx, scope))),
  ];
}
