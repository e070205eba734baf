// Access groups (SPEC §1 "Access groups"): named bundles of console permissions. This module
// reads them and creates, renames, describes, re-permissions and deletes them; members live in
// group-members.ts and the reach rules in group-guards.ts. Every change and its audit event are
// one batch; names are unique case-insensitively (the unique index on lower(name) is the judge).
import { and, asc, eq, gt, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../auth/crypto";
import { isUniqueViolation, runBatch, type Statement } from "../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../db/guards";
import { accessGroupPermissions, accessGroups } from "../db/schema";
import { AppError } from "../errors";
import { allPermissions, isPermission, type Permission } from "./access";
import { type AuditTarget, insertAuditEvent } from "./audit";
import { actorUserId, type DomainContext } from "./context";
import { assertMayChangeGroup, assertMayGrant, guardGroupInReach } from "./group-guards";
import { decodeCursor, encodeCursor, type Page, toPage } from "./pagination";

export const groupNameSchema = z.string().trim().min(1, "Name is required.").max(100, "Name must be at most 100 characters.");
export const groupDescriptionSchema = z.string().trim().max(500, "Description must be at most 500 characters.");
export const permissionListSchema = z
  .array(z.enum(allPermissions as [Permission, ...Permission[]], "Unknown permission; use resource:action, e.g. users:read."))
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
  .refine((value) => Object.values(value).some((field) => field !== undefined), "Send at least one of name, description, permissions.");

export type GroupChanges = z.output<typeof updateGroupSchema>;

/** Deduplicated, in matrix order (users, memberships, tenants, groups, audit × read, create, update, delete). */
export function sortPermissions(permissions: Iterable<string>): Permission[] {
  const wanted = new Set(permissions);
  return allPermissions.filter((permission) => wanted.has(permission));
}

export interface Group {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toGroupDto(group: Group) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    permissions: group.permissions,
    memberCount: group.memberCount,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

export function describeGroup(group: { id: string; name: string }): AuditTarget {
  return { type: "group", id: group.id, label: group.name };
}

const groupSelection = {
  id: accessGroups.id,
  name: accessGroups.name,
  description: accessGroups.description,
  createdAt: accessGroups.createdAt,
  updatedAt: accessGroups.updatedAt,
  permissionList: sql<
    string | null
  >`(SELECT group_concat(p.permission, ' ') FROM access_group_permissions AS p WHERE p.group_id = ${accessGroups.id})`,
  memberCount: sql<number>`(SELECT count(*) FROM access_group_members AS m WHERE m.group_id = ${accessGroups.id})`,
};

interface GroupSelectionRow {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  permissionList: string | null;
  memberCount: number;
}

function toGroup(row: GroupSelectionRow): Group {
  const permissions = sortPermissions((row.permissionList ?? "").split(" ").filter(isPermission));
  return { ...row, permissions, memberCount: Number(row.memberCount) };
}

export async function findGroup(ctx: Pick<DomainContext, "db">, groupId: string): Promise<Group | null> {
  const [row] = await ctx.db.select(groupSelection).from(accessGroups).where(eq(accessGroups.id, groupId)).limit(1);
  return row ? toGroup(row) : null;
}

export async function findGroups(ctx: Pick<DomainContext, "db">, where?: SQL): Promise<Group[]> {
  const rows = await ctx.db
    .select(groupSelection)
    .from(accessGroups)
    .where(where)
    .orderBy(asc(sql`lower(${accessGroups.name})`));
  return rows.map(toGroup);
}

export const listGroupsQuerySchema = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** Oldest first (the seeded "Read-only auditor" leads); a page reads at most limit + 1 rows. */
export async function listGroups(ctx: Pick<DomainContext, "db">, query: z.output<typeof listGroupsQuerySchema>): Promise<Page<Group>> {
  const cursor = decodeCursor(query.cursor);
  const after = cursor
    ? or(
        gt(accessGroups.createdAt, new Date(cursor.time)),
        and(eq(accessGroups.createdAt, new Date(cursor.time)), gt(accessGroups.id, cursor.id)),
      )
    : undefined;
  const rows = await ctx.db
    .select(groupSelection)
    .from(accessGroups)
    .where(after)
    .orderBy(asc(accessGroups.createdAt), asc(accessGroups.id))
    .limit(query.limit + 1);
  return toPage(rows.map(toGroup), query.limit, (group) => encodeCursor({ time: group.createdAt.getTime(), id: group.id }));
}

/** The groups a user belongs to, by name. */
export async function listUserGroups(ctx: Pick<DomainContext, "db">, userId: string): Promise<Group[]> {
  return findGroups(ctx, sql`${accessGroups.id} IN (SELECT group_id FROM access_group_members WHERE user_id = ${userId})`);
}

async function assertNameFree(ctx: DomainContext, name: string, exceptGroupId?: string): Promise<void> {
  const [taken] = await ctx.db
    .select({ id: accessGroups.id })
    .from(accessGroups)
    .where(sql`lower(${accessGroups.name}) = lower(${name})`)
    .limit(1);
  if (taken && taken.id !== exceptGroupId) throw groupNameTakenError();
}

function groupNameTakenError(): AppError {
  return new AppError("GROUP_NAME_TAKEN", { fieldErrors: [{ field: "name", message: "An access group with that name already exists." }] });
}

async function runGroupBatch(statements: Statement[], ctx: DomainContext): Promise<void> {
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (isUniqueViolation(error, "access_groups_name_unique")) throw groupNameTakenError();
    if (isBatchGuardFailure(error)) {
      throw new AppError("STATE_CONFLICT", { detail: "The group was changed or deleted meanwhile. Reload it and try again." });
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
  await assertNameFree(ctx, input.name);
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
  const group = await findGroup(ctx, groupId);
  if (!group) throw new AppError("NOT_FOUND");
  assertMayChangeGroup(ctx, group);
  if (changes.permissions) assertMayGrant(ctx, changes.permissions);
  const details = describeChanges(group, changes);
  if (!details) return group;
  if (details.name) await assertNameFree(ctx, changes.name as string, group.id);
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
