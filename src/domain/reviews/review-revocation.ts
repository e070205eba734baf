// A review's revocations (docs/ACCESS-REVIEWS.md): a reviewer's "revoke" and the deadline end a
// membership "as if removed by hand" (revoked_at now, reason 'removed', revoked_by NULL), with a
// `membership.revoked` event whose actor is the campaign: the ServicePrincipal of campaignActor,
// scoped to one run, whose authority authorize() limits to that run's items.
//
// Set-based, like domain/memberships/membership-expiry.ts: the statements run in ONE db.batch (one
// transaction), in the order returned. The first two select the same rows (the named items still
// pending in the run whose membership is still live); the items are marked before their memberships
// end, and the memberships are then found as "revoked item, membership still live", which no other
// item can be (an item is revoked only with its membership). A repeated call finds nothing pending.
//
// A revocation that leaves a tenant with no live CLIENT_ADMIN while it removed one is allowed; the
// item is flagged `last_client_admin` and the tenant gets one `access_review.tenant_left_without_admin`
// event in the same batch; queueNoAdminEmails then tells every active SUPER_ADMIN (once each).
import { and, eq, type SQL, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../../db/batch";
import { insertInChunks } from "../../db/chunked-insert";
import { countAffectedRows } from "../../db/client";
import { memberships, outbox, reviewItems, tenants, users } from "../../db/schema";
import { authorize, type ServicePrincipal } from "../access";
import { insertAuditEventsSelect } from "../audit/audit";
import type { DomainContext } from "../context";
import { buildTenantLeftWithoutAdminEmail } from "../emails";
import { buildOutboxRow } from "../outbox";
import { activeSuperAdminCondition } from "../users/users-list";
import { activeUserSql, itemMembershipStandsSql, liveMembershipSql } from "./review-reviewers";

/** The campaign acting for one of its runs: ctx.actor of every change the run makes itself. */
export function campaignActor(run: { id: string; campaignId: string; name: string }): ServicePrincipal {
  return {
    kind: "service",
    service: {
      type: "access_review",
      id: run.campaignId,
      name: run.name,
      scope: { kind: "review-run", runId: run.id },
    },
  };
}

export type RevocationContext = Pick<DomainContext, "db" | "now" | "actor" | "ip" | "requestId">;

export interface ReviewRevocation {
  runId: string;
  /**
   * The items to revoke (a person's choice, or a round the deadline read): those no longer pending
   * or whose membership is no longer live are left alone. Every statement is bound to these ids,
   * so a batch costs the same on the first round of a 10,000-item run as on the last.
   */
  itemIds: readonly string[];
  /** `reviewer`: a person's decision; `deadline`: the campaign at the run's deadline. */
  source: "reviewer" | "deadline";
  /** The reviewer who decided; null at the deadline. */
  decidedBy: { id: string; name: string } | null;
  /** Recorded on the items (optional for a revoke). */
  justification?: string | null;
}

function inItems(column: string, revocation: ReviewRevocation): SQL {
  return sql`${sql.raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(revocation.itemIds)}))`;
}

/** The ids of the run's pending items, among those named, whose membership is live: what this revocation takes. */
function selectRevocable(ctx: RevocationContext, revocation: ReviewRevocation): SQL {
  return sql`SELECT ri.id FROM review_items AS ri JOIN memberships AS m ON m.id = ri.membership_id
    WHERE ${inItems("ri.id", revocation)} AND ri.run_id = ${revocation.runId} AND ri.status = 'pending'
      AND ${itemMembershipStandsSql("m", "ri", ctx.now)}`;
}

/** The items this batch has just revoked (before or after their memberships ended). */
function justRevoked(ctx: RevocationContext, revocation: ReviewRevocation, alias: string): SQL {
  const ri = sql.raw(alias);
  return sql`${inItems(`${alias}.id`, revocation)} AND ${ri}.run_id = ${revocation.runId} AND ${ri}.status = 'revoked'
    AND ${ri}.decided_at = ${ctx.now.getTime()} AND ${ri}.decision_source = ${revocation.source}`;
}

/**
 * CLIENT_ADMIN items just revoked whose tenant has no live CLIENT_ADMIN left (and not flagged yet).
 * The CASE keeps the tenant probe to client admins' items: probed for each of 10,000 viewers, it
 * would scan the tenant's memberships 10,000 times.
 */
function selectLeftWithoutAdmin(ctx: RevocationContext, revocation: ReviewRevocation): SQL {
  return sql`SELECT ri.id FROM review_items AS ri JOIN memberships AS m ON m.id = ri.membership_id
    WHERE ${justRevoked(ctx, revocation, "ri")} AND ri.flag IS NULL
      AND CASE WHEN m.role = 'CLIENT_ADMIN' THEN NOT EXISTS (SELECT 1 FROM memberships AS other
        WHERE other.tenant_id = ri.tenant_id AND other.role = 'CLIENT_ADMIN' AND ${liveMembershipSql("other", ctx.now)}
          AND EXISTS (SELECT 1 FROM users AS other_user WHERE other_user.id = other.user_id AND ${activeUserSql("other_user")}))
      ELSE 0 END`;
}

function assertCampaignOfRun(ctx: RevocationContext, runId: string): void {
  // The service's decision reads the run alone; every statement below is bound to that run's items.
  const item = { runId, tenantId: "", userId: "", reviewerKey: "", clientMayAdvise: false };
  const actor = ctx.actor.kind === "service" ? ctx.actor : null;
  if (!actor || !authorize(actor, { kind: "review-item", item, access: "decide" }).allowed) {
    throw new Error("review revocations are made by the run's campaign (campaignActor)");
  }
}

/**
 * The statements of one revocation, to run in one batch in this order: [membership.revoked events,
 * the items, the memberships, the tenant-left-without-admin events, the flags]. The result of the
 * second (`revokedItemsResult`) counts the items revoked. ctx.actor must be campaignActor(run).
 */
export function revokeReviewItemsStatements(ctx: RevocationContext, revocation: ReviewRevocation): Statement[] {
  assertCampaignOfRun(ctx, revocation.runId);
  const revocable = selectRevocable(ctx, revocation);
  const leftWithoutAdmin = selectLeftWithoutAdmin(ctx, revocation);
  return [
    insertAuditEventsSelect(ctx, {
      action: "membership.revoked",
      targetType: "membership",
      targetId: sql`m.id`,
      targetLabel: sql`u.email || ' in ' || t.slug`,
      tenantId: sql`m.tenant_id`,
      detailKeys: ["userId", "role", "reviewItemId", "runId", "decidedBy", "source"],
      details: sql`json_object('userId', m.user_id, 'role', m.role, 'reviewItemId', ri.id, 'runId', ri.run_id,
        'decidedBy', ${revocation.decidedBy?.id ?? null}, 'source', ${revocation.source})`,
      from: sql`FROM review_items AS ri JOIN memberships AS m ON m.id = ri.membership_id
        JOIN users AS u ON u.id = m.user_id JOIN tenants AS t ON t.id = m.tenant_id WHERE ri.id IN (${revocable})`,
    }),
    ctx.db
      .update(reviewItems)
      .set({
        status: "revoked",
        decisionSource: revocation.source,
        decidedAt: ctx.now,
        decidedBy: revocation.decidedBy?.id ?? null,
        decidedByName: revocation.decidedBy?.name ?? null,
        justification: revocation.justification ?? null,
      })
      .where(sql`${reviewItems.id} IN (${revocable})`),
    ctx.db
      .update(memberships)
      .set({ revokedAt: ctx.now, revokedBy: null, revokeReason: "removed", updatedAt: ctx.now })
      .where(
        sql`${memberships.revokedAt} IS NULL AND ${memberships.id} IN
          (SELECT ri.membership_id FROM review_items AS ri WHERE ${justRevoked(ctx, revocation, "ri")})`,
      ),
    // Before the flags, with the flags' own selection: each tenant once, on the batch that emptied it.
    insertAuditEventsSelect(ctx, {
      action: "access_review.tenant_left_without_admin",
      targetType: "tenant",
      targetId: sql`t.id`,
      targetLabel: sql`t.name`,
      tenantId: sql`t.id`,
      detailKeys: ["runId", "source"],
      details: sql`json_object('runId', ${revocation.runId}, 'source', ${revocation.source})`,
      from: sql`FROM tenants AS t WHERE t.id IN (SELECT items.tenant_id FROM review_items AS items
        WHERE items.id IN (${leftWithoutAdmin}))`,
    }),
    ctx.db
      .update(reviewItems)
      .set({ flag: "last_client_admin" })
      .where(sql`${reviewItems.id} IN (${leftWithoutAdmin})`),
  ];
}

/** Index of the statement whose result counts the items revoked. */
export const revokedItemsResult = 1;

/**
 * Emails every active SUPER_ADMIN once per tenant the run's revocations left without a client
 * admin (outbox dedupe `review:<runId>:no-admin:<tenantId>:<superAdminId>`). Called after the
 * batch by the decisions and by the cron (which also repairs a call that failed in between).
 */
export async function queueNoAdminEmails(
  ctx: Pick<DomainContext, "db" | "now" | "config">,
  run: { id: string; name: string },
): Promise<number> {
  const [emptied, admins] = await ctx.db.batch([
    ctx.db
      .selectDistinct({ id: tenants.id, name: tenants.name, slug: tenants.slug })
      .from(reviewItems)
      .innerJoin(tenants, eq(tenants.id, reviewItems.tenantId))
      .where(
        and(
          eq(reviewItems.runId, run.id),
          eq(reviewItems.status, "revoked"),
          eq(reviewItems.flag, "last_client_admin"),
        ),
      ),
    ctx.db
      .select({ id: users.id, email: users.email, displayName: users.displayName, timeZone: users.timeZone })
      .from(users)
      .where(activeSuperAdminCondition()),
  ]);
  if (emptied.length === 0 || admins.length === 0) return 0;
  const rows = await Promise.all(
    emptied.flatMap((tenant) =>
      admins.map(async (admin) => {
        const message = await buildTenantLeftWithoutAdminEmail({
          appName: ctx.config.APP_NAME,
          appOrigin: ctx.config.APP_ORIGIN,
          to: admin.email,
          recipientName: admin.displayName,
          timeZone: admin.timeZone,
          tenant,
          run,
        });
        const dedupeKey = `review:${run.id}:no-admin:${tenant.id}:${admin.id}`;
        return buildOutboxRow(message, ctx.now, { userId: admin.id, dedupeKey });
      }),
    ),
  );
  const results = await runBatch(ctx.db, insertInChunks(ctx.db, outbox, rows, { skipExisting: true }));
  return results.reduce<number>((sum, result) => sum + countAffectedRows(result), 0);
}
