// Listing users: filters, search and keyset pagination (a page reads at most limit + 1 rows).
import { and, desc, eq, isNotNull, isNull, like, lt, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { globalRoles, users } from "../db/schema";
import type { DomainContext } from "./context";
import { decodeCursor, encodeCursor, type Page, toPage } from "./pagination";
import type { UserRow, UserStatus } from "./users";

export const listUsersQuerySchema = z.strictObject({
  query: z.string().trim().max(200).optional(),
  role: z.enum(globalRoles).optional(),
  status: z.enum(["PENDING", "ACTIVE", "DEACTIVATED"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;

function statusCondition(status: UserStatus): SQL {
  switch (status) {
    case "PENDING":
      return and(isNull(users.activatedAt), isNull(users.deactivatedAt)) as SQL;
    case "ACTIVE":
      return and(isNotNull(users.activatedAt), isNull(users.deactivatedAt)) as SQL;
    case "DEACTIVATED":
      return isNotNull(users.deactivatedAt);
  }
}

/** Newest first; the page's query reads at most `limit + 1` rows whatever the table size (alone or in a batch). */
function selectUsersPage(ctx: Pick<DomainContext, "db">, query: ListUsersQuery) {
  const conditions: SQL[] = [];
  if (query.query) {
    const pattern = `%${query.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const searched = or(
      like(users.email, pattern),
      sql`lower(${users.firstName} || ' ' || ${users.lastName}) LIKE ${pattern} ESCAPE '\\'`,
      sql`lower(${users.displayName}) LIKE ${pattern} ESCAPE '\\'`,
    );
    if (searched) conditions.push(searched);
  }
  if (query.role) conditions.push(eq(users.role, query.role));
  if (query.status) conditions.push(statusCondition(query.status));
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    const after = or(lt(users.createdAt, new Date(cursor.time)), and(eq(users.createdAt, new Date(cursor.time)), lt(users.id, cursor.id)));
    if (after) conditions.push(after);
  }
  return ctx.db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(query.limit + 1);
}

function toUsersPage(rows: UserRow[], limit: number): Page<UserRow> {
  return toPage(rows, limit, (row) => encodeCursor({ time: row.createdAt.getTime(), id: row.id }));
}

/** Newest first; a page reads at most `limit + 1` rows whatever the table size. */
export async function listUsers(ctx: Pick<DomainContext, "db">, query: ListUsersQuery): Promise<Page<UserRow>> {
  return toUsersPage(await selectUsersPage(ctx, query), query.limit);
}

/** A page of users and how many SUPER_ADMINs are active (the Users page hints above three), in one batch. */
export async function listUsersWithSuperAdminCount(ctx: Pick<DomainContext, "db">, query: ListUsersQuery) {
  const [rows, counted] = await ctx.db.batch([
    selectUsersPage(ctx, query),
    ctx.db
      .select({ value: sql<number>`count(*)` })
      .from(users)
      .where(and(eq(users.role, "SUPER_ADMIN"), isNotNull(users.activatedAt), isNull(users.deactivatedAt))),
  ]);
  return { page: toUsersPage(rows, query.limit), activeSuperAdmins: Number(counted[0]?.value ?? 0) };
}

/** Active SUPER_ADMINs, to tell people with no access whom to ask. */
export async function listActiveSuperAdmins(ctx: Pick<DomainContext, "db">, limit = 5) {
  return ctx.db
    .select({ name: users.displayName, email: users.email })
    .from(users)
    .where(and(eq(users.role, "SUPER_ADMIN"), isNotNull(users.activatedAt), isNull(users.deactivatedAt)))
    .orderBy(users.createdAt)
    .limit(limit);
}
