// A SCIM filter (scim-filter.ts) on Groups as SQL over `directory_groups AS g` (RFC 7644 §3.4.2.2):
// displayName (caseExact: false, so compared lower-cased, which the unique index on
// lower(display_name) serves for eq), externalId and id (case-exact), members.value and
// members[value eq …] (a member linked to the directory and not deleted from it), meta.created and
// meta.lastModified (dates, ordered). Anything else answers invalidFilter: never a silent full list.
import { type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { AttributePath, ComparisonOperator, ScimFilter } from "./scim-filter";
import { groupSchemaUrn } from "./scim-schemas";

type Value = string | number | boolean | null;

function refuse(detail: string): never {
  throw new AppError("SCIM_INVALID_FILTER", { detail });
}

function compareText(column: SQL, op: ComparisonOperator, value: Value, caseExact: boolean): SQL {
  if (typeof value !== "string") refuse(`Compare ${op} with a string.`);
  const left = caseExact ? column : sql`lower(${column})`;
  const right = caseExact ? value : value.toLowerCase();
  switch (op) {
    case "eq":
      return sql`${left} = ${right}`;
    case "ne":
      return sql`(${column} IS NULL OR ${left} != ${right})`;
    case "co":
      return sql`instr(${left}, ${right}) > 0`;
    case "sw":
      return sql`substr(${left}, 1, ${right.length}) = ${right}`;
    case "ew":
      return sql`(length(${left}) >= ${right.length} AND substr(${left}, -${right.length}) = ${right})`;
    case "gt":
      return sql`${left} > ${right}`;
    case "ge":
      return sql`${left} >= ${right}`;
    case "lt":
      return sql`${left} < ${right}`;
    case "le":
      return sql`${left} <= ${right}`;
  }
}

function compareDate(column: SQL, op: ComparisonOperator, value: Value): SQL {
  const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) refuse("Compare a date with an RFC 3339 date-time string.");
  const operators: Partial<Record<ComparisonOperator, string>> = {
    eq: "=",
    ne: "!=",
    gt: ">",
    ge: ">=",
    lt: "<",
    le: "<=",
  };
  const operator = operators[op];
  if (!operator) refuse(`'${op}' does not apply to a date.`);
  return sql`${column} ${sql.raw(operator)} ${at}`;
}

function memberCondition(directoryId: string, userCondition: SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM directory_group_members AS fm JOIN directory_users AS fdu ON fdu.user_id = fm.user_id
    AND fdu.directory_id = ${directoryId} AND fdu.deleted_at IS NULL WHERE fm.group_id = g.id AND ${userCondition})`;
}

function attributeName(path: AttributePath): string {
  if (path.uri && path.uri !== groupSchemaUrn.toLowerCase()) refuse(`Groups have no attribute in ${path.uri}.`);
  return path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute;
}

function compileComparison(directoryId: string, name: string, op: ComparisonOperator, value: Value): SQL {
  switch (name) {
    case "displayname":
      return compareText(sql`g.display_name`, op, value, false);
    case "externalid":
      return compareText(sql`g.external_id`, op, value, true);
    case "id":
      return compareText(sql`g.id`, op, value, true);
    case "members.value":
    case "members":
      return memberCondition(directoryId, compareText(sql`fm.user_id`, op, value, true));
    case "meta.created":
      return compareDate(sql`g.created_at`, op, value);
    case "meta.lastmodified":
      return compareDate(sql`g.updated_at`, op, value);
    default:
      return refuse(`Groups cannot be filtered by '${name}'.`);
  }
}

function compilePresent(directoryId: string, name: string): SQL {
  switch (name) {
    case "displayname":
    case "id":
    case "meta.created":
    case "meta.lastmodified":
      return sql`1`;
    case "externalid":
      return sql`(g.external_id IS NOT NULL AND g.external_id != '')`;
    case "members":
    case "members.value":
      return memberCondition(directoryId, sql`1`);
    default:
      return refuse(`Groups cannot be filtered by '${name}'.`);
  }
}

/** members[value eq "…"]: the inner filter speaks of a member's value (and type, always "User"). */
function compileMemberFilter(directoryId: string, filter: ScimFilter): SQL {
  switch (filter.kind) {
    case "and":
    case "or":
      return sql`(${compileMemberFilter(directoryId, filter.left)} ${sql.raw(filter.kind.toUpperCase())} ${compileMemberFilter(directoryId, filter.right)})`;
    case "not":
      return sql`NOT (${compileMemberFilter(directoryId, filter.filter)})`;
    case "present":
      if (filter.path.attribute === "value" || filter.path.attribute === "type") return sql`1`;
      return refuse(`A member has no '${filter.path.attribute}' to filter by.`);
    case "compare":
      if (filter.path.attribute === "value") return compareText(sql`fm.user_id`, filter.op, filter.value, true);
      if (filter.path.attribute === "type") return compareText(sql`'User'`, filter.op, filter.value, false);
      return refuse(`A member has no '${filter.path.attribute}' to filter by.`);
    case "valuePath":
      return refuse("A value filter cannot nest another.");
  }
}

/** The filter as a condition on `directory_groups AS g` of the directory. */
export function compileGroupFilter(directoryId: string, filter: ScimFilter): SQL {
  switch (filter.kind) {
    case "and":
    case "or":
      return sql`(${compileGroupFilter(directoryId, filter.left)} ${sql.raw(filter.kind.toUpperCase())} ${compileGroupFilter(directoryId, filter.right)})`;
    case "not":
      return sql`NOT (${compileGroupFilter(directoryId, filter.filter)})`;
    case "present":
      return compilePresent(directoryId, attributeName(filter.path));
    case "compare":
      return compileComparison(directoryId, attributeName(filter.path), filter.op, filter.value);
    case "valuePath":
      if (attributeName(filter.path) !== "members")
        refuse(`Groups cannot be filtered by '${filter.path.attribute}[…]'.`);
      return memberCondition(directoryId, compileMemberFilter(directoryId, filter.filter));
  }
}
