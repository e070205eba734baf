// Group member changes read from PATCH operations (RFC 7644 §3.5.2) as ids to add and remove, so
// the caller changes a group of any size without loading its members. Entra's default dialect
// removes members with a value array, its aadOptscim062020 dialect and Okta with
// members[value eq "id"]; both are read here.

import { AppError } from "../../errors";
import { getMember, isRecord, parseAttributePathExpression, type ScimFilter } from "./scim-filter";
import type { PatchOp, PatchOperation } from "./scim-patch";
import { groupSchemaUrn } from "./scim-schemas";

/** Member changes as sets: empty the group first when `removeAll` (a replace is that, then `add`), then remove and add by id. */
export interface MemberChanges {
  removeAll: boolean;
  add: Set<string>;
  remove: Set<string>;
}

function memberIds(value: unknown): string[] {
  return [value ?? []].flat().map((member) => {
    const id = typeof member === "string" ? member : isRecord(member) ? getMember(member, "value") : undefined;
    if (typeof id !== "string" || !id) {
      throw new AppError("SCIM_INVALID_VALUE", { detail: "Each member needs a 'value' holding the member's id" });
    }
    return id;
  });
}

/** The member id of `value eq "…"`, the only member filter a group of any size can answer by id. */
function memberIdOf(filter: ScimFilter): string {
  if (
    filter.kind === "compare" &&
    filter.op === "eq" &&
    filter.path.attribute === "value" &&
    !filter.path.subAttribute
  ) {
    if (typeof filter.value === "string") return filter.value;
  }
  throw new AppError("SCIM_INVALID_FILTER", { detail: 'Members are selected with members[value eq "id"] only' });
}

interface MemberChange {
  op: PatchOp | "removeAll";
  ids: string[];
}

/** The member change one operation makes, and what is left of it for applyPatchOperations. */
function splitOperation(operation: PatchOperation): { change?: MemberChange; other?: PatchOperation } {
  const { op, path, value } = operation;
  if (path === undefined) {
    const key = isRecord(value) ? Object.keys(value).find((name) => name.toLowerCase() === "members") : undefined;
    if (key === undefined || !isRecord(value)) return { other: operation };
    const { [key]: members, ...rest } = value;
    const other = Object.keys(rest).length > 0 ? { ...operation, value: rest } : undefined;
    return { change: { op, ids: memberIds(members) }, ...(other && { other }) };
  }
  const parsed = parseAttributePathExpression(path);
  const { uri, attribute, subAttribute } = parsed.path;
  if (attribute !== "members" || (uri !== undefined && uri !== groupSchemaUrn.toLowerCase()))
    return { other: operation };
  if (subAttribute || parsed.subAttribute) {
    throw new AppError("SCIM_INVALID_PATH", { detail: `'${path}': members are added or removed, not changed` });
  }
  if (parsed.filter) {
    const id = memberIdOf(parsed.filter);
    if (op !== "remove")
      throw new AppError("SCIM_INVALID_PATH", { detail: `'${path}': add members through 'members'` });
    return { change: { op, ids: [id] } };
  }
  return { change: { op: op === "remove" && value === undefined ? "removeAll" : op, ids: memberIds(value) } };
}

/** The net effect of member changes in order: a later change to an id wins over an earlier one. */
function accumulateMemberChanges(changes: MemberChange[]): MemberChanges {
  const result: MemberChanges = { removeAll: false, add: new Set(), remove: new Set() };
  for (const { op, ids } of changes) {
    if (op === "replace" || op === "removeAll") {
      result.removeAll = true;
      result.add.clear();
      result.remove.clear();
    }
    for (const id of op === "remove" ? [] : ids) {
      result.remove.delete(id);
      result.add.add(id);
    }
    for (const id of op === "remove" ? ids : []) {
      result.add.delete(id);
      // After a removeAll the member is gone already.
      if (!result.removeAll) result.remove.add(id);
    }
  }
  return result;
}

/**
 * Splits a Group PATCH into its member changes, applied by id so a large group is never loaded,
 * and the other operations, for applyPatchOperations.
 */
export function splitMemberOperations(operations: PatchOperation[]): {
  memberChanges: MemberChanges;
  otherOperations: PatchOperation[];
} {
  const parts = operations.map(splitOperation);
  return {
    memberChanges: accumulateMemberChanges(parts.flatMap((part) => (part.change ? [part.change] : []))),
    otherOperations: parts.flatMap((part) => (part.other ? [part.other] : [])),
  };
}
