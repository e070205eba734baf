// PATCH from RFC 7644 §3.5.2.1–3 (its sample documents), and the request shapes Okta and both Entra
// dialects (the default one and aadOptscim062020) document.
import { describe, expect, it } from "vitest";
import { applyPatchOperations, parsePatchRequest } from "../../../src/domain/scim/scim-patch";
import { enterpriseUserSchemaUrn, groupSchemas, patchOpUrn, userSchemas } from "../../../src/domain/scim/scim-schemas";
import { refusal } from "./refusal";

const request = (...Operations: unknown[]) => ({ schemas: [patchOpUrn], Operations });
const patchUser = (user: Record<string, unknown>, ...operations: unknown[]) =>
  applyPatchOperations(user, parsePatchRequest(request(...operations)), userSchemas);
const patchGroup = (group: Record<string, unknown>, ...operations: unknown[]) =>
  applyPatchOperations(group, parsePatchRequest(request(...operations)), groupSchemas);

const babs = "2819c223-7f76-453a-919d-413861904646";
const mandy = "902c246b-6245-4190-8e05-00816be7344a";
const group = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  id: "e9e30dba-f08f-4109-8486-d5c6a331660a",
  displayName: "Tour Guides",
  members: [{ value: babs, display: "Babs Jensen" }],
};
const user = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: babs,
  userName: "bjensen@example.com",
  name: { givenName: "Barbara", familyName: "Jensen" },
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  addresses: [{ type: "work", streetAddress: "100 Universal City Plaza", locality: "Hollywood" }],
};

describe("parsePatchRequest", () => {
  it("reads capitalised ops and the lower-case operations key", () => {
    expect(
      parsePatchRequest({
        schemas: [patchOpUrn.toUpperCase()],
        operations: [{ op: "Replace", path: "title", value: "x" }],
      }),
    ).toEqual([{ op: "replace", path: "title", value: "x" }]);
  });

  it.each([
    [[], "SCIM_INVALID_SYNTAX", "The body must be a JSON object"],
    [{ schemas: ["urn:x"], Operations: [] }, "SCIM_INVALID_SYNTAX", `'schemas' must list ${patchOpUrn}`],
    [request(), "SCIM_INVALID_SYNTAX", "'Operations' must be a non-empty array"],
    [
      request({ op: "move", path: "a" }),
      "SCIM_INVALID_SYNTAX",
      "Operation 1: 'op' must be add, remove or replace, not 'move'",
    ],
    [request({ op: "remove" }), "SCIM_NO_TARGET", "Operation 1: remove needs a path"],
    [request({ op: "add", path: "title" }), "SCIM_INVALID_SYNTAX", "Operation 1: add needs a value"],
    [
      request({ op: "add", value: "x" }),
      "SCIM_INVALID_VALUE",
      "Operation 1: without a path, the value must be an object",
    ],
  ])("refuses %j", (body, code, detail) => {
    const error = refusal(() => parsePatchRequest(body));
    expect([error.code, error.detail]).toEqual([code, detail]);
  });

  it("refuses more operations than the limit", () => {
    const operations = Array.from({ length: 1001 }, () => ({ op: "add", path: "title", value: "x" }));
    expect(refusal(() => parsePatchRequest(request(...operations))).code).toBe("SCIM_TOO_MANY");
  });
});

describe("applyPatchOperations, RFC 7644 §3.5.2", () => {
  it("adds a member without duplicating one already there, and never changes its input", () => {
    const member = { value: mandy, display: "Mandy Pepperidge" };
    const patched = patchGroup(
      group,
      { op: "add", path: "members", value: [member, { value: babs }] },
      { op: "add", path: "members", value: [member] },
    );
    // display is the server's to write (readOnly), so only the id is kept.
    expect(patched.members).toEqual([...group.members, { value: mandy }]);
    expect(group.members).toHaveLength(1);
  });

  it("adds without a path: the keys are attributes, in any case", () => {
    const patched = patchUser(user, {
      op: "add",
      value: {
        emails: [
          { value: "babs@jensen.org", type: "home" },
          { value: "b@x.test", type: "other" },
        ],
        nickname: "Babs",
      },
    });
    expect(patched.nickName).toBe("Babs");
    expect(patched.emails).toEqual([...user.emails, { value: "b@x.test", type: "other" }]);
  });

  it("removes all members, one member by filter, and emails matching a complex filter", () => {
    expect(patchGroup(group, { op: "remove", path: "members" })).not.toHaveProperty("members");
    expect(patchGroup(group, { op: "remove", path: `members[value eq "${babs}"]` })).not.toHaveProperty("members");
    const patched = patchUser(user, { op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' });
    expect(patched.emails).toEqual([{ value: "babs@jensen.org", type: "home" }]);
  });

  it("replaces members wholesale, and a work address by filter", () => {
    expect(patchGroup(group, { op: "replace", path: "members", value: [{ value: mandy }] }).members).toEqual([
      { value: mandy },
    ]);
    const address = { type: "work", streetAddress: "911 Universal City Plaza", locality: "Hollywood", primary: true };
    expect(patchUser(user, { op: "replace", path: 'addresses[type eq "work"]', value: address }).addresses).toEqual([
      address,
    ]);
  });

  it("replaces one sub-attribute of a filtered item", () => {
    const patched = patchUser(user, {
      op: "replace",
      path: 'addresses[type eq "work"].streetAddress',
      value: "1010 Broadway Ave",
    });
    expect(patched.addresses).toEqual([{ ...user.addresses[0], streetAddress: "1010 Broadway Ave" }]);
  });

  it("makes the newly primary email the only primary one", () => {
    const patched = patchUser(user, { op: "replace", path: 'emails[type eq "home"].primary', value: true });
    expect(patched.emails).toEqual([
      { value: "bjensen@example.com", type: "work", primary: false },
      { value: "babs@jensen.org", type: "home", primary: true },
    ]);
  });

  it("answers noTarget for a replace through a filter that matches nothing", () => {
    const error = refusal(() =>
      patchUser(user, { op: "replace", path: 'emails[type eq "pager"]', value: { value: "x" } }),
    );
    expect([error.code, error.detail]).toEqual(["SCIM_NO_TARGET", `'emails[type eq "pager"]' matches nothing`]);
  });

  it("treats removing what is already gone as no change", () => {
    expect(patchGroup(group, { op: "remove", path: `members[value eq "${mandy}"]` })).toEqual(group);
  });

  it.each([
    [
      { op: "replace", path: "nickname.first", value: "x" },
      "SCIM_INVALID_PATH",
      "'nickname.first' names no sub-attribute",
    ],
    [{ op: "replace", path: "shoeSize", value: 9 }, "SCIM_INVALID_PATH", "'shoeSize' is not an attribute of a User"],
    [
      { op: "replace", path: 'title[value eq "x"]', value: "x" },
      "SCIM_INVALID_PATH",
      "'title' is not multi-valued: it takes no value filter",
    ],
    [{ op: "replace", path: "active", value: "maybe" }, "SCIM_INVALID_VALUE", "'active' must be a boolean, not string"],
    [{ op: "replace", path: "id", value: "other" }, "SCIM_MUTABILITY", "'id' is read-only"],
    [{ op: "replace", value: { meta: { created: "2020-01-01T00:00:00Z" } } }, "SCIM_MUTABILITY", "'meta' is read-only"],
    [{ op: "remove", path: "userName" }, "SCIM_INVALID_VALUE", "'userName' is required and cannot be removed"],
    [{ op: "add", path: "groups", value: [{ value: "g" }] }, "SCIM_MUTABILITY", "'groups' is read-only"],
  ])("refuses %j", (operation, code, detail) => {
    const error = refusal(() => patchUser(user, { op: "add", path: "title", value: "Guide" }, operation));
    expect([error.code, error.detail]).toEqual([code, detail]);
  });

  it("refuses changing a member's immutable value", () => {
    const error = refusal(() =>
      patchGroup(group, { op: "replace", path: `members[value eq "${babs}"].value`, value: mandy }),
    );
    expect(error.code).toBe("SCIM_MUTABILITY");
  });

  it("reads null as unassigning the attribute", () => {
    const patched = patchUser(
      user,
      { op: "replace", path: "emails", value: null },
      { op: "replace", value: { name: null } },
    );
    expect(patched).not.toHaveProperty("emails");
    expect(patched).not.toHaveProperty("name");
  });

  it("accepts a password and discards it", () => {
    expect(patchUser(user, { op: "replace", path: "password", value: "hunter2" })).toEqual(user);
  });
});

describe("applyPatchOperations, as Okta sends it", () => {
  it("deactivates with a path-less value object", () => {
    expect(patchUser(user, { op: "replace", value: { active: false } }).active).toBe(false);
  });

  it("renames a group, ignoring the unchanged id it sends along", () => {
    const patched = patchGroup(group, { op: "replace", value: { id: group.id, displayName: "Guides" } });
    expect(patched).toEqual({ ...group, displayName: "Guides" });
  });
});

describe("applyPatchOperations, as Entra's default dialect sends it", () => {
  it("reads capitalised ops and booleans as strings", () => {
    expect(patchUser(user, { op: "Replace", path: "active", value: "False" }).active).toBe(false);
  });

  it("adds a work email through a filter that matches nothing by creating the item", () => {
    const noWork = { ...user, emails: [{ value: "babs@jensen.org", type: "home" }] };
    const patched = patchUser(noWork, { op: "Add", path: 'emails[type eq "work"].value', value: "babs@work.test" });
    expect(patched.emails).toEqual([...noWork.emails, { type: "work", value: "babs@work.test" }]);
  });

  it("replaces a work email that is not there yet by creating it, as the filter describes it", () => {
    const patched = patchUser(
      { ...user, emails: [] },
      { op: "Replace", path: 'emails[type eq "work" and primary eq true].value', value: "babs@work.test" },
    );
    expect(patched.emails).toEqual([{ type: "work", primary: true, value: "babs@work.test" }]);
  });

  it("changes the work email in place", () => {
    const patched = patchUser(user, { op: "Add", path: 'emails[type eq "work"].value', value: "new@example.com" });
    expect(patched.emails).toEqual([{ ...user.emails[0], value: "new@example.com" }, user.emails[1]]);
  });

  it("adds members sent with a null $ref, and removes members listed in a value array", () => {
    const withMandy = patchGroup(group, { op: "Add", path: "members", value: [{ $ref: null, value: mandy }] });
    expect(withMandy.members).toEqual([...group.members, { value: mandy }]);
    const patched = patchGroup(withMandy, { op: "Remove", path: "members", value: [{ $ref: null, value: babs }] });
    expect(patched.members).toEqual([{ value: mandy }]);
  });

  it("sets the manager from a bare id and a department under the enterprise URN", () => {
    const patched = patchUser(
      user,
      { op: "Add", path: `${enterpriseUserSchemaUrn}:manager`, value: mandy },
      { op: "Replace", path: `${enterpriseUserSchemaUrn}:department`, value: "Tours" },
    );
    expect(patched[enterpriseUserSchemaUrn]).toEqual({ manager: { value: mandy }, department: "Tours" });
    const listed = patchUser(user, {
      op: "Replace",
      path: `${enterpriseUserSchemaUrn}:manager`,
      value: [{ value: babs }],
    });
    expect(listed[enterpriseUserSchemaUrn]).toEqual({ manager: { value: babs } });
    expect(patched.schemas).toEqual([...user.schemas, enterpriseUserSchemaUrn]);
  });
});

describe("applyPatchOperations, as Entra's aadOptscim062020 dialect sends it", () => {
  it("replaces through a path-less object keyed by paths", () => {
    const patched = patchUser(user, {
      op: "replace",
      value: {
        active: false,
        "name.givenName": "Babs",
        'emails[type eq "work"].value': "babs@example.com",
        [`${enterpriseUserSchemaUrn}:employeeNumber`]: "701984",
      },
    });
    expect(patched).toMatchObject({
      active: false,
      name: { givenName: "Babs", familyName: "Jensen" },
      emails: [{ value: "babs@example.com", type: "work", primary: true }, user.emails[1]],
      [enterpriseUserSchemaUrn]: { employeeNumber: "701984" },
    });
  });

  it("replaces an extension given as an object under its URN key", () => {
    const patched = patchUser(user, { op: "replace", value: { [enterpriseUserSchemaUrn]: { Department: "Tours" } } });
    expect(patched[enterpriseUserSchemaUrn]).toEqual({ department: "Tours" });
  });

  it("removes the manager, leaving no empty extension behind", () => {
    const managed = {
      ...user,
      schemas: [...user.schemas, enterpriseUserSchemaUrn],
      [enterpriseUserSchemaUrn]: { manager: { value: mandy } },
    };
    const patched = patchUser(managed, { op: "remove", path: `${enterpriseUserSchemaUrn}:manager` });
    expect(patched).toEqual(user);
  });
});
