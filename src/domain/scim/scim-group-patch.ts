// A PATCH on a Group (RFC 7644 §3.5.2) read into what to change: the name and externalId, and the
// member changes as ids, so they apply in SQL without loading the group's members. Both shapes
// clients send are read alike: Okta (`members[value eq "…"]` to remove, a value object to rename)
// and Entra's default dialect (capitalised ops, remove-member with a value array) as well as its
// aadOptscim062020 one (lower-case ops, value-filter paths).
import { AppError } from "../../errors";
import { getMember, parseAttributePathExpression } from "./scim-filter";
import { groupSchemaUrn, patchOpUrn, scimLimits } from "./scim-schemas";

export interface GroupMemberChanges {
  /** Empty the group first (a replace of members, a remove of "members" without a value). */
  removeAll: boolean;
  add: Set<string>;
  remove: Set<string>;
}

export interface GroupPatch {
  displayName?: string;
  externalId?: string | null;
  members: GroupMemberChanges;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function invalid(detail: string, code: "SCIM_INVALID_VALUE" | "SCIM_INVALID_SYNTAX" = "SCIM_INVALID_VALUE"): never {
  throw new AppError(code, { detail });
}

/** Member values: `[{ "value": "…" }]` or one such object; every value a non-empty string. */
export function readMemberIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    const id = getMember(item, "value");
    if (typeof id !== "string" || id.trim() === "") invalid('Each member needs a "value": the id of a user.');
    return id;
  });
}

function addMembers(changes: GroupMemberChanges, ids: string[]) {
  for (const id of ids) {
    changes.remove.delete(id);
    changes.add.add(id);
  }
}

function removeMembers(changes: GroupMemberChanges, ids: string[]) {
  for (const id of ids) {
    changes.add.delete(id);
    if (!changes.removeAll) changes.remove.add(id);
  }
}

function replaceMembers(changes: GroupMemberChanges, ids: string[]) {
  changes.removeAll = true;
  changes.remove.clear();
  changes.add = new Set(ids);
}

function readDisplayName(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") invalid("displayName must be a non-empty string.");
  return value;
}

function readExternalId(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string") invalid("externalId must be a string.");
  return value;
}

function applyAttribute(patch: GroupPatch, op: string, name: string, value: unknown, groupId: string) {
  switch (name) {
    case "displayname":
      patch.displayName = readDisplayName(value);
      return;
    case "externalid":
      patch.externalId = readExternalId(value);
      return;
    case "members":
      if (op === "add") addMembers(patch.members, readMemberIds(value));
      else replaceMembers(patch.members, value === null ? [] : readMemberIds(value));
      return;
    case "id":
      if (value !== groupId) throw new AppError("SCIM_MUTABILITY", { detail: "A group's id never changes." });
      return;
    case "schemas":
    case "meta":
      return;
    default:
      throw new AppError("SCIM_INVALID_PATH", { detail: `Groups have no attribute '${name}' to change.` });
  }
}

/** A path: "displayName", "externalId", "members", `members[value eq "…"]`, with or without the Group URN. */
function applyPathOperation(patch: GroupPatch, op: string, pathText: string, value: unknown, groupId: string) {
  const { path, filter, subAttribute } = parseAttributePathExpression(pathText);
  if (path.uri && path.uri !== groupSchemaUrn.toLowerCase()) {
    throw new AppError("SCIM_INVALID_PATH", { detail: `Groups have no attribute in ${path.uri}.` });
  }
  const name = path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute;
  if (filter) {
    const target = filter.kind === "compare" && filter.op === "eq" ? filter.path.attribute : null;
    if (name !== "members" || target !== "value" || subAttribute || filter.kind !== "compare") {
      throw new AppError("SCIM_INVALID_PATH", {
        detail: `Only members[value eq "…"] selects members; not '${pathText}'.`,
      });
    }
    if (op !== "remove") throw new AppError("SCIM_INVALID_PATH", { detail: 'Add members with the path "members".' });
    removeMembers(patch.members, [String(filter.value)]);
    return;
  }
  if (op !== "remove") return applyAttribute(patch, op, name, value, groupId);
  if (name === "members") {
    if (value === undefined || value === null) replaceMembers(patch.members, []);
    else removeMembers(patch.members, readMemberIds(value));
  } else if (name === "externalid") {
    patch.externalId = null;
  } else if (name === "displayname") {
    throw new AppError("SCIM_MUTABILITY", { detail: "displayName is required; replace it instead." });
  } else {
    throw new AppError("SCIM_INVALID_PATH", { detail: `Groups have no attribute '${name}' to remove.` });
  }
}

/** Reads a PatchOp body for a group; refuses it whole (nothing changes) when any operation is wrong. */
export function readGroupPatch(body: unknown, groupId: string): GroupPatch {
  if (!isRecord(body)) invalid("The body must be a PatchOp object.", "SCIM_INVALID_SYNTAX");
  const schemas = getMember(body, "schemas");
  if (!Array.isArray(schemas) || !schemas.includes(patchOpUrn))
    invalid(`schemas must list ${patchOpUrn}.`, "SCIM_INVALID_SYNTAX");
  const operations = getMember(body, "Operations");
  if (!Array.isArray(operations) || operations.length === 0)
    invalid("Operations must be a non-empty array.", "SCIM_INVALID_SYNTAX");
  if (operations.length > scimLimits.maxOperations) {
    throw new AppError("SCIM_TOO_MANY", { detail: `At most ${scimLimits.maxOperations} operations per request.` });
  }
  const patch: GroupPatch = { members: { removeAll: false, add: new Set(), remove: new Set() } };
  for (const operation of operations) {
    const op = String(getMember(operation, "op") ?? "").toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove")
      invalid('Each operation\'s "op" is add, replace or remove.', "SCIM_INVALID_SYNTAX");
    const path = getMember(operation, "path");
    const value = getMember(operation, "value");
    if (typeof path === "string" && path.trim() !== "") {
      applyPathOperation(patch, op, path, value, groupId);
    } else if (op === "remove") {
      throw new AppError("SCIM_NO_TARGET", { detail: "A remove needs a path." });
    } else {
      if (!isRecord(value)) invalid("Without a path, the value is an object of attributes.");
      for (const [key, attributeValue] of Object.entries(value))
        applyAttribute(patch, op, key.toLowerCase(), attributeValue, groupId);
    }
  }
  return patch;
}
