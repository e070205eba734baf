// Writing a directory's groups through SCIM (RFC 7644 §3.3, §3.5, §3.6; docs/SCIM.md "Groups"):
// create, replace, patch and delete. One read batch (the group, a name clash, the members to add),
// then one write batch holding the change, its audit events, the directory's last change and the
// recomputation of what the group grants (directory-sync.ts, before the member rows change so it
// sees who leaves). Members change by id in SQL: adding one person to a group of 10,000 reads
// and writes one person. A member must be a user this directory holds (linked, not deleted); any
// other id gets the same invalidValue, whether or not it exists elsewhere.
import { and, eq, ne, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { isUniqueViolation, runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { jsonList } from "../../db/json-list";
import { directoryGroupMembers, directoryGroups, directoryUsers, users } from "../../db/schema";
import { AppError } from "../../errors";
import { type AuditAction, insertAuditEvent } from "../audit/audit";
import {
  buildDirectorySyncStatements,
  membersOfGroupAnd,
  type PendingGroupMembers,
  syncedDirectoryOf,
  touchedUsers,
} from "../directories/directory-sync";
import { type DirectoryContext, recordDirectoryChange } from "./scim-caller";
import { getMember } from "./scim-filter";
import {
  type DirectoryGroupRow,
  type GroupMember,
  groupNotFound,
  selectDirectoryGroup,
  toGroupDocument,
} from "./scim-groups-read";
import {
  applyPatchOperations,
  type MemberChanges,
  type PatchOperation,
  parsePatchRequest,
  splitMemberOperations,
} from "./scim-patch";
import { groupSchemas, groupSchemaUrn } from "./scim-schemas";
import { heldBy } from "./scim-users";

/** Member ids one request may name (each is one bound id, applied in one statement). */
export const maximumMembersPerRequest = 10_000;
const auditedIdsPerEvent = 100;

const groupInputSchema = z.object({
  displayName: z.string("displayName is required.").trim().min(1, "displayName is required.").max(256),
  externalId: z.string("externalId must be a string.").max(256).nullable(),
  members: z
    .array(z.string('Each member needs a "value": the id of a user.').min(1).max(200))
    .max(maximumMembersPerRequest, `At most ${maximumMembersPerRequest} members per request.`),
});

/** The fields as the schema reads them, or invalidValue with every problem. */
function parseGroupFields<T extends z.ZodType>(schema: T, fields: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  throw new AppError("SCIM_INVALID_VALUE", { detail: parsed.error.issues.map((issue) => issue.message).join(" ") });
}

/** The name and externalId after a PATCH's other operations (RFC 7644 §3.5.2, applied by scim-patch.ts). */
function applyGroupAttributes(group: DirectoryGroupRow, operations: PatchOperation[]): DirectoryGroupRow {
  if (operations.length === 0) return group;
  const before = {
    schemas: [groupSchemaUrn],
    id: group.id,
    displayName: group.displayName,
    externalId: group.externalId ?? undefined,
  };
  const after = applyPatchOperations(before, operations, groupSchemas);
  if (getMember(after, "id") !== group.id)
    throw new AppError("SCIM_MUTABILITY", { detail: "A group's id never changes." });
  const fields = parseGroupFields(groupInputSchema.pick({ displayName: true, externalId: true }), {
    displayName: getMember(after, "displayName"),
    externalId: getMember(after, "externalId") ?? null,
  });
  return { ...group, ...fields };
}

type GroupInput = z.output<typeof groupInputSchema>;

/** A Group body (POST, PUT): attribute names are case-insensitive; `id` and `meta` are the server's and ignored. */
function readGroupInput(body: unknown): GroupInput {
  const schemas = getMember(body, "schemas");
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(groupSchemaUrn))) {
    throw new AppError("SCIM_INVALID_VALUE", { detail: `schemas must list ${groupSchemaUrn}.` });
  }
  const members = getMember(body, "members");
  const input = parseGroupFields(groupInputSchema, {
    displayName: getMember(body, "displayName"),
    externalId: getMember(body, "externalId") ?? null,
    members: [members ?? []].flat().map((member) => getMember(member, "value")),
  });
  return { ...input, members: [...new Set(input.members)] };
}

function selectNameClash(ctx: DirectoryContext, displayName: string, exceptGroupId: string | null) {
  const conditions: SQL[] = [
    eq(directoryGroups.directoryId, ctx.actor.directory.id),
    sql`lower(${directoryGroups.displayName}) = lower(${displayName})`,
  ];
  if (exceptGroupId) conditions.push(ne(directoryGroups.id, exceptGroupId));
  return ctx.db
    .select({ id: directoryGroups.id })
    .from(directoryGroups)
    .where(and(...conditions))
    .limit(1);
}

/** The users among `userIds` this directory holds, with the name a member shows. */
function selectDirectoryMembers(ctx: DirectoryContext, userIds: readonly string[]) {
  return ctx.db
    .select({ userId: users.id, displayName: users.displayName })
    .from(directoryUsers)
    .innerJoin(users, eq(users.id, directoryUsers.userId))
    .where(and(heldBy(ctx.actor.directory.id), sql`${directoryUsers.userId} IN ${jsonList(userIds)}`))
    .orderBy(directoryUsers.userId);
}

function uniquenessError(displayName: string): AppError {
  return new AppError("SCIM_UNIQUENESS", {
    detail: `A group named "${displayName}" already exists in this directory.`,
  });
}

function assertMembersHeld(asked: Iterable<string>, held: readonly GroupMember[]): void {
  const heldIds = new Set(held.map((member) => member.userId));
  const stranger = [...asked].find((id) => !heldIds.has(id));
  if (stranger !== undefined) {
    throw new AppError("SCIM_INVALID_VALUE", { detail: `The member "${stranger}" is not a user of this directory.` });
  }
}

/** The reads every write needs, in one batch. */
async function readWriteFacts(
  ctx: DirectoryContext,
  groupId: string | null,
  displayName: string | undefined,
  memberIds: readonly string[],
) {
  const [groupRows, clashRows, memberRows] = await ctx.db.batch([
    selectDirectoryGroup(ctx.db, ctx.actor.directory.id, groupId ?? ""),
    selectNameClash(ctx, displayName ?? "", groupId),
    selectDirectoryMembers(ctx, memberIds),
  ]);
  if (groupId !== null && !groupRows[0]) throw groupNotFound();
  if (displayName !== undefined && clashRows[0]) throw uniquenessError(displayName);
  assertMembersHeld(memberIds, memberRows);
  return { group: groupRows[0] ?? null, members: memberRows };
}

function buildMemberWrites(ctx: DirectoryContext, groupId: string, changes: MemberChanges): Statement[] {
  const statements: Statement[] = [];
  if (changes.removeAll) {
    statements.push(ctx.db.delete(directoryGroupMembers).where(eq(directoryGroupMembers.groupId, groupId)));
  } else if (changes.remove.size > 0) {
    statements.push(
      ctx.db
        .delete(directoryGroupMembers)
        .where(
          and(
            eq(directoryGroupMembers.groupId, groupId),
            sql`${directoryGroupMembers.userId} IN ${jsonList(changes.remove)}`,
          ),
        ),
    );
  }
  if (changes.add.size > 0) {
    // Only users the directory holds at this moment: a user deleted since the read is left out.
    statements.push(
      ctx.db
        .insert(directoryGroupMembers)
        .select(sql`SELECT ${groupId}, du.user_id, ${ctx.now.getTime()} FROM directory_users AS du
          WHERE du.directory_id = ${ctx.actor.directory.id} AND du.deleted_at IS NULL AND du.user_id IN ${jsonList(changes.add)}`)
        .onConflictDoNothing(),
    );
  }
  return statements;
}

/** What the group grants, recomputed for the people the change touches (nothing when it grants nothing). */
function buildGrantStatements(ctx: DirectoryContext, group: DirectoryGroupRow, changes: MemberChanges): Statement[] {
  if (group.mappedRole === null && group.accessGroupId === null) return [];
  const { directory } = ctx.actor;
  const pending: PendingGroupMembers = {
    groupId: group.id,
    add: [...changes.add],
    remove: [...changes.remove],
    removeAll: changes.removeAll,
  };
  const named = touchedUsers([...changes.add, ...changes.remove]);
  const touched = changes.removeAll ? membersOfGroupAnd(group.id, named) : named;
  return buildDirectorySyncStatements(ctx, syncedDirectoryOf(directory), touched, pending);
}

function auditGroup(
  ctx: DirectoryContext,
  action: AuditAction,
  group: { id: string; displayName: string },
  details: Record<string, unknown>,
) {
  return insertAuditEvent(ctx, {
    action,
    target: { type: "directory_group", id: group.id, label: group.displayName },
    tenantId: ctx.actor.directory.tenant?.id ?? null,
    details: { directoryId: ctx.actor.directory.id, ...details },
  });
}

/** The group's row takes `updated`'s name and externalId; the guard makes a group deleted since the read a 404. */
function buildGroupUpdate(ctx: DirectoryContext, updated: DirectoryGroupRow): Statement[] {
  return [
    ctx.db
      .update(directoryGroups)
      .set({ displayName: updated.displayName, externalId: updated.externalId, updatedAt: ctx.now })
      .where(eq(directoryGroups.id, updated.id)),
    assertPreviousWriteChangedOneRow(ctx.db),
  ];
}

function auditGroupUpdate(ctx: DirectoryContext, group: DirectoryGroupRow, updated: DirectoryGroupRow) {
  return auditGroup(ctx, "directory.group_updated", updated, {
    from: { displayName: group.displayName, externalId: group.externalId },
    to: { displayName: updated.displayName, externalId: updated.externalId },
  });
}

function describeMemberChanges(changes: MemberChanges): Record<string, unknown> {
  return {
    removedAll: changes.removeAll,
    addedCount: changes.add.size,
    removedCount: changes.remove.size,
    added: [...changes.add].slice(0, auditedIdsPerEvent),
    removed: [...changes.remove].slice(0, auditedIdsPerEvent),
  };
}

function hasMemberChanges(changes: MemberChanges): boolean {
  return changes.removeAll || changes.add.size > 0 || changes.remove.size > 0;
}

async function runGroupWrite(statements: Statement[], ctx: DirectoryContext, displayName: string): Promise<void> {
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (isUniqueViolation(error, "directory_groups")) throw uniquenessError(displayName);
    if (isBatchGuardFailure(error)) throw groupNotFound();
    throw error;
  }
}

export async function createScimGroup(ctx: DirectoryContext, body: unknown) {
  const input = readGroupInput(body);
  const { members } = await readWriteFacts(ctx, null, input.displayName, input.members);
  const group: DirectoryGroupRow = {
    id: generateId("dgrp"),
    directoryId: ctx.actor.directory.id,
    displayName: input.displayName,
    externalId: input.externalId,
    mappedRole: null,
    accessGroupId: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const changes: MemberChanges = { removeAll: false, add: new Set(input.members), remove: new Set() };
  await runGroupWrite(
    [
      ctx.db.insert(directoryGroups).values(group),
      ...buildMemberWrites(ctx, group.id, changes),
      auditGroup(ctx, "directory.group_created", group, { externalId: group.externalId, memberCount: members.length }),
      recordDirectoryChange(ctx),
    ],
    ctx,
    input.displayName,
  );
  return toGroupDocument(ctx, group, members);
}

/** PUT: the name, externalId and members become exactly the body's (members left out: none). */
export async function replaceScimGroup(ctx: DirectoryContext, groupId: string, body: unknown) {
  const input = readGroupInput(body);
  const facts = await readWriteFacts(ctx, groupId, input.displayName, input.members);
  const group = facts.group as DirectoryGroupRow;
  const changes: MemberChanges = { removeAll: true, add: new Set(input.members), remove: new Set() };
  const updated = { ...group, displayName: input.displayName, externalId: input.externalId, updatedAt: ctx.now };
  await runGroupWrite(
    [
      ...buildGroupUpdate(ctx, updated),
      ...buildGrantStatements(ctx, group, changes),
      ...buildMemberWrites(ctx, group.id, changes),
      auditGroupUpdate(ctx, group, updated),
      auditGroup(ctx, "directory.group_members_changed", updated, describeMemberChanges(changes)),
      recordDirectoryChange(ctx),
    ],
    ctx,
    input.displayName,
  );
  return toGroupDocument(ctx, updated, facts.members);
}

/** PATCH: answered 204 (RFC 7644 §3.5.2 allows it), so a member change never reads the members back. */
export async function patchScimGroup(ctx: DirectoryContext, groupId: string, body: unknown): Promise<void> {
  const { memberChanges: changes, otherOperations } = splitMemberOperations(parsePatchRequest(body));
  if (changes.add.size + changes.remove.size > maximumMembersPerRequest) {
    throw new AppError("SCIM_TOO_MANY", { detail: `At most ${maximumMembersPerRequest} members per request.` });
  }
  // A new name's clash is the unique index's to find (runGroupWrite answers uniqueness).
  const facts = await readWriteFacts(ctx, groupId, undefined, [...changes.add]);
  const group = facts.group as DirectoryGroupRow;
  const updated = applyGroupAttributes(group, otherOperations);
  const renamed = updated.displayName !== group.displayName || updated.externalId !== group.externalId;
  // Nothing to write, so nothing unaudited is written (Okta resends what it already sent).
  if (!renamed && !hasMemberChanges(changes)) return;
  const statements: Statement[] = [
    ...buildGroupUpdate(ctx, updated),
    ...buildGrantStatements(ctx, group, changes),
    ...buildMemberWrites(ctx, group.id, changes),
    recordDirectoryChange(ctx),
  ];
  if (renamed) {
    statements.push(auditGroupUpdate(ctx, group, updated));
  }
  if (hasMemberChanges(changes)) {
    statements.push(auditGroup(ctx, "directory.group_members_changed", updated, describeMemberChanges(changes)));
  }
  await runGroupWrite(statements, ctx, updated.displayName);
}

/** DELETE: the group and its member rows go; what it granted is recomputed for its members. */
export async function deleteScimGroup(ctx: DirectoryContext, groupId: string): Promise<void> {
  const [group] = await selectDirectoryGroup(ctx.db, ctx.actor.directory.id, groupId);
  if (!group) throw groupNotFound();
  const changes: MemberChanges = { removeAll: true, add: new Set(), remove: new Set() };
  await runGroupWrite(
    [
      ...buildGrantStatements(ctx, group, changes),
      ...buildMemberWrites(ctx, group.id, changes),
      ctx.db.delete(directoryGroups).where(eq(directoryGroups.id, group.id)),
      assertPreviousWriteChangedOneRow(ctx.db),
      auditGroup(ctx, "directory.group_deleted", group, {
        externalId: group.externalId,
        mappedRole: group.mappedRole,
        accessGroupId: group.accessGroupId,
      }),
      recordDirectoryChange(ctx),
    ],
    ctx,
    group.displayName,
  );
}
