// Who is in which access group. Every change of membership, whichever screen or endpoint asks
// for it (a group's member list, a user's Access groups tab, PUT …/members), goes through
// changeGroupMemberships: one set of rules (group-guards.ts), one batch with one audit event per
// person and group. The event's target is the person, so a user's history shows their access.
import { and, eq, inArray, isNull, ne, notInArray, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../db/batch";
import { insertInChunks } from "../db/chunked-insert";
import { isBatchGuardFailure } from "../db/guards";
import { accessGroupMembers, accessGroupPermissions, accessGroups, auditEvents, users } from "../db/schema";
import { AppError } from "../errors";
import { resolvePermissions } from "./access";
import { buildAuditRow, describeUser } from "./audit";
import { actorUserId, type DomainContext } from "./context";
import { assertMayChangeGroup, assertMayChangeGroupsOf, type GroupCandidate, guardGroupInReach, guardPeopleInReach } from "./group-guards";
import { findGroups, type Group } from "./groups";
import { deriveUserStatus, type UserStatus } from "./users";

/** At most this many people change in one request (each change is a row and an audit event). */
export const maximumMemberChanges = 500;
export const maximumGroupsAtOnce = 50;
// D1 binds at most 100 parameters per statement.
const idsPerStatement = 90;

function chunk<T>(items: T[], size = idsPerStatement): T[][] {
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

async function loadExistingPairs(ctx: DomainContext, groupIds: string[], userIds: string[]): Promise<Set<string>> {
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

export interface Pair {
  groupId: string;
  userId: string;
}

export interface MembershipChange {
  add: Pair[];
  remove: Pair[];
}

function unknownUserError(userId: string, field: string): AppError {
  return new AppError("VALIDATION_FAILED", { detail: `No such user: ${userId}.`, fieldErrors: [{ field, message: "No such user." }] });
}

/** Applies the change (pairs already in the wanted state are skipped); returns how many pairs changed. */
export async function changeGroupMemberships(ctx: DomainContext, change: MembershipChange, userField = "userIds"): Promise<number> {
  const groupIds = [...new Set([...change.add, ...change.remove].map((pair) => pair.groupId))];
  const userIds = [...new Set([...change.add, ...change.remove].map((pair) => pair.userId))];
  if (groupIds.length === 0) return 0;
  if (groupIds.length > maximumGroupsAtOnce) {
    throw new AppError("VALIDATION_FAILED", { detail: `At most ${maximumGroupsAtOnce} groups at once.` });
  }
  const groups = new Map((await findGroups(ctx, inArray(accessGroups.id, groupIds))).map((group) => [group.id, group]));
  for (const groupId of groupIds) {
    const group = groups.get(groupId);
    if (!group) throw new AppError("NOT_FOUND", { detail: "That access group does not exist (any more)." });
    assertMayChangeGroup(ctx, group);
  }
  const [people, existing] = await Promise.all([loadPeople(ctx, userIds), loadExistingPairs(ctx, groupIds, userIds)]);
  const isMember = (pair: Pair) => existing.has(`${pair.groupId} ${pair.userId}`);
  const add = dedupe(change.add).filter((pair) => !isMember(pair));
  const remove = dedupe(change.remove).filter(isMember);
  if (add.length + remove.length > maximumMemberChanges) {
    throw new AppError("VALIDATION_FAILED", { detail: `At most ${maximumMemberChanges} membership changes at once.` });
  }
  for (const pair of add) {
    const person = people.get(pair.userId);
    if (!person) throw unknownUserError(pair.userId, userField);
    assertMayChangeGroupsOf(ctx, person, true);
  }
  for (const pair of remove) {
    const person = people.get(pair.userId);
    if (person) assertMayChangeGroupsOf(ctx, person, false);
  }
  if (add.length + remove.length === 0) return 0;
  await runBatch(ctx.db, buildMembershipStatements(ctx, { add, remove }, groups, people)).catch((error) => {
    if (isBatchGuardFailure(error) || String(error).includes("UNIQUE constraint failed")) {
      throw new AppError("STATE_CONFLICT", {
        detail: "Someone changed these groups, permissions or roles meanwhile. Reload and try again.",
      });
    }
    throw error;
  });
  return add.length + remove.length;
}

function dedupe(pairs: Pair[]): Pair[] {
  const seen = new Map(pairs.map((pair) => [`${pair.groupId} ${pair.userId}`, pair]));
  return [...seen.values()];
}

function buildMembershipStatements(
  ctx: DomainContext,
  change: MembershipChange,
  groups: Map<string, Group>,
  people: Map<string, GroupCandidate>,
): Statement[] {
  const touchedGroups = [...new Set([...change.add, ...change.remove].map((pair) => pair.groupId))];
  const statements: Statement[] = [
    ...touchedGroups.flatMap((groupId) => guardGroupInReach(ctx, groupId)),
    ...guardPeopleInReach(
      ctx,
      [...new Set([...change.add, ...change.remove].map((pair) => pair.userId))],
      [...new Set(change.add.map((pair) => pair.userId))],
    ),
  ];
  for (const groupId of touchedGroups) {
    const leaving = change.remove.filter((pair) => pair.groupId === groupId).map((pair) => pair.userId);
    for (const ids of chunk(leaving)) {
      statements.push(
        ctx.db.delete(accessGroupMembers).where(and(eq(accessGroupMembers.groupId, groupId), inArray(accessGroupMembers.userId, ids))),
      );
    }
  }
  const addedBy = actorUserId(ctx.actor);
  statements.push(
    ...insertInChunks(
      ctx.db,
      accessGroupMembers,
      change.add.map((pair) => ({ ...pair, addedAt: ctx.now, addedBy })),
    ),
  );
  const auditRows = [
    ...change.add.map((pair) => ({ pair, action: "group.member_added" as const })),
    ...change.remove.map((pair) => ({ pair, action: "group.member_removed" as const })),
  ].map(({ pair, action }) => {
    const group = groups.get(pair.groupId) as Group;
    const person = people.get(pair.userId);
    return buildAuditRow(ctx, {
      action,
      target: person ? describeUser(person) : { type: "user", id: pair.userId, label: null },
      details: { groupId: group.id, groupName: group.name, groupPermissions: group.permissions },
    });
  });
  statements.push(...insertInChunks(ctx.db, auditEvents, auditRows));
  return statements;
}

/** Replaces the group's members with exactly `userIds` (PUT /api/v1/access-groups/{id}/members). */
export async function setGroupMembers(ctx: DomainContext, groupId: string, userIds: string[]): Promise<number> {
  const [group] = await findGroups(ctx, eq(accessGroups.id, groupId));
  if (!group) throw new AppError("NOT_FOUND");
  assertMayChangeGroup(ctx, group);
  const current = await ctx.db
    .select({ userId: accessGroupMembers.userId })
    .from(accessGroupMembers)
    .where(eq(accessGroupMembers.groupId, groupId));
  const wanted = new Set(userIds);
  return changeGroupMemberships(ctx, {
    add: [...wanted].map((userId) => ({ groupId, userId })),
    remove: current.filter((row) => !wanted.has(row.userId)).map((row) => ({ groupId, userId: row.userId })),
  });
}

export function addGroupMembers(ctx: DomainContext, groupId: string, userIds: string[]): Promise<number> {
  return changeGroupMemberships(ctx, { add: userIds.map((userId) => ({ groupId, userId })), remove: [] });
}

export function addUserToGroups(ctx: DomainContext, userId: string, groupIds: string[]): Promise<number> {
  return changeGroupMemberships(ctx, { add: groupIds.map((groupId) => ({ groupId, userId })), remove: [] }, "groupIds");
}

export function removeGroupMember(ctx: DomainContext, groupId: string, userId: string): Promise<number> {
  return changeGroupMemberships(ctx, { add: [], remove: [{ groupId, userId }] });
}
