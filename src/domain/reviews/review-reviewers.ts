// Who reviews an access-review item (docs/ACCESS-REVIEWS.md "Who reviews what"), decided once when
// the run opens and stored as review_items.reviewer_key:
//   client item: 'client_admins' when the tenant has a live CLIENT_ADMIN of an active user other
//     than the member; else 'super_admins' (a sole client admin's own item, a tenant without one);
//   staff item: 'client_admins' when the run gives the client a binding say and the tenant has a
//     live CLIENT_ADMIN of an active user; else 'user:<granted_by>' when whoever granted it is an
//     active staff account and not the member; else 'super_admins'.
// authorize() (access.ts#decideReviewItem) reads the key per person; reviewerPersonsSql below is
// the set of people it names, for the reminders. SQL over a `memberships` row aliased `m`.
import { type SQL, sql } from "drizzle-orm";
import { grantorReviewPermission } from "../access";

/** SQL: the user row aliased `alias` is active (activated, not deactivated, not erased). */
export function activeUserSql(alias: string): SQL {
  const u = sql.raw(alias);
  return sql`(${u}.activated_at IS NOT NULL AND ${u}.deactivated_at IS NULL AND ${u}.erased_at IS NULL)`;
}

/**
 * SQL: the user row aliased `alias` may review as a grantor: an active staff account that may
 * still end memberships (a SUPER_ADMIN, or an access group granting grantorReviewPermission).
 */
export function mayReviewAsGrantorSql(alias: string): SQL {
  const u = sql.raw(alias);
  return sql`(${u}.role <> 'CLIENT_USER' AND ${activeUserSql(alias)} AND (${u}.role = 'SUPER_ADMIN' OR EXISTS (
    SELECT 1 FROM access_group_members AS gm JOIN access_group_permissions AS gp ON gp.group_id = gm.group_id
    WHERE gm.user_id = ${u}.id AND gp.permission = ${grantorReviewPermission})))`;
}

/** SQL: the membership row aliased `alias` is live at `now` (not revoked, not past its expiry). */
export function liveMembershipSql(alias: string, now: Date): SQL {
  const m = sql.raw(alias);
  return sql`(${m}.revoked_at IS NULL AND (${m}.expires_at IS NULL OR ${m}.expires_at > ${now.getTime()}))`;
}

/** SQL: the member of the membership aliased `alias` is held by that tenant's own SCIM directory. */
export function heldByTenantDirectorySql(alias: string): SQL {
  const m = sql.raw(alias);
  return sql`EXISTS (SELECT 1 FROM directory_users AS du JOIN directories AS d ON d.id = du.directory_id
    WHERE du.user_id = ${m}.user_id AND du.deleted_at IS NULL AND d.tenant_id = ${m}.tenant_id)`;
}

/**
 * SQL: the membership aliased `m` is still the access the item aliased `ri` reviews: live, with the
 * role the review opened with, and not since taken over by the tenant's own directory. Anything
 * else ends the item elsewhere (review-runs.ts#closeEndedItems); the review never decides it, so a
 * keep never certifies a role nobody was asked about.
 */
export function itemMembershipStandsSql(m: string, ri: string, now: Date): SQL {
  return sql`(${liveMembershipSql(m, now)} AND ${sql.raw(m)}.role = ${sql.raw(ri)}.role AND NOT ${heldByTenantDirectorySql(m)})`;
}

/** SQL: the item aliased `ri` still has a membership that stands (itemMembershipStandsSql). */
export function itemStillStandsSql(ri: string, now: Date): SQL {
  return sql`EXISTS (SELECT 1 FROM memberships AS m WHERE m.id = ${sql.raw(ri)}.membership_id AND ${itemMembershipStandsSql("m", ri, now)})`;
}

/**
 * SQL: a derived table `(…) AS admins` of each tenant's live CLIENT_ADMIN memberships of active
 * users: how many (`n`) and one of their users (`one`). Read once per opening and joined by tenant
 * (LEFT JOIN … ON admins.tenant_id = m.tenant_id), not probed per item: a tenant of 10,000 members
 * would otherwise scan its memberships once per item.
 */
export function clientAdminsPerTenantSql(now: Date): SQL {
  return sql`(${clientAdminCountsSql(now)}) AS admins`;
}

/** The SELECT of clientAdminsPerTenantSql's rows (tenant_id, n, one), for a CTE. */
export function clientAdminCountsSql(now: Date): SQL {
  return sql`SELECT admin.tenant_id AS tenant_id, count(*) AS n, min(admin.user_id) AS one
    FROM memberships AS admin JOIN users AS admin_user ON admin_user.id = admin.user_id
    WHERE admin.role = 'CLIENT_ADMIN' AND ${liveMembershipSql("admin", now)} AND ${activeUserSql("admin_user")}
    GROUP BY admin.tenant_id`;
}

/**
 * SQL: the reviewer key of the membership aliased `m`, with its tenant's `admins` row joined
 * (clientAdminsPerTenantSql), for a run whose client say on staff is `clientSay`. A user holds at
 * most one live membership per tenant, so "another admin" is n > 1, or the one admin is not the member.
 */
export function reviewerKeySql(clientSay: SQL): SQL {
  const anotherAdmin = sql`(coalesce(admins.n, 0) > 1 OR (admins.n = 1 AND admins.one <> m.user_id))`;
  const grantorReviews = sql`EXISTS (SELECT 1 FROM users AS grantor WHERE grantor.id = m.created_by
    AND grantor.id <> m.user_id AND ${mayReviewAsGrantorSql("grantor")})`;
  return sql`(CASE
    WHEN m.role IN ('CLIENT_ADMIN', 'CLIENT_VIEWER') THEN (CASE WHEN ${anotherAdmin} THEN 'client_admins' ELSE 'super_admins' END)
    WHEN ${clientSay} = 'binding' AND ${anotherAdmin} THEN 'client_admins'
    WHEN ${grantorReviews} THEN 'user:' || m.created_by
    ELSE 'super_admins' END)`;
}

/**
 * The people a reviewer key names, as `SELECT user_id, item_id …` rows over pending items aliased
 * `ri` (FROM clause given by the caller): 'user:<id>' that user if active; 'super_admins' every
 * active SUPER_ADMIN; 'client_admins' the tenant's live CLIENT_ADMINs of active users. Never the member.
 * The client admins are read once (GROUP BY keeps SQLite from folding them into a per-item probe,
 * which for a tenant of 10,000 members scans its memberships once per item).
 */
export function reviewerPersonsSql(now: Date, items: SQL): SQL {
  return sql`SELECT u.id AS user_id, ri.id AS item_id, ri.tenant_id AS tenant_id FROM ${items}
      JOIN users AS u ON u.id = substr(ri.reviewer_key, 6)
      WHERE ri.reviewer_key LIKE 'user:%' AND ${mayReviewAsGrantorSql("u")} AND u.id <> ri.user_id
    UNION ALL
    SELECT u.id, ri.id, ri.tenant_id FROM ${items} JOIN users AS u ON u.role = 'SUPER_ADMIN'
      WHERE ri.reviewer_key = 'super_admins' AND ${activeUserSql("u")} AND u.id <> ri.user_id
    UNION ALL
    SELECT admins.user_id, ri.id, ri.tenant_id FROM ${items}
      JOIN (SELECT admin.tenant_id AS tenant_id, admin.user_id AS user_id
        FROM memberships AS admin JOIN users AS u ON u.id = admin.user_id
        WHERE admin.role = 'CLIENT_ADMIN' AND ${liveMembershipSql("admin", now)} AND u.role = 'CLIENT_USER'
          AND ${activeUserSql("u")}
        GROUP BY admin.tenant_id, admin.user_id) AS admins ON admins.tenant_id = ri.tenant_id
      WHERE ri.reviewer_key = 'client_admins' AND admins.user_id <> ri.user_id`;
}
