// Reading access-group members: a group's member list, the people who could join it, and the
// people about to be changed together with the permissions they hold now (for the reach rules).
// Each read is a statement builder as well, so a request can put all it needs into ONE db.batch()
// (every select here names its columns distinctly, as a D1 batch requires).
import { and, eq, isNull, ne, notInArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { jsonList } from "../../db/json-list";
import { accessGroupMembers, accessGroupPermissions, type GlobalRole, users } from "../../db/schema";
import { resolvePermissions } from "../access";
import type { DomainContext } from "../context";
import { selectOwningDirectory } from "../directories/directory-ownership";
import { deriveUserStatus, type UserStatus } from "../users/users";
import { userMatches } from "../users/users-list";
import type { GroupCandidate } from "./group-guards";
import { groupsOfUser, selectGroup, selectGroups, toGroup } from "./groups-read";

export interface GroupMember {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  role: GlobalRole;
  status: UserStatus;
  addedAt: Date;
}

/** A group's members by name, to run alone or inside a db.batch() (map with toGroupMembers). */
export function selectGroupMembers(db: Db, groupId: string) {
  return db
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
}

type GroupMemberRow = Awaited<ReturnType<typeof selectGroupMembers>>[number];

export function toGroupMembers(rows: GroupMemberRow[]): GroupMember[] {
  return rows.map(({ activatedAt, deactivatedAt, ...row }) => ({
    ...row,
    status: deriveUserStatus({ activatedAt, deactivatedAt }),
  }));
}

/** What a people list shows of each person (candidates and members alike). */
const personColumns = {
  id: users.id,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  role: users.role,
};

/** Staff who could join the group: not in it yet, not a CLIENT_USER, not erased; matching `query` when given. */
export function selectMemberCandidates(db: Db, groupId: string, query: string, limit = 25) {
  return db
    .select(personColumns)
    .from(users)
    .where(
      and(
        ne(users.role, "CLIENT_USER"),
        isNull(users.erasedAt),
        notInArray(
          users.id,
          db
            .select({ id: accessGroupMembers.userId })
            .from(accessGroupMembers)
            .where(eq(accessGroupMembers.groupId, groupId)),
        ),
        query.trim() === "" ? undefined : userMatches(query),
      ),
    )
    .orderBy(users.firstName, users.lastName, users.id)
    .limit(limit);
}

/** The ids of a group's members, as a subquery for selectPeople. */
export function membersOf(groupId: string): SQL {
  return sql`(SELECT user_id FROM access_group_members WHERE group_id = ${groupId})`;
}

/**
 * The two reads behind toPeople: the people (not erased) among `userIds` (a list, or a subquery
 * such as membersOf) and the permissions their groups grant them now.
 */
export function selectPeople(db: Db, userIds: string[] | SQL) {
  const ids = Array.isArray(userIds) ? jsonList(userIds) : userIds;
  return [
    db
      .select(personColumns)
      .from(users)
      .where(and(sql`${users.id} IN ${ids}`, isNull(users.erasedAt))),
    db
      .selectDistinct({ userId: accessGroupMembers.userId, permission: accessGroupPermissions.permission })
      .from(accessGroupMembers)
      .innerJoin(accessGroupPermissions, eq(accessGroupPermissions.groupId, accessGroupMembers.groupId))
      .where(sql`${accessGroupMembers.userId} IN ${ids}`),
  ] as const;
}

/** People with the permissions they hold now, keyed by id; erased accounts count as absent. */
export function toPeople(
  rows: Array<Omit<GroupCandidate, "permissions" | "role"> & { role: GlobalRole }>,
  held: Array<{ userId: string; permission: string }>,
): Map<string, GroupCandidate> {
  const heldBy = new Map<string, string[]>();
  for (const { userId, permission } of held) {
    const permissions = heldBy.get(userId);
    if (permissions) permissions.push(permission);
    else heldBy.set(userId, [permission]);
  }
  const people = new Map<string, GroupCandidate>();
  for (const row of rows) {
    people.set(row.id, { ...row, permissions: resolvePermissions(row.role, heldBy.get(row.id) ?? []) });
  }
  return people;
}

/** The (group, user) pairs that exist now among these groups and users (a list or a subquery), for a batch. */
export function selectExistingPairs(db: Db, groupIds: string[], userIds: string[] | SQL) {
  const ids = Array.isArray(userIds) ? jsonList(userIds) : userIds;
  return db
    .select({ groupId: accessGroupMembers.groupId, userId: accessGroupMembers.userId })
    .from(accessGroupMembers)
    .where(
      and(sql`${accessGroupMembers.groupId} IN ${jsonList(groupIds)}`, sql`${accessGroupMembers.userId} IN ${ids}`),
    );
}

/** A group's page in ONE batch: the group, its members and, when `candidates` is given, the people who could join. */
export async function readGroupWithMembers(
  ctx: Pick<DomainContext, "db">,
  groupId: string,
  candidates?: { query: string },
) {
  const [groupRows, memberRows, candidateRows] = await ctx.db.batch([
    selectGroup(ctx.db, groupId),
    selectGroupMembers(ctx.db, groupId),
    // LIMIT 0 when nobody asked: the batch keeps one shape.
    selectMemberCandidates(ctx.db, groupId, candidates?.query ?? "", candidates ? 25 : 0),
  ]);
  const row = groupRows[0];
  if (!row) return null;
  return { group: toGroup(row), members: toGroupMembers(memberRows), candidates: candidates ? candidateRows : null };
}

/**
 * A user's Access groups tab in ONE batch: the user, the groups they are in, every group (to add
 * them to; a handful in practice) and the permissions they hold now.
 */
export async function readUserGroupsTab(ctx: Pick<DomainContext, "db">, userId: string) {
  const [userRows, groupRows, everyGroupRows, peopleRows, held, ownerRows] = await ctx.db.batch([
    ctx.db.select().from(users).where(eq(users.id, userId)).limit(1),
    selectGroups(ctx.db, groupsOfUser(userId)),
    selectGroups(ctx.db),
    ...selectPeople(ctx.db, [userId]),
    selectOwningDirectory(ctx.db, userId),
  ]);
  const subject = userRows[0];
  if (!subject) return null;
  return {
    subject,
    ownedBy: ownerRows[0] ?? null,
    groups: groupRows.map(toGroup),
    everyGroup: everyGroupRows.map(toGroup),
    person: toPeople(peopleRows, held).get(userId),
  };
}

/** The group and the person that a removal names, in one batch (for its confirmation page). */
export async function findGroupAndPerson(ctx: Pick<DomainContext, "db">, groupId: string, userId: string) {
  const [groupRows, userRows] = await ctx.db.batch([
    selectGroup(ctx.db, groupId),
    ctx.db.select().from(users).where(eq(users.id, userId)).limit(1),
  ]);
  const groupRow = groupRows[0];
  const person = userRows[0];
  return groupRow && person ? { group: toGroup(groupRow), person } : null;
}
