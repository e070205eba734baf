// Reading access-group members: a group's member list, the people who could join it, and the
// people about to be changed together with the permissions they hold now (for the reach rules).
import { and, eq, isNull, ne, notInArray, sql } from "drizzle-orm";
import { accessGroupMembers, accessGroupPermissions, users } from "../db/schema";
import { resolvePermissions } from "./access";
import type { DomainContext } from "./context";
import { type GroupCandidate, jsonList } from "./group-guards";
import { deriveUserStatus, type UserStatus } from "./users";

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
  if (userIds.length === 0) return people;
  const [rows, held] = await ctx.db.batch([
    ctx.db
      .select({ id: users.id, email: users.email, firstName: users.firstName, lastName: users.lastName, role: users.role })
      .from(users)
      .where(and(sql`${users.id} IN ${jsonList(userIds)}`, isNull(users.erasedAt))),
    ctx.db
      .selectDistinct({ userId: accessGroupMembers.userId, permission: accessGroupPermissions.permission })
      .from(accessGroupMembers)
      .innerJoin(accessGroupPermissions, eq(accessGroupPermissions.groupId, accessGroupMembers.groupId))
      .where(sql`${accessGroupMembers.userId} IN ${jsonList(userIds)}`),
  ]);
  for (const row of rows) {
    const permissions = held.filter((entry) => entry.userId === row.id).map((entry) => entry.permission);
    people.set(row.id, { ...row, permissions: resolvePermissions(row.role, permissions) });
  }
  return people;
}

/** The (group, user) pairs among these that exist now, as "groupId userId" keys. */
export async function loadExistingPairs(ctx: DomainContext, groupIds: string[], userIds: string[]): Promise<Set<string>> {
  const rows = await ctx.db
    .select({ groupId: accessGroupMembers.groupId, userId: accessGroupMembers.userId })
    .from(accessGroupMembers)
    .where(and(sql`${accessGroupMembers.groupId} IN ${jsonList(groupIds)}`, sql`${accessGroupMembers.userId} IN ${jsonList(userIds)}`));
  return new Set(rows.map((row) => `${row.groupId} ${row.userId}`));
}
