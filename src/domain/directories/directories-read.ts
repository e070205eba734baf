// The console's reads of directories, each one batch whatever the number of people a directory
// holds: counts are aggregates (one row per directory), lists are capped.
import { and, asc, count, desc, eq, exists, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
  accessGroups,
  directories,
  directoryErrors,
  directoryGroups,
  directoryTokens,
  directoryUsers,
  tenants,
  users,
} from "../../db/schema";
import { AppError } from "../../errors";
import type { DomainContext } from "../context";
import { assertMayManageDirectories, type DirectoryTokenState, directoryTokenState, scimBaseUrl } from "./directories";

/** More directories than this (one per tenant) is not a list a page shows whole. */
export const directoriesListLimit = 200;
export const directoryGroupsShown = 200;
export const directoryTokensShown = 50;
export const directoryErrorsShown = 20;
const accessGroupChoicesLimit = 200;
const tenantChoicesLimit = 500;

export interface DirectoryUserCounts {
  active: number;
  pending: number;
  deactivated: number;
}

/** Users a directory holds (its deleted links not counted), by status, one row per directory. */
function selectUserCounts(db: Db, where?: SQL) {
  return db
    .select({
      directoryId: directoryUsers.directoryId,
      active: sql<number>`coalesce(sum(case when ${users.deactivatedAt} is null and ${users.activatedAt} is not null then 1 else 0 end), 0)`,
      pending: sql<number>`coalesce(sum(case when ${users.deactivatedAt} is null and ${users.activatedAt} is null then 1 else 0 end), 0)`,
      deactivated: sql<number>`coalesce(sum(case when ${users.deactivatedAt} is not null then 1 else 0 end), 0)`,
    })
    .from(directoryUsers)
    .innerJoin(users, eq(users.id, directoryUsers.userId))
    .where(and(isNull(directoryUsers.deletedAt), where))
    .groupBy(directoryUsers.directoryId);
}

function selectGroupCounts(db: Db, where?: SQL) {
  return db
    .select({ directoryId: directoryGroups.directoryId, groups: count() })
    .from(directoryGroups)
    .where(where)
    .groupBy(directoryGroups.directoryId);
}

/**
 * The tenant's columns under names of their own: D1 answers a batch's rows as objects keyed by
 * column name, so an unaliased tenants.id / tenants.name would overwrite the directory's.
 */
const tenantColumns = {
  id: sql<string>`${tenants.id}`.as("tenant_id_of_directory"),
  name: sql<string>`${tenants.name}`.as("tenant_name"),
  slug: sql<string>`${tenants.slug}`.as("tenant_slug"),
};

const noUsers: DirectoryUserCounts = { active: 0, pending: 0, deactivated: 0 };

function toUserCounts(row: { active: number; pending: number; deactivated: number } | undefined): DirectoryUserCounts {
  return row
    ? { active: Number(row.active), pending: Number(row.pending), deactivated: Number(row.deactivated) }
    : noUsers;
}

export interface DirectorySummary {
  id: string;
  name: string;
  scope: "staff" | "tenant";
  tenant: { id: string; name: string; slug: string } | null;
  lastRequestAt: Date | null;
  createdAt: Date;
  users: DirectoryUserCounts;
  groups: number;
}

/** Every directory (the staff one first, then by company), with its counts: one batch. */
export async function listDirectories(ctx: DomainContext): Promise<{ items: DirectorySummary[]; truncated: boolean }> {
  assertMayManageDirectories(ctx);
  const [rows, userCounts, groupCounts] = await ctx.db.batch([
    ctx.db
      .select({ directory: directories, tenant: tenantColumns })
      .from(directories)
      .leftJoin(tenants, eq(tenants.id, directories.tenantId))
      .orderBy(desc(directories.scope), asc(tenants.name), asc(directories.id))
      .limit(directoriesListLimit + 1),
    selectUserCounts(ctx.db),
    selectGroupCounts(ctx.db),
  ]);
  const usersBy = new Map(userCounts.map((row) => [row.directoryId, row]));
  const groupsBy = new Map(groupCounts.map((row) => [row.directoryId, row.groups]));
  const items = rows.slice(0, directoriesListLimit).map(({ directory, tenant }) => ({
    id: directory.id,
    name: directory.name,
    scope: directory.scope,
    tenant: directory.scope === "tenant" ? tenant : null,
    lastRequestAt: directory.lastRequestAt,
    createdAt: directory.createdAt,
    users: toUserCounts(usersBy.get(directory.id)),
    groups: groupsBy.get(directory.id) ?? 0,
  }));
  return { items, truncated: rows.length > directoriesListLimit };
}

export interface DirectoryTokenView {
  id: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  state: DirectoryTokenState;
}

export interface DirectoryGroupView {
  id: string;
  displayName: string;
  externalId: string | null;
  mappedRole: "CLIENT_ADMIN" | "CLIENT_VIEWER" | "CONTRACTOR" | null;
  accessGroup: { id: string; name: string } | null;
  createdAt: Date;
}

export type DirectoryErrorView = typeof directoryErrors.$inferSelect;

export interface DirectoryPage {
  directory: DirectorySummary & { lastChangeAt: Date | null; updatedAt: Date };
  scimBaseUrl: string;
  tokens: DirectoryTokenView[];
  groups: DirectoryGroupView[];
  groupsTruncated: boolean;
  errors: DirectoryErrorView[];
  /** The access groups a staff directory's group may fill; empty for a company directory. */
  accessGroupChoices: Array<{ id: string; name: string }>;
}

/** One directory's page: the directory, its tokens, counts, groups, last errors and choices, in one batch. */
export async function loadDirectoryPage(ctx: DomainContext, directoryId: string): Promise<DirectoryPage> {
  assertMayManageDirectories(ctx);
  const ofDirectory = eq(directoryGroups.directoryId, directoryId);
  const [rows, tokens, userCounts, groupCounts, groups, errors, choices] = await ctx.db.batch([
    ctx.db
      .select({ directory: directories, tenant: tenantColumns })
      .from(directories)
      .leftJoin(tenants, eq(tenants.id, directories.tenantId))
      .where(eq(directories.id, directoryId))
      .limit(1),
    ctx.db
      .select()
      .from(directoryTokens)
      .where(eq(directoryTokens.directoryId, directoryId))
      .orderBy(desc(directoryTokens.createdAt), desc(directoryTokens.id))
      .limit(directoryTokensShown),
    selectUserCounts(ctx.db, eq(directoryUsers.directoryId, directoryId)),
    selectGroupCounts(ctx.db, ofDirectory),
    ctx.db
      .select({
        group: directoryGroups,
        accessGroup: {
          id: sql<string | null>`${accessGroups.id}`.as("access_group_id_mapped"),
          name: sql<string | null>`${accessGroups.name}`.as("access_group_name"),
        },
      })
      .from(directoryGroups)
      .leftJoin(accessGroups, eq(accessGroups.id, directoryGroups.accessGroupId))
      .where(ofDirectory)
      .orderBy(desc(directoryGroups.createdAt), desc(directoryGroups.id))
      .limit(directoryGroupsShown + 1),
    ctx.db
      .select()
      .from(directoryErrors)
      .where(eq(directoryErrors.directoryId, directoryId))
      .orderBy(desc(directoryErrors.id))
      .limit(directoryErrorsShown),
    // Only a staff directory's groups fill access groups: for a company directory this reads nothing.
    ctx.db
      .select({ id: accessGroups.id, name: accessGroups.name })
      .from(accessGroups)
      .where(
        exists(
          ctx.db
            .select({ one: sql`1` })
            .from(directories)
            .where(and(eq(directories.id, directoryId), eq(directories.scope, "staff"))),
        ),
      )
      .orderBy(asc(sql`lower(${accessGroups.name})`), asc(accessGroups.id))
      .limit(accessGroupChoicesLimit),
  ]);
  const row = rows[0];
  if (!row) throw new AppError("NOT_FOUND");
  const { directory, tenant } = row;
  return {
    directory: {
      id: directory.id,
      name: directory.name,
      scope: directory.scope,
      tenant: directory.scope === "tenant" ? tenant : null,
      lastRequestAt: directory.lastRequestAt,
      lastChangeAt: directory.lastChangeAt,
      createdAt: directory.createdAt,
      updatedAt: directory.updatedAt,
      users: toUserCounts(userCounts[0]),
      groups: groupCounts[0]?.groups ?? 0,
    },
    scimBaseUrl: scimBaseUrl(ctx),
    tokens: tokens.map((token) => ({
      id: token.id,
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
      revokedAt: token.revokedAt,
      lastUsedAt: token.lastUsedAt,
      state: directoryTokenState(token, ctx.now),
    })),
    groups: groups.slice(0, directoryGroupsShown).map(({ group, accessGroup }) => ({
      id: group.id,
      displayName: group.displayName,
      externalId: group.externalId,
      mappedRole: group.mappedRole,
      accessGroup: accessGroup?.id && accessGroup.name ? { id: accessGroup.id, name: accessGroup.name } : null,
      createdAt: group.createdAt,
    })),
    groupsTruncated: groups.length > directoryGroupsShown,
    errors,
    accessGroupChoices: choices,
  };
}

export interface NewDirectoryChoices {
  staffDirectoryExists: boolean;
  /** Companies without a directory yet, by name. */
  tenants: Array<{ id: string; name: string }>;
}

/** What the "New directory" form offers: one batch. */
export async function loadNewDirectoryChoices(ctx: DomainContext): Promise<NewDirectoryChoices> {
  assertMayManageDirectories(ctx);
  const [staff, free] = await ctx.db.batch([
    ctx.db.select({ id: directories.id }).from(directories).where(eq(directories.scope, "staff")).limit(1),
    ctx.db
      .select({ id: tenants.id, name: tenants.name })
      .from(tenants)
      .leftJoin(directories, and(eq(directories.tenantId, tenants.id), eq(directories.scope, "tenant")))
      .where(isNull(directories.id))
      .orderBy(asc(tenants.name), asc(tenants.id))
      .limit(tenantChoicesLimit),
  ]);
  return { staffDirectoryExists: staff.length > 0, tenants: free };
}

export interface DirectoryGroupOfDirectory {
  group: { id: string; displayName: string };
  directory: { id: string; name: string; scope: "staff" | "tenant"; tenantName: string | null };
  /** The name of the access group asked about, when it exists. */
  accessGroupName: string | null;
}

/**
 * One group of one directory, with the words a mapping's flash needs (the group's, the company's
 * and the chosen access group's names): one statement. A group of another directory is not found, so a page of one
 * directory never changes a group of another.
 */
export async function loadDirectoryGroup(
  ctx: DomainContext,
  directoryId: string,
  groupId: string,
  accessGroupId: string | null,
): Promise<DirectoryGroupOfDirectory> {
  assertMayManageDirectories(ctx);
  const [row] = await ctx.db
    .select({
      groupId: directoryGroups.id,
      displayName: directoryGroups.displayName,
      directoryId: directories.id,
      directoryName: directories.name,
      scope: directories.scope,
      tenantName: sql<string | null>`${tenants.name}`.as("tenant_name"),
      accessGroupName: sql<
        string | null
      >`(SELECT ${accessGroups.name} FROM ${accessGroups} WHERE ${accessGroups.id} = ${accessGroupId ?? ""})`,
    })
    .from(directoryGroups)
    .innerJoin(directories, eq(directories.id, directoryGroups.directoryId))
    .leftJoin(tenants, eq(tenants.id, directories.tenantId))
    .where(and(eq(directoryGroups.id, groupId), eq(directoryGroups.directoryId, directoryId)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND");
  return {
    group: { id: row.groupId, displayName: row.displayName },
    directory: { id: row.directoryId, name: row.directoryName, scope: row.scope, tenantName: row.tenantName },
    accessGroupName: row.accessGroupName,
  };
}
