// Who is in which access group. Every change of membership, whichever screen or endpoint asks
// for it (a group's member list, a user's Access groups tab, PUT …/members), goes through
// changeGroupMemberships: one set of rules (group-guards.ts), one batch with one audit event per
// person and group. The event's target is the person, so a user's history shows their access.
import { and, eq, inArray, sql } from "drizzle-orm";
import { isUniqueViolation, runBatch, type Statement } from "../db/batch";
import { insertInChunks } from "../db/chunked-insert";
import { isBatchGuardFailure } from "../db/guards";
import { accessGroupMembers, accessGroups, auditEvents } from "../db/schema";
import { AppError } from "../errors";
import { buildAuditRow, describeUser } from "./audit";
import { actorUserId, type DomainContext } from "./context";
import {
  assertMayChangeGroup,
  assertMayChangeGroupsOf,
  type GroupCandidate,
  guardGroupInReach,
  guardPeopleInReach,
  jsonList,
} from "./group-guards";
import { loadExistingPairs, loadPeople } from "./group-members-read";
import { findGroups, type Group } from "./groups-read";

/** At most this many people change in one request (each change is a row and an audit event). */
export const maximumMemberChanges = 500;
export const maximumGroupsAtOnce = 50;

export interface Pair {
  groupId: string;
  userId: string;
}

export interface MembershipChange {
  add: Pair[];
  remove: Pair[];
}

function pairKey(pair: Pair): string {
  return `${pair.groupId} ${pair.userId}`;
}

function dedupe(pairs: Pair[]): Pair[] {
  return [...new Map(pairs.map((pair) => [pairKey(pair), pair])).values()];
}

async function loadGroupsInReach(ctx: DomainContext, groupIds: string[]): Promise<Map<string, Group>> {
  if (groupIds.length > maximumGroupsAtOnce) {
    throw new AppError("VALIDATION_FAILED", { detail: `At most ${maximumGroupsAtOnce} groups at once.` });
  }
  const groups = new Map((await findGroups(ctx, inArray(accessGroups.id, groupIds))).map((group) => [group.id, group]));
  for (const groupId of groupIds) {
    const group = groups.get(groupId);
    if (!group) throw new AppError("NOT_FOUND", { detail: "That access group does not exist (any more)." });
    assertMayChangeGroup(ctx, group);
  }
  return groups;
}

function assertPeopleInReach(ctx: DomainContext, change: MembershipChange, people: Map<string, GroupCandidate>, userField: string): void {
  for (const pair of change.add) {
    const person = people.get(pair.userId);
    if (!person) {
      const message = "No such user.";
      throw new AppError("VALIDATION_FAILED", { detail: `No such user: ${pair.userId}.`, fieldErrors: [{ field: userField, message }] });
    }
    assertMayChangeGroupsOf(ctx, person, true);
  }
  for (const pair of change.remove) {
    const person = people.get(pair.userId);
    if (person) assertMayChangeGroupsOf(ctx, person, false);
  }
}

/** Applies the change (pairs already in the wanted state are skipped); returns how many pairs changed. */
export async function changeGroupMemberships(ctx: DomainContext, change: MembershipChange, userField = "userIds"): Promise<number> {
  const all = [...change.add, ...change.remove];
  const groupIds = [...new Set(all.map((pair) => pair.groupId))];
  if (groupIds.length === 0) return 0;
  const groups = await loadGroupsInReach(ctx, groupIds);
  const userIds = [...new Set(all.map((pair) => pair.userId))];
  const [people, existing] = await Promise.all([loadPeople(ctx, userIds), loadExistingPairs(ctx, groupIds, userIds)]);
  const effective: MembershipChange = {
    add: dedupe(change.add).filter((pair) => !existing.has(pairKey(pair))),
    remove: dedupe(change.remove).filter((pair) => existing.has(pairKey(pair))),
  };
  const count = effective.add.length + effective.remove.length;
  if (count > maximumMemberChanges) {
    throw new AppError("VALIDATION_FAILED", { detail: `At most ${maximumMemberChanges} membership changes at once.` });
  }
  assertPeopleInReach(ctx, effective, people, userField);
  if (count === 0) return 0;
  try {
    await runBatch(ctx.db, buildMembershipStatements(ctx, effective, groups, people));
  } catch (error) {
    if (isBatchGuardFailure(error) || isUniqueViolation(error, "access_group_members")) {
      throw new AppError("STATE_CONFLICT", {
        detail: "Someone changed these groups, permissions or roles meanwhile. Reload and try again.",
      });
    }
    throw error;
  }
  return count;
}

function buildMembershipStatements(
  ctx: DomainContext,
  change: MembershipChange,
  groups: Map<string, Group>,
  people: Map<string, GroupCandidate>,
): Statement[] {
  const all = [...change.add, ...change.remove];
  const touchedGroups = [...new Set(all.map((pair) => pair.groupId))];
  const statements: Statement[] = [
    ...touchedGroups.flatMap((groupId) => guardGroupInReach(ctx, groupId)),
    ...guardPeopleInReach(ctx, [...new Set(all.map((pair) => pair.userId))], [...new Set(change.add.map((pair) => pair.userId))]),
  ];
  for (const groupId of touchedGroups) {
    const leaving = change.remove.filter((pair) => pair.groupId === groupId).map((pair) => pair.userId);
    if (leaving.length > 0) {
      statements.push(
        ctx.db
          .delete(accessGroupMembers)
          .where(and(eq(accessGroupMembers.groupId, groupId), sql`${accessGroupMembers.userId} IN ${jsonList(leaving)}`)),
      );
    }
  }
  const addedBy = actorUserId(ctx.actor);
  const rows = change.add.map((pair) => ({ ...pair, addedAt: ctx.now, addedBy }));
  statements.push(...insertInChunks(ctx.db, accessGroupMembers, rows));
  statements.push(...insertInChunks(ctx.db, auditEvents, membershipAuditRows(ctx, change, groups, people)));
  return statements;
}

function membershipAuditRows(
  ctx: DomainContext,
  change: MembershipChange,
  groups: Map<string, Group>,
  people: Map<string, GroupCandidate>,
) {
  const events = [
    ...change.add.map((pair) => ({ pair, action: "group.member_added" as const })),
    ...change.remove.map((pair) => ({ pair, action: "group.member_removed" as const })),
  ];
  return events.map(({ pair, action }) => {
    const group = groups.get(pair.groupId) as Group;
    const person = people.get(pair.userId);
    return buildAuditRow(ctx, {
      action,
      target: person ? describeUser(person) : { type: "user", id: pair.userId, label: null },
      details: { groupId: group.id, groupName: group.name, groupPermissions: group.permissions },
    });
  });
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
