// /scim/v2/Users reads (RFC 7644 §3.4): one user of the calling directory, or a filtered page of
// them. Only users linked to this directory and not deleted from it exist here: any other id
// answers exactly as a made-up one (docs/SECURITY.md "Directories as actors"). One batch each.
import { and, asc, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { directoryGroupMembers, directoryGroups, directoryUsers, users } from "../../db/schema";
import { AppError } from "../../errors";
import { scimBaseUrl } from "../directories/directories";
import type { DirectoryContext } from "./scim-caller";
import { parseScimFilter } from "./scim-filter";
import { compileScimFilter, type FilterColumn, type FilterColumns } from "./scim-filter-sql";
import { enterpriseUserSchemaUrn, scimLimits, userSchemaUrn } from "./scim-schemas";
import { type ScimDocument, type ScimUserRecord, toScimUser } from "./scim-user-resource";

/** The users this directory holds and has not deleted; a user erased by hand is gone for it too. */
export function heldBy(directoryId: string): SQL {
  return and(
    eq(directoryUsers.directoryId, directoryId),
    isNull(directoryUsers.deletedAt),
    isNull(users.erasedAt),
  ) as SQL;
}

/** The calling directory's link row of the user: the live one, or with `deleted` the one a relink revives. */
export function linkOf(ctx: DirectoryContext, userId: string, deleted = false): SQL {
  return and(
    eq(directoryUsers.userId, userId),
    eq(directoryUsers.directoryId, ctx.actor.directory.id),
    deleted ? isNotNull(directoryUsers.deletedAt) : isNull(directoryUsers.deletedAt),
  ) as SQL;
}

// Column names stay distinct (STORES.md: D1 maps a batch's rows by name): the link's times are aliased.
const scimUserColumns = {
  id: users.id,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  displayName: users.displayName,
  deactivatedAt: users.deactivatedAt,
  updatedAt: users.updatedAt,
  userName: directoryUsers.userName,
  externalId: directoryUsers.externalId,
  attributes: directoryUsers.attributes,
  linkedAt: sql<number>`${directoryUsers.createdAt}`.as("linked_at"),
  linkUpdatedAt: sql<number>`${directoryUsers.updatedAt}`.as("link_updated_at"),
  // One row per user whatever their groups, so a page never reads more rows than users.
  groupList: sql<string>`(SELECT json_group_array(json_object('id', g.id, 'displayName', g.display_name))
    FROM ${directoryGroupMembers} AS m JOIN ${directoryGroups} AS g ON g.id = m.group_id
    WHERE m.user_id = ${directoryUsers.userId} AND g.directory_id = ${directoryUsers.directoryId})`.as("group_list"),
};

function selectScimUsers(db: Db, where: SQL) {
  return db
    .select(scimUserColumns)
    .from(directoryUsers)
    .innerJoin(users, eq(users.id, directoryUsers.userId))
    .where(where);
}

type ScimUserRow = Awaited<ReturnType<typeof selectScimUsers>>[number];

function toRecord(row: ScimUserRow): ScimUserRecord {
  return {
    user: {
      id: row.id,
      email: row.email,
      firstName: row.firstName,
      lastName: row.lastName,
      displayName: row.displayName,
      deactivatedAt: row.deactivatedAt,
      updatedAt: row.updatedAt,
    },
    link: {
      userName: row.userName,
      externalId: row.externalId,
      attributes: row.attributes,
      createdAt: new Date(Number(row.linkedAt)),
      updatedAt: new Date(Number(row.linkUpdatedAt)),
    },
    groups: JSON.parse(row.groupList ?? "[]") as ScimUserRecord["groups"],
  };
}

export function userNotFound(): AppError {
  return new AppError("NOT_FOUND", { detail: "No user with this id in this directory." });
}

export async function getScimUser(ctx: DirectoryContext, userId: string): Promise<ScimDocument> {
  const [row] = await selectScimUsers(ctx.db, and(heldBy(ctx.actor.directory.id), eq(users.id, userId)) as SQL).limit(
    1,
  );
  if (!row) throw userNotFound();
  return toScimUser(toRecord(row), scimBaseUrl(ctx));
}

export interface ScimListQuery {
  filter?: string | undefined;
  /** 1-based (RFC 7644 §3.4.2.4); values below 1 are read as 1 before they get here. */
  startIndex: number;
  /** 0 answers the total alone; capped at scimLimits.maxResults before it gets here. */
  count: number;
}

export interface ScimUserPage {
  totalResults: number;
  startIndex: number;
  resources: ScimDocument[];
}

const lowerText = (expression: SQL, nullable = false): FilterColumn => ({
  expression: sql`lower(${expression})`,
  kind: "text",
  fold: "sql",
  nullable,
});

// The kept single-valued strings (directory_users.attributes), all `caseExact: false`.
const keptAttributes = [
  ...["title", "nickName", "userType", "preferredLanguage", "locale", "timezone", "profileUrl"].map((name) => ({
    key: name.toLowerCase(),
    jsonPath: `$."${name}"`,
  })),
  ...["employeeNumber", "costCenter", "organization", "division", "department"].map((name) => ({
    key: `${enterpriseUserSchemaUrn.toLowerCase()}:${name.toLowerCase()}`,
    jsonPath: `$."${enterpriseUserSchemaUrn}"."${name}"`,
  })),
];

// Over `directory_users JOIN users`. userName and emails compare through columns stored lower-cased
// (`caseExact: false`); externalId and id exactly.
const email: FilterColumn = { expression: sql`${users.email}`, kind: "text", fold: "js", nullable: false };
const userFilterColumns: FilterColumns = {
  schemaUrn: userSchemaUrn,
  columns: {
    username: { expression: sql`${directoryUsers.userNameKey}`, kind: "text", fold: "js", nullable: false },
    externalid: { expression: sql`${directoryUsers.externalId}`, kind: "text", fold: "none", nullable: true },
    id: { expression: sql`${directoryUsers.userId}`, kind: "text", fold: "none", nullable: false },
    emails: email,
    "emails.value": email,
    // Gatehouse holds one email per user: the work one, primary.
    "emails.type": { expression: sql`'work'`, kind: "text", fold: "js", nullable: false },
    "emails.primary": { expression: sql`1`, kind: "boolean", fold: "none", nullable: false },
    displayname: lowerText(sql`${users.displayName}`),
    "name.givenname": lowerText(sql`${users.firstName}`),
    "name.familyname": lowerText(sql`${users.lastName}`),
    "name.formatted": lowerText(sql`${users.firstName} || ' ' || ${users.lastName}`),
    active: { expression: sql`(${users.deactivatedAt} IS NULL)`, kind: "boolean", fold: "none", nullable: false },
    "meta.created": { expression: sql`${directoryUsers.createdAt}`, kind: "time", fold: "none", nullable: false },
    "meta.lastmodified": {
      expression: sql`max(${directoryUsers.updatedAt}, ${users.updatedAt})`,
      kind: "time",
      fold: "none",
      nullable: false,
    },
    ...Object.fromEntries(
      keptAttributes.map(({ key, jsonPath }) => [
        key,
        lowerText(sql`json_extract(${directoryUsers.attributes}, ${jsonPath})`, true),
      ]),
    ),
  },
  // The one entry of emails is the user's email, so a condition on it is one on the user.
  multiValued: { emails: (condition) => condition },
};

/** One batch: the total matching the filter, and the page (ordered by link time then id, directory_users_list_idx). */
export async function listScimUsers(ctx: DirectoryContext, query: ScimListQuery): Promise<ScimUserPage> {
  const filter =
    query.filter === undefined ? null : compileScimFilter(userFilterColumns, parseScimFilter(query.filter));
  const where = and(heldBy(ctx.actor.directory.id), ...(filter ? [filter] : [])) as SQL;
  const count = Math.min(query.count, scimLimits.maxResults);
  const total = ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(directoryUsers)
    .innerJoin(users, eq(users.id, directoryUsers.userId))
    .where(where);
  const page = selectScimUsers(ctx.db, where)
    .orderBy(asc(directoryUsers.createdAt), asc(directoryUsers.userId))
    .limit(count)
    .offset(query.startIndex - 1);
  const [totalRows, rows] = count === 0 ? [await total, []] : await ctx.db.batch([total, page]);
  const baseUrl = scimBaseUrl(ctx);
  return {
    totalResults: Number(totalRows[0]?.n ?? 0),
    startIndex: query.startIndex,
    resources: rows.map((row) => toScimUser(toRecord(row), baseUrl)),
  };
}
