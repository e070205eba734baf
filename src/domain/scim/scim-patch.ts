// PATCH (RFC 7644 §3.5.2) over a JSON resource, pure: the input is never changed and the first bad
// operation throws, so a request applies whole or not at all. Tolerated beyond the RFC, because
// Okta and Entra send them (docs/SCIM.md): capitalised ops, booleans as "True"/"False", path-less
// value objects keyed by paths ("name.givenName", "emails[type eq \"work\"].value"), `remove` of
// `members` with a value array, and add or replace through a value filter that matches nothing,
// which creates the item the filter describes (Entra's emails[type eq "work"].value on a user
// without a work email; RFC 7644 §3.5.2.3 would answer noTarget for replace).

import { AppError } from "../../errors";
import { getMember, isRecord, matchesScimFilter, parseAttributePathExpression, type ScimFilter } from "./scim-filter";
import { coerceAttributeValue, coerceSingleValue, isUnassigned } from "./scim-resource-validation";
import {
  type AttributeDefinition,
  findDefinition,
  findExtension,
  patchOpUrn,
  type ResourceSchema,
  resolveAttribute,
  scimLimits,
} from "./scim-schemas";

// Group member changes by id live beside this module; callers find them here with the rest of PATCH.
export { type MemberChanges, splitMemberOperations } from "./scim-member-changes";

export interface PatchOperation {
  op: "add" | "remove" | "replace";
  path?: string;
  value?: unknown;
}

export type PatchOp = PatchOperation["op"];
const syntaxError = (detail: string) => new AppError("SCIM_INVALID_SYNTAX", { detail });

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isRecord(body)) throw syntaxError("The body must be a JSON object");
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((urn) => String(urn).toLowerCase() === patchOpUrn.toLowerCase())) {
    throw syntaxError(`'schemas' must list ${patchOpUrn}`);
  }
  const operations = getMember(body, "Operations");
  if (!Array.isArray(operations) || operations.length === 0) {
    throw syntaxError("'Operations' must be a non-empty array");
  }
  if (operations.length > scimLimits.maxOperations) {
    throw new AppError("SCIM_TOO_MANY", {
      detail: `The request holds ${operations.length} operations; at most ${scimLimits.maxOperations} are accepted`,
    });
  }
  return operations.map((operation, index) => {
    const at = `Operation ${index + 1}`;
    if (!isRecord(operation)) throw syntaxError(`${at} must be an object`);
    const op = String(getMember(operation, "op") ?? "").toLowerCase();
    const path = getMember(operation, "path") ?? undefined;
    const value = getMember(operation, "value");
    if (op !== "add" && op !== "remove" && op !== "replace") {
      throw syntaxError(`${at}: 'op' must be add, remove or replace, not '${getMember(operation, "op")}'`);
    }
    if (path !== undefined && (typeof path !== "string" || !path.trim())) {
      throw syntaxError(`${at}: 'path' must be a non-empty string`);
    }
    if (op === "remove" && path === undefined) {
      throw new AppError("SCIM_NO_TARGET", { detail: `${at}: remove needs a path` });
    }
    if (op !== "remove" && value === undefined) throw syntaxError(`${at}: ${op} needs a value`);
    if (op !== "remove" && path === undefined && !isRecord(value)) {
      throw new AppError("SCIM_INVALID_VALUE", { detail: `${at}: without a path, the value must be an object` });
    }
    return { op, ...(path !== undefined && { path }), ...(value !== undefined && { value }) };
  });
}

export function applyPatchOperations(
  resource: Record<string, unknown>,
  operations: PatchOperation[],
  schemas: ResourceSchema[],
): Record<string, unknown> {
  const document = structuredClone(resource);
  for (const { op, path, value } of operations) {
    if (path === undefined) applyValueObject(document, op, value, schemas);
    else applyAtPath(document, op, path, value, schemas);
  }
  for (const extension of schemas.slice(1)) {
    const object = document[extension.id];
    if (!isRecord(object) || Object.keys(object).length > 0) continue;
    delete document[extension.id];
    if (Array.isArray(document.schemas)) document.schemas = document.schemas.filter((urn) => urn !== extension.id);
  }
  return document;
}

/**
 * A path-less add or replace: each key is a path ("nickName", "name.givenName", Entra's
 * "emails[type eq \"work\"].value", "urn:…:User:department"), or an extension's URN holding its object.
 */
function applyValueObject(document: Record<string, unknown>, op: PatchOp, value: unknown, schemas: ResourceSchema[]) {
  if (op === "remove") throw new AppError("SCIM_NO_TARGET", { detail: "remove needs a path" });
  if (!isRecord(value)) {
    throw new AppError("SCIM_INVALID_VALUE", { detail: "Without a path, the value must be an object" });
  }
  for (const [key, entry] of Object.entries(value)) {
    if (key.toLowerCase() === "schemas") continue;
    const extension = findExtension(schemas, key);
    if (!extension || !isRecord(entry)) {
      applyAtPath(document, op, key, entry, schemas);
      continue;
    }
    for (const [name, inner] of Object.entries(entry))
      applyAtPath(document, op, `${extension.id}:${name}`, inner, schemas);
  }
}

function equalValues(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => equalValues(item, right[index]));
  }
  if (isRecord(left) && isRecord(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => equalValues(left[key], right[key]));
  }
  return left === right;
}

/** Sets (or, with undefined, deletes) a member under its canonical name, dropping other spellings. */
function writeMember(container: Record<string, unknown>, name: string, value: unknown): void {
  for (const key of Object.keys(container)) if (key.toLowerCase() === name.toLowerCase()) delete container[key];
  if (value !== undefined) container[name] = value;
}

function containerFor(document: Record<string, unknown>, extension: string | undefined, create: boolean) {
  if (extension === undefined) return document;
  const existing = getMember(document, extension);
  if (isRecord(existing) || !create) return isRecord(existing) ? existing : undefined;
  const created: Record<string, unknown> = {};
  writeMember(document, extension, created);
  const schemas = Array.isArray(document.schemas) ? document.schemas : [];
  if (!schemas.includes(extension)) document.schemas = [...schemas, extension];
  return created;
}

function applyAtPath(
  document: Record<string, unknown>,
  op: PatchOp,
  text: string,
  value: unknown,
  schemas: ResourceSchema[],
) {
  const parsed = parseAttributePathExpression(text);
  const resolved = resolveAttribute(schemas, parsed.path.uri, parsed.path.attribute);
  if (!resolved)
    throw new AppError("SCIM_INVALID_PATH", { detail: `'${text}' is not an attribute of a ${schemas[0]?.name}` });
  const { definition, extension } = resolved;
  const subName = parsed.path.subAttribute ?? parsed.subAttribute;
  const sub = subName === undefined ? undefined : findDefinition(definition.subAttributes, subName);
  if (subName !== undefined && !sub)
    throw new AppError("SCIM_INVALID_PATH", { detail: `'${text}' names no sub-attribute` });
  if (parsed.filter && !(definition.multiValued && definition.type === "complex")) {
    throw new AppError("SCIM_INVALID_PATH", {
      detail: `'${definition.name}' is not multi-valued: it takes no value filter`,
    });
  }
  // The password is accepted and discarded: Gatehouse users choose their own.
  if (definition.name === "password") return;
  // null unassigns the attribute (RFC 7643 §2.5).
  const [effectiveOp, effectiveValue] =
    op !== "remove" && value === null ? (["remove", undefined] as const) : [op, value];
  const container = containerFor(document, extension, effectiveOp !== "remove");
  if (!container) return;
  const current = getMember(container, definition.name);
  if ([definition.mutability, sub?.mutability].includes("readOnly")) {
    // Okta sends the group's id back with a rename: an unchanged readOnly value is no change.
    const currentTarget = sub ? getMember(current, sub.name) : current;
    if (effectiveOp !== "remove" && !parsed.filter && equalValues(effectiveValue, currentTarget)) return;
    throw new AppError("SCIM_MUTABILITY", { detail: `'${text}' is read-only` });
  }
  const target = { definition, sub, text };
  const next = parsed.filter
    ? patchFiltered(target, effectiveOp, parsed.filter, effectiveValue, current)
    : sub
      ? patchSubAttribute(target, effectiveOp, effectiveValue, current)
      : patchAttribute(target, effectiveOp, effectiveValue, current);
  if (equalValues(next, current)) return;
  const immutable = [definition.mutability, sub?.mutability].includes("immutable");
  if (immutable && !(isUnassigned(current) && effectiveOp !== "remove")) {
    throw new AppError("SCIM_MUTABILITY", { detail: `'${text}' is immutable: it can be set once, not changed` });
  }
  if (definition.required && isUnassigned(next)) {
    throw new AppError("SCIM_INVALID_VALUE", { detail: `'${definition.name}' is required and cannot be removed` });
  }
  writeMember(container, definition.name, isUnassigned(next) ? undefined : next);
}

interface Target {
  definition: AttributeDefinition;
  sub: AttributeDefinition | undefined;
  text: string;
}

const itemsOf = (current: unknown) => [current ?? []].flat().filter(isRecord);

/** Keeps one primary value: the last one this operation set (RFC 7643 §2.4). */
function keepOnePrimary(items: Record<string, unknown>[], touched: Record<string, unknown>[]) {
  const chosen = touched.findLast((item) => item.primary === true);
  if (!chosen) return items;
  return items.map((item) => (item !== chosen && item.primary === true ? { ...item, primary: false } : item));
}

function patchAttribute({ definition }: Target, op: PatchOp, value: unknown, current: unknown): unknown {
  if (!definition.multiValued) {
    if (op === "remove") return undefined;
    const coerced = coerceAttributeValue(definition, value);
    // A complex value sets the sub-attributes it names and leaves the others (RFC 7644 §3.5.2.1, §3.5.2.3).
    return definition.type === "complex" && isRecord(current) ? { ...current, ...(coerced as object) } : coerced;
  }
  const existing = itemsOf(current);
  if (op === "remove") {
    if (value === undefined) return undefined;
    // Entra's default dialect removes members by listing them: each listed value goes.
    const listed = coerceAttributeValue(definition, value) as Record<string, unknown>[];
    return existing.filter((item) => !listed.some((entry) => sameItem(item, entry)));
  }
  const items = coerceAttributeValue(definition, value) as Record<string, unknown>[];
  if (op === "replace") return keepOnePrimary(items, items);
  // A value already there (every sub-attribute given equal) is not added twice.
  const added = items.filter(
    (item) => !existing.some((old) => Object.entries(item).every(([key, sub]) => equalValues(old[key], sub))),
  );
  return keepOnePrimary([...existing, ...added], added);
}

const sameItem = (item: Record<string, unknown>, entry: Record<string, unknown>) =>
  entry.value === undefined ? equalValues(item, entry) : item.value === entry.value;

function patchSubAttribute({ definition, sub }: Target, op: PatchOp, value: unknown, current: unknown): unknown {
  const name = sub!.name;
  const subValue = op === "remove" ? undefined : coerceSingleValue(sub!, value, `${definition.name}.${name}`);
  const set = (item: Record<string, unknown>) => {
    const copy = { ...item };
    writeMember(copy, name, subValue);
    return copy;
  };
  if (!definition.multiValued) {
    const result = set(isRecord(current) ? current : {});
    return Object.keys(result).length === 0 ? undefined : result;
  }
  // "emails.value" without a filter reaches every email; with none yet, add and replace make one.
  const items = itemsOf(current);
  return (items.length === 0 && op !== "remove" ? [{}] : items).map(set);
}

function patchFiltered(target: Target, op: PatchOp, filter: ScimFilter, value: unknown, current: unknown): unknown {
  const { definition, sub, text } = target;
  const items = itemsOf(current);
  const matched = items.filter((item) => matchesScimFilter(item, filter, definition.subAttributes));
  if (matched.length === 0) {
    // Removing what is already gone changes nothing, so a retried request succeeds.
    if (op === "remove") return current;
    const seed = equalityTerms(filter);
    if (!seed || (op === "replace" && !sub))
      throw new AppError("SCIM_NO_TARGET", { detail: `'${text}' matches nothing` });
    const created = coerceSingleValue(
      definition,
      sub ? { ...seed, [sub.name]: value } : { ...seed, ...(value as object) },
      text,
    );
    return keepOnePrimary([...items, created as Record<string, unknown>], [created as Record<string, unknown>]);
  }
  if (op === "remove" && !sub) return items.filter((item) => !matched.includes(item));
  const touched: Record<string, unknown>[] = [];
  const updated = items.map((item) => {
    if (!matched.includes(item)) return item;
    const next = sub
      ? (patchSubAttribute({ ...target, definition: { ...definition, multiValued: false } }, op, value, item) ?? {})
      : op === "add"
        ? { ...item, ...(coerceSingleValue(definition, value, text) as object) }
        : coerceSingleValue(definition, value, text);
    touched.push(next as Record<string, unknown>);
    return next as Record<string, unknown>;
  });
  return keepOnePrimary(
    updated.filter((item) => Object.keys(item).length > 0),
    touched,
  );
}

/** The sub-attribute values a filter of `eq` terms joined by `and` pins down, or null for any other filter. */
function equalityTerms(filter: ScimFilter): Record<string, unknown> | null {
  if (filter.kind === "compare" && filter.op === "eq" && !filter.path.subAttribute && !filter.path.uri) {
    return { [filter.path.attribute]: filter.value };
  }
  if (filter.kind !== "and") return null;
  const left = equalityTerms(filter.left);
  const right = equalityTerms(filter.right);
  return left && right && { ...left, ...right };
}
