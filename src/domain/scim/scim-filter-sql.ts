// A parsed SCIM filter (RFC 7644 §3.4.2.2) compiled to a SQL condition over the columns a resource
// maps its attributes to (Users in scim-users.ts, Groups in scim-groups-read.ts). Only what the map
// holds compiles: any other attribute or operator is a 400 invalidFilter, never a silent full list.
// Values are always bound, never spliced into the SQL.
import { type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { AttributePath, ScimFilter } from "./scim-filter";

export interface FilterColumn {
  expression: SQL;
  kind: "text" | "boolean" | "time";
  /**
   * How a value is folded before it is compared: not at all (`caseExact: true`), lower-cased here
   * (the column is stored lower-cased), or by SQLite's lower() like the expression, since SQLite
   * folds ASCII only and both sides must fold alike.
   */
  fold: "none" | "js" | "sql";
  nullable: boolean;
}

export interface FilterColumns {
  /** The resource's core schema URN: a path may name it or leave it out. */
  schemaUrn: string;
  /** By lower-cased `attribute[.sub]`, or `urn:…:attribute` for an extension's attribute. */
  columns: Record<string, FilterColumn>;
  /**
   * The multi-valued attributes a value filter (`emails[type eq "work"]`) may name, and how a
   * condition on one of their values becomes a condition on the resource: every comparison inside
   * one value filter must hold for the same value, so the wrapping is applied once around them all.
   */
  multiValued: Record<string, (condition: SQL) => SQL>;
}

/** Comparisons one filter may hold: each binds up to three values and D1 takes 100 per statement. */
export const maxFilterComparisons = 25;

function refuse(detail: string): AppError {
  return new AppError("SCIM_INVALID_FILTER", { detail });
}

function describePath(path: AttributePath): string {
  return `${path.uri ? `${path.uri}:` : ""}${path.attribute}${path.subAttribute ? `.${path.subAttribute}` : ""}`;
}

// Own keys only: a filter naming `constructor` must not find Object.prototype's.
function lookUp<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isCore(map: FilterColumns, path: AttributePath): boolean {
  return !path.uri || path.uri === map.schemaUrn.toLowerCase();
}

function resolveColumn(map: FilterColumns, path: AttributePath, parent?: string): FilterColumn {
  const core = isCore(map, path);
  const name = [parent, path.attribute, path.subAttribute].filter(Boolean).join(".");
  const column = lookUp(map.columns, core ? name : `${path.uri}:${name}`);
  if (!column) throw refuse(`Filtering on ${describePath(path)} is not supported.`);
  return column;
}

function bindValue(column: FilterColumn, value: unknown, op: string): SQL {
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

function compileComparison(column: FilterColumn, op: string, value: unknown): SQL {
  const e = column.expression;
  if (value === null) {
    if (op === "eq") return sql`(${e} IS NULL)`;
    if (op === "ne") return sql`(${e} IS NOT NULL)`;
    throw refuse(`${op} cannot compare with null.`);
  }
  const v = bindValue(column, value, op);
  switch (op) {
    case "eq":
      return sql`(${e} = ${v})`;
    case "ne":
      return column.nullable ? sql`(${e} IS NULL OR ${e} != ${v})` : sql`(${e} != ${v})`;
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
  if (filter.kind === "and" || filter.kind === "or")
    return countComparisons(filter.left) + countComparisons(filter.right);
  if (filter.kind === "not" || filter.kind === "valuePath") return countComparisons(filter.filter);
  return 1;
}

/** A comparison on a multi-valued attribute's sub-attribute outside a value filter stands alone in its own wrapping. */
function wrapOutsideValueFilter(map: FilterColumns, path: AttributePath, parent: string | undefined, condition: SQL) {
  const wrap = parent || !isCore(map, path) ? undefined : lookUp(map.multiValued, path.attribute);
  return wrap ? wrap(condition) : condition;
}

function compileNode(map: FilterColumns, filter: ScimFilter, parent?: string): SQL {
  switch (filter.kind) {
    case "and":
    case "or":
      return sql`(${compileNode(map, filter.left, parent)} ${sql.raw(filter.kind.toUpperCase())} ${compileNode(map, filter.right, parent)})`;
    case "not":
      return sql`(NOT ${compileNode(map, filter.filter, parent)})`;
    case "present": {
      const column = resolveColumn(map, filter.path, parent);
      // RFC 7644 §3.4.2.2: `pr` matches a non-empty value.
      const present = column.nullable ? sql`(${column.expression} IS NOT NULL AND ${column.expression} != '')` : sql`1`;
      return wrapOutsideValueFilter(map, filter.path, parent, present);
    }
    case "compare": {
      const condition = compileComparison(resolveColumn(map, filter.path, parent), filter.op, filter.value);
      return wrapOutsideValueFilter(map, filter.path, parent, condition);
    }
    case "valuePath": {
      const { path } = filter;
      const wrap =
        parent || path.subAttribute || !isCore(map, path) ? undefined : lookUp(map.multiValued, path.attribute);
      if (!wrap) throw refuse(`Filtering on ${describePath(path)}[…] is not supported.`);
      return wrap(compileNode(map, filter.filter, path.attribute));
    }
  }
}

/** The SQL condition of a parsed filter over the columns of `map`. */
export function compileScimFilter(map: FilterColumns, filter: ScimFilter): SQL {
  if (countComparisons(filter) > maxFilterComparisons) {
    throw refuse(`A filter may hold at most ${maxFilterComparisons} comparisons.`);
  }
  return compileNode(map, filter);
}
