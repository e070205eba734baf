// Who is in a tenant (docs/PRODUCT.md §4): its client users (with their setup state) and "who has access to
// your company" — the operators and contractors with their role and expiry. Live memberships only.
// Every read is a page (keyset on name, then membership id), whatever the tenant's size.
import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type MembershipRole, memberships, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { TenantRef } from "../access";
import type { DomainContext } from "../context";
import { liveMembershipCondition } from "../memberships/memberships";
import { decodeTextCursor, encodeTextCursor, type Page, toPage } from "../pagination";
import { deriveUserStatus, type UserStatus } from "../users/users";
import { selectTenantByRef, tenantIdOf } from "./tenants";

/** People per table on the workspace and portal pages; each table pages on its own. */
export const tenantPeoplePerPage = 50;

export interface TenantPerson {
  membershipId: string;
  userId: string;
  name: string;
  email: string;
  role: (typeof memberships.$inferSelect)["role"];
  expiresAt: Date | null;
  status: UserStatus;
}

export interface TenantPeopleQuery {
  /** Only these membership roles (all when absent). */
  roles?: readonly MembershipRole[];
  /** A cursor of a previous page. */
  cursor?: string | undefined;
  limit: number;
}

// Distinct column names, so the select can run inside a db.batch() as well. Reads limit + 1 rows.
export function selectTenantPeople(
  ctx: Pick<DomainContext, "db" | "now">,
  tenantId: string | SQL,
  query: TenantPeopleQuery,
) {
  const after = decodeTextCursor(query.cursor);
  return ctx.db
    .select({
      // Aliased: memberships.id and users.id would both be "id", which a D1 batch cannot tell apart.
      membershipId: sql<string>`${memberships.id}`.as("membership_id"),
      userId: sql<string>`${users.id}`.as("person_id"),
      name: users.displayName,
      email: users.email,
      role: memberships.role,
      expiresAt: memberships.expiresAt,
      activatedAt: users.activatedAt,
      deactivatedAt: users.deactivatedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        liveMembershipCondition(ctx.now),
        query.roles ? inArray(memberships.role, [...query.roles]) : undefined,
        after ? sql`(${users.displayName}, ${memberships.id}) > (${after.key}, ${after.id})` : undefined,
      ),
    )
    .orderBy(asc(users.displayName), asc(memberships.id))
    .limit(query.limit + 1);
}

type PeopleRows = Awaited<ReturnType<typeof selectTenantPeople>>;

/** The rows of selectTenantPeople as a page of people with the next page's cursor. */
export function toPeoplePage(rows: PeopleRows, limit: number): Page<TenantPerson> {
  const page = toPage(rows, limit, (row) => encodeTextCursor({ key: row.name, id: row.membershipId }));
  return {
    items: page.items.map(({ activatedAt, deactivatedAt, ...row }) => ({
      ...row,
      status: deriveUserStatus({ activatedAt, deactivatedAt }),
    })),
    nextCursor: page.nextCursor,
  };
}

/**
 * A page of a tenant's people by name (GET /api/v1/tenants/{id}/members), read with the tenant in
 * one batch; at most `limit + 1` rows whatever the tenant's size. NOT_FOUND when the tenant is.
 */
export async function listTenantPeople(
  ctx: Pick<DomainContext, "db" | "now">,
  ref: TenantRef,
  query: TenantPeopleQuery,
) {
  const [tenantRows, rows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, ref),
    selectTenantPeople(ctx, tenantIdOf(ref), query),
  ]);
  if (!tenantRows[0]) throw new AppError("NOT_FOUND");
  return toPeoplePage(rows, query.limit);
}
