// Deleting an access group takes its permissions away from every member at once, so it follows
// the member rules too: the actor must be able to take each member out of the group. The batch
// re-checks the member count, so someone added meanwhile is never dropped without an audit event.
import { eq, sql } from "drizzle-orm";
import { runBatch } from "../../db/batch";
import { insertInChunks } from "../../db/chunked-insert";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import {
  accessGroupMembers,
  accessGroupPermissions,
  accessGroups,
  auditEvents,
  directoryGroups,
} from "../../db/schema";
import { AppError } from "../../errors";
import { buildAuditRow, describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { assertMayChangeGroup, assertMayChangeGroupsOf, guardGroupInReach, guardPeopleInReach } from "./group-guards";
import { membersOf, selectGroupMembers, selectPeople, toGroupMembers, toPeople } from "./group-members-read";
import { describeGroup, selectGroup, toGroup } from "./groups-read";

/** Deletes the group and its memberships; returns its name and how many members it had, for the message. */
export async function deleteGroup(ctx: DomainContext, groupId: string): Promise<{ name: string; memberCount: number }> {
  // The group, its members and what each of them holds, in one batch.
  const [groupRows, memberRows, peopleRows, held] = await ctx.db.batch([
    selectGroup(ctx.db, groupId),
    selectGroupMembers(ctx.db, groupId),
    ...selectPeople(ctx.db, membersOf(groupId)),
  ]);
  const group = groupRows[0] && toGroup(groupRows[0]);
  if (!group) throw new AppError("NOT_FOUND");
  assertMayChangeGroup(ctx, group);
  const members = toGroupMembers(memberRows);
  for (const person of toPeople(peopleRows, held).values()) assertMayChangeGroupsOf(ctx, person, false);
  const groupDetails = {
    groupId: group.id,
    groupName: group.name,
    groupPermissions: group.permissions,
    reason: "group_deleted",
  };
  try {
    await runBatch(ctx.db, [
      ...guardGroupInReach(ctx, group.id),
      ...guardPeopleInReach(
        ctx,
        members.map((member) => member.id),
        [],
      ),
      assertCondition(
        ctx.db,
        sql`(SELECT count(*) FROM access_group_members WHERE group_id = ${group.id}) = ${members.length}`,
      ),
      ...insertInChunks(
        ctx.db,
        auditEvents,
        members.map((member) =>
          buildAuditRow(ctx, { action: "group.member_removed", target: describeUser(member), details: groupDetails }),
        ),
      ),
      ctx.db.delete(accessGroupMembers).where(eq(accessGroupMembers.groupId, group.id)),
      ctx.db.delete(accessGroupPermissions).where(eq(accessGroupPermissions.groupId, group.id)),
      // A directory group linked to it loses the link with it (docs/ACCESS.md "Access groups linked to a directory group").
      ctx.db
        .update(directoryGroups)
        .set({ accessGroupId: null, updatedAt: ctx.now })
        .where(eq(directoryGroups.accessGroupId, group.id)),
      ctx.db.delete(accessGroups).where(eq(accessGroups.id, group.id)),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "group.deleted",
        target: describeGroup(group),
        details: { description: group.description, permissions: group.permissions, memberCount: members.length },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) {
      throw new AppError("STATE_CONFLICT", {
        detail: "The group or its members changed meanwhile. Reload it and try again.",
      });
    }
    throw error;
  }
  return { name: group.name, memberCount: members.length };
}
