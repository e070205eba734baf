// Reading access-group members: a group's member list, the people who could join it, and the
// people about to be changed together with the permissions they hold now (for the reach rules).
import { and, eq, inArray, isNull, ne, notInArray, sql } from "drizzle-orm";
import { accessGroupMembers, accessGroupPermissions, users } from "../db/schema";
import { resolvePermissions } from "./access";
import type { DomainContext } from "./context";
import type { GroupCandidate } from "./group-guards";
import { deriveUserStatus, type UserStatus } from "./users";

// D1 binds at most 100 parameters per statement.
export const idsPerStatement = 90;

export function chunk<T>(items: T[], size = idsPerStatement): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

export interface GroupMember {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  role: string;
  status: UserStatus;
  addedAt: Date;
}

export async function listGroupMembers(ctx: Pick<DomainContext, "db">, groupId: string): Promise<GroupMember[]> {
  const rows = await ctx.db
    .select({
      id: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      displayName: users.displayName,
      role: users.role,
      activatedAt: users.activatedAt,
      deactivatedAt: users.deactivatedAt,
      addedAt: accessGroupMembers.addedAt,
    })
    .from(accessGroupMembers)
    .innerJoin(users, eq(users.id, accessGroupMembers.userId))
    .where(eq(accessGroupMembers.groupId, groupId))
    .orderBy(users.firstName, users.lastName, users.id);
  return rows.map(({ activatedAt, deactivatedAt, ...row }) => ({ ...row, status: deriveUserStatus({ activatedAt, deactivatedAt }) }));
}

/** Staff who could join the group: not in it yet, not a CLIENT_USER, not erased; matching `query` when given. */
export async function findMemberCandidates(ctx: Pick<DomainContext, "db">, groupId: string, query: string, limit = 25) {
  const pattern = `%${query
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return ctx.db
    .select({ id: users.id, email: users.email, firstName: users.firstName, lastName: users.lastName, role: users.role })
    .from(users)
    .where(
      and(
        ne(users.role, "CLIENT_USER"),
        isNull(users.erasedAt),
        notInArray(
          users.id,
          ctx.db.select({ id: accessGroupMembers.userId }).from(accessGroupMembers).where(eq(accessGroupMembers.groupId, groupId)),
        ),
        query.trim() === ""
          ? undefined
          : sql`(${users.email} LIKE ${pattern} ESCAPE '\\' OR lower(${users.firstName} || ' ' || ${users.lastName}) LIKE ${pattern} ESCAPE '\\')`,
      ),
    )
    .orderBy(users.firstName, users.lastName, users.id)
    .limit(limit);
}

/** People with the permissions they hold now, keyed by id; erased accounts count as absent. */
export async function loadPeople(ctx: DomainContext, userIds: string[]): Promise<Map<string, GroupCandidate>> {
  const people = new Map<string, GroupCandidate>();
  for (const ids of chunk(userIds)) {
    const [rows, held] = await ctx.db.batch([
      ctx.db
        .select({ id: users.id, email: users.email, firstName: users.firstName, lastName: users.lastName, role: users.role })
        .from(users)
        .where(and(inArray(users.id, ids), isNull(users.erasedAt))),
      ctx.db
        .selectDistinct({ userId: accessGroupMembers.userId, permission: accessGroupPermissions.permission })
        .from(accessGroupMembers)
        .innerJoin(accessGroupPermissions, eq(accessGroupPermissions.groupId, accessGroupMembers.groupId))
        .where(inArray(accessGroupMembers.userId, ids)),
    ]);
    for (const row of rows) {
      const permissions = held.filter((entry) => entry.userId === row.id).map((entry) => entry.permission);
      people.set(row.id, { ...row, permissions: resolvePermissions(row.role, permissions) });
    }
  }
  return people;
}

export async function loadExistingPairs(ctx: DomainContext, groupIds: string[], userIds: string[]): Promise<Set<string>> {
  const pairs = new Set<string>();
  for (const ids of chunk(userIds, idsPerStatement - groupIds.length)) {
    const rows = await ctx.db
      .select({ groupId: accessGroupMembers.groupId, userId: accessGroupMembers.userId })
      .from(accessGroupMembers)
      .where(and(inArray(accessGroupMembers.groupId, groupIds), inArray(accessGroupMembers.userId, ids)));
    for (const row of rows) pairs.add(`${row.groupId} ${row.userId}`);
  }
  return pairs;
}
