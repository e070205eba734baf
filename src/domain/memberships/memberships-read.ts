// Reading memberships: one with its user and tenant (also once the actor may change it), and the
// filtered list of Admin → Memberships
// (sorted by expiry, soonest first, memberships without expiry last; keyset pagination).
import { addDays } from "date-fns";
import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import type { Db } from "../../db/client";
import {
  membershipNoExpirySortKey,
  membershipRoles,
  membershipSortKeySql,
  memberships,
  tenants,
  users,
} from "../../db/schema";
import { AppError } from "../../errors";
import { isMembershipLive } from "../access";
import type { DomainContext } from "../context";
import { type OwningDirectory, selectOwningDirectory } from "../directories/directory-ownership";
import { selectJobRuns, toJobHealth } from "../job-health";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";
import { selectTenantByRef, selectTenantChoices, type TenantRow, tenantIdOf } from "../tenants/tenants";
import { selectUserWithPermissions, toUserWithPermissions } from "../users/permissions-of";
import { assertManageable } from "../users/user-guards";

export interface MembershipWithParties {
  membership: typeof memberships.$inferSelect;
  userEmail: string;
  userName: string;
  userRole: (typeof users.$inferSelect)["role"];
  tenantSlug: string;
  tenantName: string;
}

export function describeMembership(found: {
  id?: string;
  membership?: { id: string };
  userEmail: string;
  tenantSlug: string;
}) {
  const id = found.membership?.id ?? found.id ?? null;
  return { type: "membership" as const, id, label: `${found.userEmail} in ${found.tenantSlug}` };
}

// users.role is aliased: memberships.role would share its name, which a D1 batch cannot tell apart.
const partiesSelection = {
  membership: memberships,
  userEmail: users.email,
  userName: users.displayName,
  userRole: sql<(typeof users.$inferSelect)["role"]>`${users.role}`.as("user_role"),
  tenantSlug: tenants.slug,
  tenantName: tenants.name,
};

/** One membership with its user and tenant, to run alone or inside a db.batch(). */
export function selectMembershipWithParties(db: Db, membershipId: string) {
  return db
    .select(partiesSelection)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.id, membershipId))
    .limit(1);
}

export async function findMembershipWithParties(
  ctx: Pick<DomainContext, "db">,
  membershipId: string,
): Promise<MembershipWithParties | null> {
  const [row] = await selectMembershipWithParties(ctx.db, membershipId);
  return row ?? null;
}

/**
 * A membership that is not revoked (nor expired, unless `expiredToo`), with its parties, once the
 * actor may change its user: the membership, the user and their permissions are read in one batch.
 */
export async function findManageableMembership(
  ctx: DomainContext,
  membershipId: string,
  options: { expiredToo?: boolean } = {},
): Promise<MembershipWithParties & { ownedBy: OwningDirectory | null }> {
  const userId = sql`(SELECT ${memberships.userId} FROM ${memberships} WHERE ${memberships.id} = ${membershipId})`;
  const [membershipRows, userRows, permissionRows, ownerRows] = await ctx.db.batch([
    selectMembershipWithParties(ctx.db, membershipId),
    ...selectUserWithPermissions(ctx.db, userId),
    selectOwningDirectory(ctx.db, userId),
  ]);
  const found = membershipRows[0];
  if (!found || found.membership.revokedAt) throw new AppError("NOT_FOUND");
  if (!options.expiredToo && !isMembershipLive(found.membership, ctx.now)) {
    throw new AppError("STATE_CONFLICT", { detail: "This membership has expired. Grant a new one instead." });
  }
  assertManageable(ctx, toUserWithPermissions(userRows, permissionRows));
  return { ...found, ownedBy: ownerRows[0] ?? null };
}

export const listMembershipsQuerySchema = z.strictObject({
  tenantId: z.string().max(64).optional(),
  userId: z.string().max(64).optional(),
  userEmail: z.string().trim().toLowerCase().max(254).optional(),
  role: z.enum(membershipRoles).optional(),
  expiringWithinDays: z.coerce.number().int().min(0).max(3650).optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type ListMembershipsQuery = z.output<typeof listMembershipsQuerySchema>;

// Memberships without expiry sort after every dated one. Spelled as the sort indexes spell it
// (db/schema.ts), so a page walks memberships_live_sort_idx (or the tenant's) in order.
const expirySortKey = membershipSortKeySql(memberships.expiresAt);

/** A list's filters; the tenant may be a subquery (tenantIdOf) read in the same batch as the tenant. */
export type MembershipsPageQuery = Omit<ListMembershipsQuery, "tenantId"> & { tenantId?: string | SQL | undefined };

/** Active memberships (not revoked, not expired at `now`), soonest expiry first: the page's query (limit + 1 rows), for a batch. */
export function selectMembershipsPage(ctx: Pick<DomainContext, "db" | "now">, query: MembershipsPageQuery) {
  // Every bound on expiry is a bound on the sort key (open-ended ones sort last, past any date),
  // so the index range starts at now, or at the cursor, and ends at the "expires within" limit.
  const cursor = decodeCursor(query.cursor);
  const conditions: SQL[] = [sql`${memberships.revokedAt} IS NULL`, sql`${expirySortKey} > ${ctx.now.getTime()}`];
  if (query.tenantId) conditions.push(eq(memberships.tenantId, query.tenantId));
  if (query.userId) conditions.push(eq(memberships.userId, query.userId));
  if (query.userEmail) conditions.push(eq(users.email, query.userEmail));
  if (query.role) conditions.push(eq(memberships.role, query.role));
  if (query.expiringWithinDays !== undefined) {
    conditions.push(sql`${expirySortKey} <= ${addDays(ctx.now, query.expiringWithinDays).getTime()}`);
  }
  if (cursor) {
    conditions.push(sql`${expirySortKey} >= ${cursor.time}`);
    conditions.push(sql`(${expirySortKey}, ${memberships.id}) > (${cursor.time}, ${cursor.id})`);
  }
  return ctx.db
    .select(partiesSelection)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(...conditions))
    .orderBy(asc(expirySortKey), asc(memberships.id))
    .limit(query.limit + 1);
}

/** The rows of selectMembershipsPage as a page with the next page's cursor. */
export function toMembershipsPage(rows: MembershipWithParties[], limit: number): Page<MembershipWithParties> {
  return toPage(rows, limit, (row) =>
    encodeCursor({ time: row.membership.expiresAt?.getTime() ?? membershipNoExpirySortKey, id: row.membership.id }),
  );
}

/**
 * A tenant's settings page: the tenant by slug and a page of its members (soonest expiry first),
 * in one batch. Members are read only for callers who may see them. Null when there is no tenant.
 */
export async function readTenantWithMembers(
  ctx: Pick<DomainContext, "db" | "now">,
  slug: string,
  members: { limit: number; cursor?: string | undefined } | null,
): Promise<{ tenant: TenantRow; members: Page<MembershipWithParties> } | null> {
  if (!members) {
    const [tenant] = await selectTenantByRef(ctx.db, { slug });
    return tenant ? { tenant, members: { items: [], nextCursor: null } } : null;
  }
  const [tenantRows, memberRows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, { slug }),
    selectMembershipsPage(ctx, { ...members, tenantId: tenantIdOf({ slug }) }),
  ]);
  const tenant = tenantRows[0];
  return tenant ? { tenant, members: toMembershipsPage(memberRows, members.limit) } : null;
}

/** Active memberships (not revoked, not expired at `now`), soonest expiry first. */
export async function listMemberships(
  ctx: Pick<DomainContext, "db" | "now">,
  query: ListMembershipsQuery,
): Promise<Page<MembershipWithParties>> {
  return toMembershipsPage(await selectMembershipsPage(ctx, query), query.limit);
}

/**
 * A user's Memberships tab in one batch: the user, a page of their memberships and, when the caller
 * may add one, every tenant for the form (none for a deactivated user, who cannot get one), and the
 * directory that holds them (the header says so). Null when there is no such user.
 */
export async function readUserMembershipsTab(
  ctx: Pick<DomainContext, "db" | "now">,
  userId: string,
  options: { limit: number; withTenantChoices: boolean },
) {
  const query = { userId, limit: options.limit };
  const selectUser = ctx.db.select().from(users).where(eq(users.id, userId)).limit(1);
  const owner = selectOwningDirectory(ctx.db, userId);
  const [userRows, rows, ownerRows, tenantChoices] = options.withTenantChoices
    ? await ctx.db.batch([selectUser, selectMembershipsPage(ctx, query), owner, selectTenantChoices(ctx.db)])
    : ([...(await ctx.db.batch([selectUser, selectMembershipsPage(ctx, query), owner])), null] as const);
  const user = userRows[0];
  if (!user) return null;
  return {
    user,
    ownedBy: ownerRows[0] ?? null,
    page: toMembershipsPage(rows, options.limit),
    tenants: user.deactivatedAt ? null : tenantChoices,
  };
}

/**
 * Admin → Memberships in one batch: the page (none when the filters are not valid), every tenant
 * for the filter and the add form, and the cron's health.
 */
export async function readMembershipsPage(ctx: Pick<DomainContext, "db" | "now">, query: ListMembershipsQuery | null) {
  if (!query) {
    const [tenants, runs] = await ctx.db.batch([selectTenantChoices(ctx.db), selectJobRuns(ctx.db)]);
    return { page: { items: [], nextCursor: null }, tenants, health: toJobHealth(runs, ctx.now) };
  }
  const [rows, tenants, runs] = await ctx.db.batch([
    selectMembershipsPage(ctx, query),
    selectTenantChoices(ctx.db),
    selectJobRuns(ctx.db),
  ]);
  return { page: toMembershipsPage(rows, query.limit), tenants, health: toJobHealth(runs, ctx.now) };
}
