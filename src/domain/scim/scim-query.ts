// A SCIM filter (RFC 7644 §3.4.2.2) on Users, compiled to SQL over `directory_users JOIN users`.
// Only what compiles is answered: any other attribute or operator is a 400 invalidFilter, never a
// silent full list. userName and every other `caseExact: false` attribute compare case-insensitively
// (userName through directory_users.user_name_key, emails through users.email, both stored lower-cased);
// externalId and id compare exactly. Values are always bound, never spliced into the SQL.
import { type SQL, sql } from "drizzle-orm";
import { directoryUsers, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { AttributePath, ScimFilter } from "./scim-filter";
import { enterpriseUserSchemaUrn, userSchemaUrn } from "./scim-schemas";

type ValueKind = "text" | "boolean" | "time";

interface Column {
  expression: SQL;
  kind: ValueKind;
  /** How a value is folded before it is compared: stored lower-cased by Gatehouse, or folded by SQLite like the column. */
  fold: "none" | "js" | "sql";
  nullable: boolean;
}

/** Comparisons one filter may hold: each binds up to three values and D1 takes 100 per statement. */
export const maxFilterComparisons = 25;

const lower = (expression: SQL) => sql`lower(${expression})`;

const columns: Record<string, Column> = {
  username: { expression: sql`${directoryUsers.userNameKey}`, kind: "text", fold: "js", nullable: false },
  externalid: { expression: sql`${directoryUsers.externalId}`, kind: "text", fold: "none", nullable: true },
  id: { expression: sql`${directoryUsers.userId}`, kind: "text", fold: "none", nullable: false },
  emails: { expression: sql`${users.email}`, kind: "text", fold: "js", nullable: false },
  "emails.value": { expression: sql`${users.email}`, kind: "text", fold: "js", nullable: false },
  // Gatehouse holds one email per user: the work one, primary.
  "emails.type": { expression: sql`'work'`, kind: "text", fold: "js", nullable: false },
  "emails.primary": { expression: sql`1`, kind: "boolean", fold: "none", nullable: false },
  displayname: { expression: lower(sql`${users.displayName}`), kind: "text", fold: "sql", nullable: false },
  "name.givenname": { expression: lower(sql`${users.firstName}`), kind: "text", fold: "sql", nullable: false },
  "name.familyname": { expression: lower(sql`${users.lastName}`), kind: "text", fold: "sql", nullable: false },
  "name.formatted": {
    expression: lower(sql`${users.firstName} || ' ' || ${users.lastName}`),
    kind: "text",
    fold: "sql",
    nullable: false,
  },
  active: { expression: sql`(${users.deactivatedAt} IS NULL)`, kind: "boolean", fold: "none", nullable: false },
  "meta.created": { expression: sql`${directoryUsers.createdAt}`, kind: "time", fold: "none", nullable: false },
  "meta.lastmodified": {
    expression: sql`max(${directoryUsers.updatedAt}, ${users.updatedAt})`,
    kind: "time",
    fold: "none",
    nullable: false,
  },
};

/** Kept single-valued strings (directory_users.attributes), all `caseExact: false`, by their lower-cased name. */
const keptCoreAttributes = ["title", "nickName", "userType", "preferredLanguage", "locale", "timezone", "profileUrl"];
const keptEnterpriseAttributes = ["employeeNumber", "costCenter", "organization", "division", "department"];

function keptColumn(jsonPath: string): Column {
  return {
    expression: lower(sql`json_extract(${directoryUsers.attributes}, ${jsonPath})`),
    kind: "text",
    fold: "sql",
    nullable: true,
  };
}

function refuse(detail: string): AppError {
  return new AppError("SCIM_INVALID_FILTER", { detail });
}

function describePath(path: AttributePath): string {
  return `${path.uri ? `${path.uri}:` : ""}${path.attribute}${path.subAttribute ? `.${path.subAttribute}` : ""}`;
}

function resolveColumn(path: AttributePath, parent?: string): Column {
  const uri = path.uri?.toLowerCase();
  const attribute = path.attribute.toLowerCase();
  const sub = path.subAttribute?.toLowerCase();
  if (uri === enterpriseUserSchemaUrn.toLowerCase()) {
    const name = keptEnterpriseAttributes.find((candidate) => candidate.toLowerCase() === attribute);
    if (name && !sub) return keptColumn(`$."${enterpriseUserSchemaUrn}"."${name}"`);
  } else if (!uri || uri === userSchemaUrn.toLowerCase()) {
    const key = [parent, attribute, sub].filter(Boolean).join(".");
    const column = columns[key];
    if (column) return column;
    const kept = keptCoreAttributes.find((candidate) => candidate.toLowerCase() === attribute);
    if (kept && !parent && !sub) return keptColumn(`$."${kept}"`);
  }
  throw refuse(`Filtering on ${describePath(path)} is not supported.`);
}

function boundValue(column: Column, value: unknown, op: string): SQL {
  if (column.kind === "boolean") {
    if (typeof value !== "boolean") throw refuse(`Compare ${op} with true or false here.`);
    return sql`${value ? 1 : 0}`;
  }
  if (typeof value !== "string") throw refuse(`Compare ${op} with a string here.`);
  if (column.kind === "time") {
    const time = Date.parse(value);
    if (Number.isNaN(time))
      throw refuse(`"${value}" is not a date and time (use xsd:dateTime, such as 2026-12-01T00:00:00Z).`);
    return sql`${time}`;
  }
  if (column.fold === "js") return sql`${value.toLowerCase()}`;
  return column.fold === "sql" ? sql`lower(${value})` : sql`${value}`;
}

function compileComparison(column: Column, op: string, value: unknown): SQL {
  const e = column.expression;
  if (value === null) {
    if (op === "eq") return sql`(${e} IS NULL)`;
    if (op === "ne") return sql`(${e} IS NOT NULL)`;
    throw refuse(`${op} cannot compare with null.`);
  }
  const v = boundValue(column, value, op);
  const orNull = (condition: SQL) => (column.nullable ? sql`(${e} IS NULL OR ${condition})` : condition);
  switch (op) {
    case "eq":
      return sql`(${e} = ${v})`;
    case "ne":
      return orNull(sql`(${e} != ${v})`);
    case "gt":
    case "ge":
    case "lt":
    case "le": {
      if (column.kind === "boolean") throw refuse(`${op} does not apply to a boolean.`);
      const symbol = { gt: ">", ge: ">=", lt: "<", le: "<=" }[op];
      return sql`(${e} ${sql.raw(symbol)} ${v})`;
    }
    case "co":
    case "sw":
    case "ew": {
      if (column.kind !== "text") throw refuse(`${op} applies to strings only.`);
      if (op === "co") return sql`(instr(${e}, ${v}) > 0)`;
      if (op === "sw") return sql`(substr(${e}, 1, length(${v})) = ${v})`;
      return sql`(length(${e}) >= length(${v}) AND substr(${e}, length(${e}) - length(${v}) + 1) = ${v})`;
    }
    default:
      throw refuse(`The operator ${op} is not supported.`);
  }
}

function countComparisons(filter: ScimFilter): number {
  switch (filter.kind) {
    case "and":
    case "or":
      return countComparisons(filter.left) + countComparisons(filter.right);
    case "not":
      return countComparisons(filter.filter);
    case "valuePath":
      return countComparisons(filter.filter);
    default:
      return 1;
  }
}

function compileNode(filter: ScimFilter, parent?: string): SQL {
  switch (filter.kind) {
    case "and":
      return sql`(${compileNode(filter.left, parent)} AND ${compileNode(filter.right, parent)})`;
    case "or":
      return sql`(${compileNode(filter.left, parent)} OR ${compileNode(filter.right, parent)})`;
    case "not":
      return sql`(NOT ${compileNode(filter.filter, parent)})`;
    case "present": {
      const column = resolveColumn(filter.path, parent);
      return column.nullable ? sql`(${column.expression} IS NOT NULL)` : sql`1`;
    }
    case "compare":
      return compileComparison(resolveColumn(filter.path, parent), filter.op.toLowerCase(), filter.value);
    case "valuePath": {
      // Only emails is multi-valued here; its one entry is the user's email (value, type "work", primary).
      if (parent || filter.path.attribute.toLowerCase() !== "emails" || filter.path.subAttribute) {
        throw refuse(`Filtering on ${describePath(filter.path)}[…] is not supported.`);
      }
      return compileNode(filter.filter, "emails");
    }
  }
}

/** The SQL condition of a parsed filter over `directory_users JOIN users`. */
export function compileUserFilter(filter: ScimFilter): SQL {
  if (countComparisons(filter) > maxFilterComparisons) {
    throw new AppError("SCIM_INVALID_FILTER", {
      detail: `A filter may hold at most ${maxFilterComparisons} comparisons.`,
    });
  }
  return compileNode(filter);
}
