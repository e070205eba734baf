// A Group PATCH's member changes (RFC 7644 §3.5.2), in the shapes the RFC, Okta and both Entra
// dialects send.
import { describe, expect, it } from "vitest";
import { type PatchOperation, splitMemberOperations } from "../../../src/domain/scim/scim-patch";
import { refusal } from "./refusal";

describe("splitMemberOperations", () => {
  const split = (...operations: PatchOperation[]) => splitMemberOperations(operations);

  it("turns member operations into changes by id, later ones winning, and keeps the rest", () => {
    const { memberChanges, otherOperations } = split(
      { op: "add", path: "members", value: [{ value: "a" }, { value: "b" }] },
      { op: "remove", path: 'members[value eq "a"]' },
      { op: "replace", path: "displayName", value: "Guides" },
    );
    expect(memberChanges).toEqual({ add: new Set(["b"]), remove: new Set(["a"]), removeAll: false });
    expect(otherOperations).toEqual([{ op: "replace", path: "displayName", value: "Guides" }]);
  });

  it("splits the members key out of a path-less value object", () => {
    const { memberChanges, otherOperations } = split({
      op: "replace",
      value: { displayName: "Guides", members: [{ value: "c" }] },
    });
    expect(memberChanges).toEqual({ add: new Set(["c"]), remove: new Set(), removeAll: true });
    expect(otherOperations).toEqual([{ op: "replace", value: { displayName: "Guides" } }]);
  });

  it("removes all, then adds, and reads Entra's remove with a value array", () => {
    expect(
      split({ op: "remove", path: "members" }, { op: "add", path: "members", value: [{ value: "d" }] }).memberChanges,
    ).toEqual({ add: new Set(["d"]), remove: new Set(), removeAll: true });
    expect(split({ op: "remove", path: "members", value: [{ value: "e" }] }).memberChanges.remove).toEqual(
      new Set(["e"]),
    );
  });

  it("applies later changes to a replacement set", () => {
    const { memberChanges } = split(
      { op: "replace", path: "members", value: [{ value: "a" }, { value: "b" }] },
      { op: "remove", path: 'members[value eq "a"]' },
      { op: "add", path: "members", value: [{ value: "c" }] },
    );
    expect(memberChanges).toEqual({ add: new Set(["b", "c"]), remove: new Set(), removeAll: true });
  });

  it.each([
    [{ op: "remove", path: 'members[display eq "Babs"]' }, "SCIM_INVALID_FILTER"],
    [{ op: "replace", path: "members.value", value: "x" }, "SCIM_INVALID_PATH"],
    [{ op: "add", path: "members", value: [{ display: "no id" }] }, "SCIM_INVALID_VALUE"],
  ] as const)("refuses %j", (operation, code) => {
    expect(refusal(() => split(operation as PatchOperation)).code).toBe(code);
  });
});
