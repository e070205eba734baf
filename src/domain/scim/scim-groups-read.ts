// Reading a directory's groups as SCIM Group resources (RFC 7643 §4.2, RFC 7644 §3.4): one batch
// for one group or one page, and members read only when the answer includes them, so
// `excludedAttributes=members` (what Okta and Entra ask) never touches a big group's members.
// A group of another directory answers exactly as a made-up id: not found.
import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { directoryGroupMembers, directoryGroups, directoryUsers, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { DomainContext } from "../context";
import { scimBaseUrl } from "../directories/directories";
import type { DirectoryContext } from "./scim-caller";
import type { ScimFilter } from "./scim-filter";
import { compileScimFilter, type FilterColumns } from "./scim-filter-sql";
import { isAttributeRequested, type ProjectionOptions, projectResource } from "./scim-projection";
import { groupSchemas, groupSchemaUrn, listResponseUrn, scimLimits } from "./scim-schemas";
import { heldBy } from "./scim-users";

export type DirectoryGroupRow = typeof directoryGroups.$inferSelect;

export interface GroupMember {
  userId: string;
  displayName: string;
}

const fullProjection: ProjectionOptions = { attributes: null, excludedAttributes: null };

function includesMembers(projection: ProjectionOptions): boolean {
  return isAttributeRequested("members", projection);
}

export function toGroupDocument(
  ctx: DomainContext,
  group: DirectoryGroupRow,
  members: readonly GroupMember[] | null,
  projection: ProjectionOptions = fullProjection,
) {
  const base = scimBaseUrl(ctx);
  const document: Record<string, unknown> = {
    schemas: [groupSchemaUrn],
    id: group.id,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    members: (members ?? []).map((member) => ({
      value: member.userId,
      display: member.displayName,
      $ref: `${base}/Users/${member.userId}`,
      type: "User",
    })),
    meta: {
      resourceType: "Group",
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${base}/Groups/${group.id}`,
    },
  };
  return projectResource(document, projection, groupSchemas);
}

/** Members as the directory sees them: the users it holds (heldBy); by user id. */
export function selectGroupMembers(db: Db, directoryId: string, groupCondition: SQL) {
  return db
    .select({ groupId: directoryGroupMembers.groupId, userId: users.id, displayName: users.displayName })
    .from(directoryGroupMembers)
    .innerJoin(users, eq(users.id, directoryGroupMembers.userId))
    .innerJoin(directoryUsers, and(eq(directoryUsers.userId, directoryGroupMembers.userId), heldBy(directoryId)))
    .where(groupCondition)
    .orderBy(asc(directoryGroupMembers.userId));
}

export function selectDirectoryGroup(db: Db, directoryId: string, groupId: string) {
  return db
    .select()
    .from(directoryGroups)
    .where(and(eq(directoryGroups.id, groupId), eq(directoryGroups.directoryId, directoryId)))
    .limit(1);
}

export function groupNotFound(): AppError {
  return new AppError("NOT_FOUND", { detail: "No group with this id in this directory." });
}

export async function getScimGroup(ctx: DirectoryContext, groupId: string, projection: ProjectionOptions) {
  const directoryId = ctx.actor.directory.id;
  const withMembers = includesMembers(projection);
  const groupRead = selectDirectoryGroup(ctx.db, directoryId, groupId);
  const [groupRows, memberRows] = withMembers
    ? await ctx.db.batch([
        groupRead,
        selectGroupMembers(ctx.db, directoryId, eq(directoryGroupMembers.groupId, groupId)),
      ])
    : [await groupRead, null];
  const group = groupRows[0];
  if (!group) throw groupNotFound();
  return toGroupDocument(ctx, group, memberRows, projection);
}

// Over `directory_groups AS g`. displayName is `caseExact: false`: compared lower-cased, which the
// unique index on lower(display_name) serves for eq. A member is a user linked to the group's
// directory and not deleted from it; its type is always "User".
const groupFilterColumns: FilterColumns = {
  schemaUrn: groupSchemaUrn,
  columns: {
    displayname: { expression: sql`lower(g.display_name)`, kind: "text", fold: "sql", nullable: false },
    externalid: { expression: sql`g.external_id`, kind: "text", fold: "none", nullable: true },
    id: { expression: sql`g.id`, kind: "text", fold: "none", nullable: false },
    members: { expression: sql`fm.user_id`, kind: "text", fold: "none", nullable: false },
    "members.value": { expression: sql`fm.user_id`, kind: "text", fold: "none", nullable: false },
    "members.type": { expression: sql`'user'`, kind: "text", fold: "js", nullable: false },
    "meta.created": { expression: sql`g.created_at`, kind: "time", fold: "none", nullable: false },
    "meta.lastmodified": { expression: sql`g.updated_at`, kind: "time", fold: "none", nullable: false },
  },
  multiValued: {
    // The members selectGroupMembers answers: held by the directory (heldBy), so not erased either.
    members: (condition) => sql`EXISTS (SELECT 1 FROM directory_group_members AS fm JOIN directory_users AS fdu
      ON fdu.user_id = fm.user_id AND fdu.directory_id = g.directory_id AND fdu.deleted_at IS NULL
      JOIN users AS fu ON fu.id = fm.user_id AND fu.erased_at IS NULL
      WHERE fm.group_id = g.id AND ${condition})`,
  },
};

export interface GroupListQuery {
  filter: ScimFilter | null;
  /** 1-based (RFC 7644 §3.4.2.4); below 1 counts as 1. */
  startIndex: number;
  /** 0 answers totalResults alone; capped at scimLimits.maxResults. */
  count: number;
  projection: ProjectionOptions;
}

/** A ListResponse page in one batch: the total, the page (oldest first) and, when asked, its members. */
export async function listScimGroups(ctx: DirectoryContext, query: GroupListQuery) {
  const directoryId = ctx.actor.directory.id;
  const condition = sql`g.directory_id = ${directoryId}${query.filter ? sql` AND ${compileScimFilter(groupFilterColumns, query.filter)}` : sql``}`;
  const offset = Math.max(1, query.startIndex) - 1;
  const count = Math.min(Math.max(0, query.count), scimLimits.maxResults);
  const pageIds = sql`SELECT g.id FROM directory_groups AS g WHERE ${condition} ORDER BY g.created_at, g.id LIMIT ${count} OFFSET ${offset}`;
  const total = ctx.db.select({ n: sql<number>`count(*)` }).from(sql`directory_groups AS g`).where(condition);
  const page = ctx.db
    .select()
    .from(directoryGroups)
    .where(sql`${directoryGroups.id} IN (${pageIds})`)
    .orderBy(asc(directoryGroups.createdAt), asc(directoryGroups.id));
  const withMembers = includesMembers(query.projection) && count > 0;
  const [totalRows, groupRows, memberRows] = withMembers
    ? await ctx.db.batch([
        total,
        page,
        selectGroupMembers(ctx.db, directoryId, sql`${directoryGroupMembers.groupId} IN (${pageIds})`),
      ])
    : [...(await ctx.db.batch([total, page])), []];
  const membersByGroup = new Map<string, GroupMember[]>();
  for (const member of memberRows) {
    const members = membersByGroup.get(member.groupId);
    if (members) members.push(member);
    else membersByGroup.set(member.groupId, [member]);
  }
  const resources = groupRows.map((group) =>
    toGroupDocument(ctx, group, withMembers ? (membersByGroup.get(group.id) ?? []) : null, query.projection),
  );
  return {
    schemas: [listResponseUrn],
    totalResults: Number(totalRows[0]?.n ?? 0),
    startIndex: offset + 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
