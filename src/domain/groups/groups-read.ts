// Reading access groups: one, several, a page of them, a user's. Each comes with its permissions
// (in matrix order) and its member count, read by subqueries in the same statement.
import { and, asc, eq, gt, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import type { Db } from "../../db/client";
import { accessGroups } from "../../db/schema";
import { allPermissions, isPermission, type Permission } from "../access";
import type { AuditTarget } from "../audit/audit";
import type { DomainContext } from "../context";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";

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
  // Named, so the select can run inside a db.batch(), which maps rows by column name.
  permissionList: sql<
    string | null
  >`(SELECT group_concat(p.permission, ' ') FROM access_group_permissions AS p WHERE p.group_id = ${accessGroups.id})`.as(
    "permission_list",
  ),
  memberCount: sql<number>`(SELECT count(*) FROM access_group_members AS m WHERE m.group_id = ${accessGroups.id})`.as(
    "member_count",
  ),
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

export function toGroup(row: GroupSelectionRow): Group {
  const permissions = sortPermissions((row.permissionList ?? "").split(" ").filter(isPermission));
  return { ...row, permissions, memberCount: Number(row.memberCount) };
}

/** One group (map with toGroup), to run alone or inside a db.batch(). */
export function selectGroup(db: Db, groupId: string) {
  return db.select(groupSelection).from(accessGroups).where(eq(accessGroups.id, groupId)).limit(1);
}

/** Groups by name (map with toGroup), to run alone or inside a db.batch(). */
export function selectGroups(db: Db, where?: SQL) {
  return db
    .select(groupSelection)
    .from(accessGroups)
    .where(where)
    .orderBy(asc(sql`lower(${accessGroups.name})`));
}

/** The condition "a group `userId` belongs to", for selectGroups. */
export function groupsOfUser(userId: string): SQL {
  return sql`${accessGroups.id} IN (SELECT group_id FROM access_group_members WHERE user_id = ${userId})`;
}

export async function findGroup(ctx: Pick<DomainContext, "db">, groupId: string): Promise<Group | null> {
  const [row] = await selectGroup(ctx.db, groupId);
  return row ? toGroup(row) : null;
}

export const listGroupsQuerySchema = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** Oldest first (the seeded "Read-only auditor" leads); a page reads at most limit + 1 rows. */
export async function listGroups(
  ctx: Pick<DomainContext, "db">,
  query: z.output<typeof listGroupsQuerySchema>,
): Promise<Page<Group>> {
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
  return toPage(rows.map(toGroup), query.limit, (group) =>
    encodeCursor({ time: group.createdAt.getTime(), id: group.id }),
  );
}
