// Who is in which access group. Every change of membership, whichever screen or endpoint asks
// for it (a group's member list, a user's Access groups tab, PUT …/members), goes through
// changeGroupMemberships: one set of rules (group-guards.ts), one batch with one audit event per
// person and group. The event's target is the person, so a user's history shows their access.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { isUniqueViolation, runBatch, type Statement } from "../../db/batch";
import { insertInChunks } from "../../db/chunked-insert";
import { isBatchGuardFailure } from "../../db/guards";
import { jsonList } from "../../db/json-list";
import { accessGroupMembers, accessGroups, auditEvents, directories, directoryGroups } from "../../db/schema";
import { AppError } from "../../errors";
import { buildAuditRow, describeUser } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import {
  assertMayChangeGroup,
  assertMayChangeGroupsOf,
  type GroupCandidate,
  guardGroupInReach,
  guardPeopleInReach,
} from "./group-guards";
import { selectExistingPairs, selectPeople, toPeople } from "./group-members-read";
import { type Group, selectGroups, toGroup } from "./groups-read";

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

/** What a change needs to know: the groups, the people with the permissions they hold now, and which pairs exist. */
interface ChangeFacts {
  groups: Map<string, Group>;
  people: Map<string, GroupCandidate>;
  existing: Set<string>;
}

/**
 * Reads ChangeFacts in ONE batch; `userIds` may be a subquery (setGroupMembers adds the group's
 * current members). Refuses groups that do not exist or are out of the actor's reach.
 */
async function readChangeFacts(ctx: DomainContext, groupIds: string[], userIds: string[] | SQL): Promise<ChangeFacts> {
  if (groupIds.length > maximumGroupsAtOnce) {
    throw new AppError("VALIDATION_FAILED", { detail: `At most ${maximumGroupsAtOnce} groups at once.` });
  }
  const [groupRows, peopleRows, held, pairs, linkRows] = await ctx.db.batch([
    selectGroups(ctx.db, sql`${accessGroups.id} IN ${jsonList(groupIds)}`),
    ...selectPeople(ctx.db, userIds),
    selectExistingPairs(ctx.db, groupIds, userIds),
    selectDirectoryLinks(ctx.db, groupIds),
  ]);
  const groups = new Map(groupRows.map(toGroup).map((group) => [group.id, group]));
  for (const groupId of groupIds) {
    const group = groups.get(groupId);
    if (!group) throw new AppError("NOT_FOUND", { detail: "That access group does not exist (any more)." });
    assertMayChangeGroup(ctx, group);
    assertMembersNotDirectoryKept(ctx, group, linkRows);
  }
  return { groups, people: toPeople(peopleRows, held), existing: new Set(pairs.map(pairKey)) };
}

/** The directory groups that keep these access groups' members (directory-sync.ts). */
function selectDirectoryLinks(db: DomainContext["db"], groupIds: string[]) {
  return db
    .select({
      accessGroupId: directoryGroups.accessGroupId,
      groupName: directoryGroups.displayName,
      directoryName: directories.name,
    })
    .from(directoryGroups)
    .innerJoin(directories, eq(directories.id, directoryGroups.directoryId))
    .where(sql`${directoryGroups.accessGroupId} IN ${jsonList(groupIds)}`)
    .limit(maximumGroupsAtOnce);
}

/** A linked access group's members are the directory's to keep: nobody adds or removes them by hand. */
function assertMembersNotDirectoryKept(
  ctx: DomainContext,
  group: Group,
  links: Array<{ accessGroupId: string | null; groupName: string; directoryName: string }>,
): void {
  const link = links.find((row) => row.accessGroupId === group.id);
  if (!link || ctx.actor.kind !== "user") return;
  throw new AppError("STATE_CONFLICT", {
    detail: `The members of “${group.name}” are kept equal to the group “${link.groupName}” of the directory “${link.directoryName}”: change them in ${link.directoryName}.`,
  });
}

function assertPeopleInReach(
  ctx: DomainContext,
  change: MembershipChange,
  people: Map<string, GroupCandidate>,
  userField: string,
): void {
  for (const pair of change.add) {
    const person = people.get(pair.userId);
    if (!person) {
      const message = "No such user.";
      throw new AppError("VALIDATION_FAILED", {
        detail: `No such user: ${pair.userId}.`,
        fieldErrors: [{ field: userField, message }],
      });
    }
    assertMayChangeGroupsOf(ctx, person, true);
  }
  for (const pair of change.remove) {
    const person = people.get(pair.userId);
    if (person) assertMayChangeGroupsOf(ctx, person, false);
  }
}

/** Applies the change (pairs already in the wanted state are skipped); returns how many pairs changed. */
export async function changeGroupMemberships(
  ctx: DomainContext,
  change: MembershipChange,
  userField = "userIds",
): Promise<number> {
  const all = [...change.add, ...change.remove];
  const groupIds = [...new Set(all.map((pair) => pair.groupId))];
  if (groupIds.length === 0) return 0;
  const facts = await readChangeFacts(ctx, groupIds, [...new Set(all.map((pair) => pair.userId))]);
  return applyChange(ctx, change, facts, userField);
}

async function applyChange(
  ctx: DomainContext,
  change: MembershipChange,
  facts: ChangeFacts,
  userField: string,
): Promise<number> {
  const effective: MembershipChange = {
    add: dedupe(change.add).filter((pair) => !facts.existing.has(pairKey(pair))),
    remove: dedupe(change.remove).filter((pair) => facts.existing.has(pairKey(pair))),
  };
  const count = effective.add.length + effective.remove.length;
  if (count > maximumMemberChanges) {
    throw new AppError("VALIDATION_FAILED", { detail: `At most ${maximumMemberChanges} membership changes at once.` });
  }
  assertPeopleInReach(ctx, effective, facts.people, userField);
  if (count === 0) return 0;
  try {
    await runBatch(ctx.db, buildMembershipStatements(ctx, effective, facts.groups, facts.people));
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
    ...guardPeopleInReach(
      ctx,
      [...new Set(all.map((pair) => pair.userId))],
      [...new Set(change.add.map((pair) => pair.userId))],
    ),
  ];
  for (const groupId of touchedGroups) {
    const leaving = change.remove.filter((pair) => pair.groupId === groupId).map((pair) => pair.userId);
    if (leaving.length > 0) {
      statements.push(
        ctx.db
          .delete(accessGroupMembers)
          .where(
            and(eq(accessGroupMembers.groupId, groupId), sql`${accessGroupMembers.userId} IN ${jsonList(leaving)}`),
          ),
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
  const wanted = new Set(userIds);
  // The people read are the wanted ones and the current members, so the existing pairs read in
  // the same batch are exactly the group's current members: no read of their own.
  const wantedAndCurrent = sql`(SELECT value FROM json_each(${JSON.stringify([...wanted])})
    UNION SELECT user_id FROM access_group_members WHERE group_id = ${groupId})`;
  const facts = await readChangeFacts(ctx, [groupId], wantedAndCurrent);
  const current = [...facts.existing].map((key) => key.slice(groupId.length + 1));
  const change = {
    add: [...wanted].map((userId) => ({ groupId, userId })),
    remove: current.filter((userId) => !wanted.has(userId)).map((userId) => ({ groupId, userId })),
  };
  return applyChange(ctx, change, facts, "userIds");
}

/** What changed in one group, named for the message that confirms it. */
export interface GroupMemberChange {
  count: number;
  groupName: string;
  /** The people the change was about, "First Last", in the order asked. */
  peopleNames: string[];
}

function describeGroupChange(facts: ChangeFacts, groupId: string, userIds: string[], count: number): GroupMemberChange {
  return {
    count,
    groupName: facts.groups.get(groupId)?.name ?? "",
    peopleNames: userIds.flatMap((id) => {
      const person = facts.people.get(id);
      return person ? [`${person.firstName} ${person.lastName}`] : [];
    }),
  };
}

export async function addGroupMembers(
  ctx: DomainContext,
  groupId: string,
  userIds: string[],
): Promise<GroupMemberChange> {
  const wanted = [...new Set(userIds)];
  const facts = await readChangeFacts(ctx, [groupId], wanted);
  const change = { add: wanted.map((userId) => ({ groupId, userId })), remove: [] };
  return describeGroupChange(facts, groupId, wanted, await applyChange(ctx, change, facts, "userIds"));
}

export function addUserToGroups(ctx: DomainContext, userId: string, groupIds: string[]): Promise<number> {
  return changeGroupMemberships(ctx, { add: groupIds.map((groupId) => ({ groupId, userId })), remove: [] }, "groupIds");
}

/** Takes one person out of one group; a person who does not exist (or was erased) is not found. */
export async function removeGroupMember(
  ctx: DomainContext,
  groupId: string,
  userId: string,
): Promise<GroupMemberChange> {
  const facts = await readChangeFacts(ctx, [groupId], [userId]);
  if (!facts.people.has(userId)) throw new AppError("NOT_FOUND");
  const count = await applyChange(ctx, { add: [], remove: [{ groupId, userId }] }, facts, "userIds");
  return describeGroupChange(facts, groupId, [userId], count);
}
