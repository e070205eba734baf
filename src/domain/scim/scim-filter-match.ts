// Evaluating a parsed SCIM filter (RFC 7644 §3.4.2.2) over a JSON resource in memory, with the
// attribute characteristics of RFC 7643 §2.2 (caseExact false unless defined otherwise).

import { AppError } from "../../errors";
import type { AttributePath, ComparisonOperator, ScimFilter } from "./scim-filter";
import { type AttributeDefinition, findDefinition } from "./scim-schemas";

export const orderingOperators = ["gt", "ge", "lt", "le"];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A member of an object whatever the case of its key (attribute names are case-insensitive). */
export function getMember(item: unknown, name: string): unknown {
  if (!isRecord(item)) return undefined;
  const key = Object.keys(item).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : item[key];
}

const toList = (value: unknown): unknown[] => (value === undefined || value === null ? [] : [value].flat());

/** The values a path reaches: the attribute (or its extension's), flattened over multi-valued items. */
function valuesAt(item: Record<string, unknown>, path: AttributePath): unknown[] {
  const extension = path.uri === undefined ? undefined : getMember(item, path.uri);
  const values = toList(getMember(isRecord(extension) ? extension : item, path.attribute));
  return path.subAttribute === undefined
    ? values
    : values.flatMap((value) => toList(getMember(value, path.subAttribute!)));
}

const isPresent = (value: unknown) =>
  !(value === null || value === undefined || value === "" || (isRecord(value) && Object.keys(value).length === 0));

function compareValues(
  op: ComparisonOperator,
  actual: unknown,
  expected: string | number | boolean | null,
  definition: AttributeDefinition | undefined,
): boolean {
  // A complex value compares through its "value" sub-attribute (emails eq "…", RFC 7644 §3.4.2.2).
  const value = isRecord(actual) ? actual.value : actual;
  if (expected === null) return op === "eq" ? !isPresent(value) : isPresent(value);
  if (orderingOperators.includes(op) && (definition?.type === "boolean" || definition?.type === "complex")) {
    throw new AppError("SCIM_INVALID_FILTER", {
      detail: `The operator '${op}' cannot order the ${definition.type} attribute '${definition.name}'`,
    });
  }
  if (typeof expected !== "string" || typeof value !== "string") {
    const ordered = typeof expected === "number" && typeof value === "number";
    return op === "eq" ? value === expected : ordered && order(op, value - expected);
  }
  if (definition?.type === "dateTime" && orderingOperators.includes(op)) {
    return order(op, Date.parse(value) - Date.parse(expected));
  }
  const [left, right] = definition?.caseExact ? [value, expected] : [value.toLowerCase(), expected.toLowerCase()];
  if (op === "co") return left.includes(right);
  if (op === "sw") return left.startsWith(right);
  if (op === "ew") return left.endsWith(right);
  if (op === "eq") return left === right;
  return order(op, left < right ? -1 : left > right ? 1 : 0);
}

function order(op: ComparisonOperator, difference: number): boolean {
  const outcomes: Partial<Record<ComparisonOperator, boolean>> = {
    gt: difference > 0,
    ge: difference >= 0,
    lt: difference < 0,
    le: difference <= 0,
  };
  return !Number.isNaN(difference) && (outcomes[op] ?? false);
}

function definitionAt(schema: AttributeDefinition[] | undefined, path: AttributePath) {
  const definition = findDefinition(schema, path.attribute);
  return path.subAttribute === undefined ? definition : findDefinition(definition?.subAttributes, path.subAttribute);
}

/**
 * Whether a resource (or one item of a multi-valued attribute, for a value filter) matches. A
 * multi-valued attribute matches when any of its values does; `ne` is the negation of `eq`, so an
 * absent attribute is "not equal". Strings compare case-insensitively unless the definition says
 * caseExact (RFC 7643 §2.2 makes caseExact false the default).
 */
export function matchesScimFilter(
  item: Record<string, unknown>,
  filter: ScimFilter,
  schema?: AttributeDefinition[],
): boolean {
  switch (filter.kind) {
    case "and":
      return matchesScimFilter(item, filter.left, schema) && matchesScimFilter(item, filter.right, schema);
    case "or":
      return matchesScimFilter(item, filter.left, schema) || matchesScimFilter(item, filter.right, schema);
    case "not":
      return !matchesScimFilter(item, filter.filter, schema);
    case "present":
      return valuesAt(item, filter.path).some(isPresent);
    case "valuePath": {
      const subAttributes = findDefinition(schema, filter.path.attribute)?.subAttributes;
      return valuesAt(item, filter.path).some(
        (value) => isRecord(value) && matchesScimFilter(value, filter.filter, subAttributes),
      );
    }
    case "compare": {
      const definition = definitionAt(schema, filter.path);
      const values = valuesAt(item, filter.path);
      if (filter.op === "ne") {
        return (
          !values.some((value) => compareValues("eq", value, filter.value, definition)) &&
          (filter.value !== null || values.some(isPresent))
        );
      }
      if (values.length === 0) return filter.op === "eq" && filter.value === null;
      return values.some((value) => compareValues(filter.op, value, filter.value, definition));
    }
  }
}
