// Listing users: filters, search and keyset pagination (a page reads at most limit + 1 rows).
import { and, desc, eq, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
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

/** Newest first; a page reads at most `limit + 1` rows whatever the table size. */
export async function listUsers(ctx: Pick<DomainContext, "db">, query: ListUsersQuery): Promise<Page<UserRow>> {
  const conditions: SQL[] = [];
  if (query.query) {
    // instr(), not LIKE: D1 refuses LIKE patterns over 50 bytes, and a substring needs no escaping.
    const needle = query.query.toLowerCase();
    const searched = or(
      sql`instr(${users.email}, ${needle}) > 0`,
      sql`instr(lower(${users.firstName} || ' ' || ${users.lastName}), ${needle}) > 0`,
      sql`instr(lower(${users.displayName}), ${needle}) > 0`,
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
  const rows = await ctx.db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => encodeCursor({ time: row.createdAt.getTime(), id: row.id }));
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
