// Access groups (docs/PRODUCT.md §1): named bundles of console permissions. This module
// creates, renames, describes and re-permissions them; reads are in groups-read.ts, members in
// group-members.ts, deletion in group-deletion.ts and the reach rules in group-guards.ts. Every change and its audit event are
// one batch; names are unique case-insensitively (the unique index on lower(name) is the judge).
import { eq, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { isUniqueViolation, runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { accessGroupPermissions, accessGroups } from "../../db/schema";
import { AppError } from "../../errors";
import { allPermissions, type Permission } from "../access";
import { insertAuditEvent } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import { multiLineTextSchema, singleLineTextSchema } from "../text";
import { assertMayChangeGroup, assertMayGrant, guardGroupInReach } from "./group-guards";
import { describeGroup, type Group, selectGroup, sortPermissions, toGroup } from "./groups-read";

export const groupNameSchema = singleLineTextSchema("Name")
  .min(1, "Name is required.")
  .max(100, "Name must be at most 100 characters.");
export const groupDescriptionSchema = multiLineTextSchema("Description").max(
  500,
  "Description must be at most 500 characters.",
);
export const permissionListSchema = z
  .array(
    z.enum(
      allPermissions as [Permission, ...Permission[]],
      "Unknown permission; use resource:action, e.g. users:read.",
    ),
  )
  .max(allPermissions.length)
  .transform(sortPermissions);

export const createGroupSchema = z.strictObject({
  name: groupNameSchema,
  description: groupDescriptionSchema.default(""),
  permissions: permissionListSchema.default([]),
});

export const updateGroupSchema = z
  .strictObject({
    name: groupNameSchema.optional(),
    description: groupDescriptionSchema.optional(),
    permissions: permissionListSchema.optional(),
  })
  .refine(
    (value) => Object.values(value).some((field) => field !== undefined),
    "Send at least one of name, description, permissions.",
  );

export type GroupChanges = z.output<typeof updateGroupSchema>;

/** The group that already has this name (case-insensitively), if any, for a batch. */
function selectGroupNamed(ctx: DomainContext, name: string) {
  return ctx.db
    .select({ id: accessGroups.id })
    .from(accessGroups)
    .where(sql`lower(${accessGroups.name}) = lower(${name})`)
    .limit(1);
}

function assertNameFree(taken: Array<{ id: string }>, exceptGroupId?: string): void {
  const other = taken[0];
  if (other && other.id !== exceptGroupId) throw groupNameTakenError();
}

function groupNameTakenError(): AppError {
  return new AppError("GROUP_NAME_TAKEN", {
    fieldErrors: [{ field: "name", message: "An access group with that name already exists." }],
  });
}

async function runGroupBatch(statements: Statement[], ctx: DomainContext): Promise<void> {
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (isUniqueViolation(error, "access_groups_name_unique")) throw groupNameTakenError();
    if (isBatchGuardFailure(error)) {
      throw new AppError("STATE_CONFLICT", {
        detail: "The group was changed or deleted meanwhile. Reload it and try again.",
      });
    }
    throw error;
  }
}

function insertPermissions(ctx: DomainContext, groupId: string, permissions: Permission[]): Statement[] {
  // Two parameters per row and at most 20 rows: one statement stays under D1's 100 parameters.
  return permissions.length === 0
    ? []
    : [ctx.db.insert(accessGroupPermissions).values(permissions.map((permission) => ({ groupId, permission })))];
}

export async function createGroup(ctx: DomainContext, input: z.output<typeof createGroupSchema>): Promise<Group> {
  assertMayGrant(ctx, input.permissions);
  assertNameFree(await selectGroupNamed(ctx, input.name));
  const group: Group = { id: generateId("grp"), ...input, memberCount: 0, createdAt: ctx.now, updatedAt: ctx.now };
  await runGroupBatch(
    [
      ctx.db.insert(accessGroups).values({
        id: group.id,
        name: group.name,
        description: group.description,
        createdAt: ctx.now,
        createdBy: actorUserId(ctx.actor),
        updatedAt: ctx.now,
      }),
      ...insertPermissions(ctx, group.id, group.permissions),
      insertAuditEvent(ctx, {
        action: "group.created",
        target: describeGroup(group),
        details: { description: group.description, permissions: group.permissions },
      }),
    ],
    ctx,
  );
  return group;
}

/** What changed, for the audit event; null when nothing did. */
function describeChanges(group: Group, changes: GroupChanges): Record<string, unknown> | null {
  const details: Record<string, unknown> = {};
  if (changes.name !== undefined && changes.name !== group.name) details.name = { from: group.name, to: changes.name };
  if (changes.description !== undefined && changes.description !== group.description) {
    details.description = { from: group.description, to: changes.description };
  }
  if (changes.permissions !== undefined) {
    const added = changes.permissions.filter((permission) => !group.permissions.includes(permission));
    const removed = group.permissions.filter((permission) => !changes.permissions?.includes(permission));
    if (added.length > 0) details.permissionsAdded = added;
    if (removed.length > 0) details.permissionsRemoved = removed;
  }
  return Object.keys(details).length > 0 ? details : null;
}

export async function updateGroup(ctx: DomainContext, groupId: string, changes: GroupChanges): Promise<Group> {
  // The group and whoever already has the new name, in one batch.
  const [groupRows, taken] = await ctx.db.batch([
    selectGroup(ctx.db, groupId),
    selectGroupNamed(ctx, changes.name ?? ""),
  ]);
  const group = groupRows[0] && toGroup(groupRows[0]);
  if (!group) throw new AppError("NOT_FOUND");
  assertMayChangeGroup(ctx, group);
  if (changes.permissions) assertMayGrant(ctx, changes.permissions);
  const details = describeChanges(group, changes);
  if (!details) return group;
  if (details.name) assertNameFree(taken, group.id);
  const next: Group = {
    ...group,
    name: changes.name ?? group.name,
    description: changes.description ?? group.description,
    permissions: changes.permissions ?? group.permissions,
    updatedAt: ctx.now,
  };
  const permissionsChange = details.permissionsAdded || details.permissionsRemoved;
  await runGroupBatch(
    [
      ...guardGroupInReach(ctx, group.id),
      ctx.db
        .update(accessGroups)
        .set({ name: next.name, description: next.description, updatedAt: ctx.now })
        .where(eq(accessGroups.id, group.id)),
      assertPreviousWriteChangedOneRow(ctx.db),
      ...(permissionsChange
        ? [
            ctx.db.delete(accessGroupPermissions).where(eq(accessGroupPermissions.groupId, group.id)),
            ...insertPermissions(ctx, group.id, next.permissions),
          ]
        : []),
      // The label is the name as it is after this change; `details.name.from` keeps the old one.
      insertAuditEvent(ctx, { action: "group.updated", target: describeGroup(next), details }),
    ],
    ctx,
  );
  return next;
}
