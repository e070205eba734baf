// Listing users: filters, search and keyset pagination (a page reads at most limit + 1 rows).
import { and, desc, eq, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import type { Db } from "../../db/client";
import { globalRoles, users } from "../../db/schema";
import type { DomainContext } from "../context";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";
import type { UserRow, UserStatus } from "./users";

export const listUsersQuerySchema = z.strictObject({
  // NFC like the names it is compared with, or a decomposed "é" would find nothing.
  query: z.string().trim().normalize("NFC").max(200).optional(),
  role: z.enum(globalRoles).optional(),
  status: z.enum(["PENDING", "ACTIVE", "DEACTIVATED"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;

export function statusCondition(status: UserStatus): SQL {
  switch (status) {
    case "PENDING":
      return and(isNull(users.activatedAt), isNull(users.deactivatedAt)) as SQL;
    case "ACTIVE":
      return and(isNotNull(users.activatedAt), isNull(users.deactivatedAt)) as SQL;
    case "DEACTIVATED":
      return isNotNull(users.deactivatedAt);
  }
}

/** Active SUPER_ADMINs: who can be asked for access, and who must never drop to none. */
export function activeSuperAdminCondition(): SQL {
  return and(eq(users.role, "SUPER_ADMIN"), statusCondition("ACTIVE")) as SQL;
}

// The same expression as users_search_idx, character for character in meaning, so SQLite can scan
// that index (a few dozen bytes an entry) instead of the rows (hashes and all) for a substring.
const searchText = sql`lower(${users.email} || ' ' || ${users.firstName} || ' ' || ${users.lastName} || ' ' || ${users.displayName})`;

/**
 * Whether a user's email or names contain `query` (case-insensitive). instr(), not LIKE: D1 refuses
 * LIKE patterns over 50 bytes, and a substring needs no escaping.
 */
export function userMatches(query: string): SQL {
  return sql`instr(${searchText}, ${query.trim().toLowerCase()}) > 0`;
}

/** Newest first; the page's query reads at most `limit + 1` rows whatever the table size (alone or in a batch). */
function selectUsersPage(ctx: Pick<DomainContext, "db">, query: ListUsersQuery) {
  const conditions: SQL[] = [];
  if (query.role) conditions.push(eq(users.role, query.role));
  if (query.status) conditions.push(statusCondition(query.status));
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    const after = or(
      lt(users.createdAt, new Date(cursor.time)),
      and(eq(users.createdAt, new Date(cursor.time)), lt(users.id, cursor.id)),
    );
    if (after) conditions.push(after);
  }
  if (query.query) {
    // A substring search cannot seek; scanning the narrow search index for the page's ids and then
    // reading only those rows keeps it cheap even when few of 10,000 users match.
    const filters = conditions.length > 0 ? sql` AND ${and(...conditions)}` : sql``;
    conditions.splice(
      0,
      conditions.length,
      sql`${users.id} IN (SELECT id FROM users INDEXED BY users_search_idx
      WHERE ${userMatches(query.query)}${filters}
      ORDER BY created_at DESC, id DESC LIMIT ${query.limit + 1})`,
    );
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
    ctx.db.select({ value: sql<number>`count(*)` }).from(users).where(activeSuperAdminCondition()),
  ]);
  return { page: toUsersPage(rows, query.limit), activeSuperAdmins: Number(counted[0]?.value ?? 0) };
}

/** Active SUPER_ADMINs, oldest first, to run alone or inside a db.batch(). */
export function selectActiveSuperAdmins(db: Db, limit: number) {
  return db
    .select({ name: users.displayName, email: users.email })
    .from(users)
    .where(activeSuperAdminCondition())
    .orderBy(users.createdAt)
    .limit(limit);
}

/** Active SUPER_ADMINs, to tell people with no access whom to ask. */
export async function listActiveSuperAdmins(ctx: Pick<DomainContext, "db">, limit = 5) {
  return selectActiveSuperAdmins(ctx.db, limit);
}
