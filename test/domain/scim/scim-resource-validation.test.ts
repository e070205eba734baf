// POST and PUT bodies checked against the schemas (RFC 7643 §4, RFC 7644 §3.3), in the shapes the
// RFC, Okta and Entra send.
import { describe, expect, it } from "vitest";
import { findPrimaryOrWorkEmail, validateResourceInput } from "../../../src/domain/scim/scim-resource-validation";
import {
  enterpriseUserSchemaUrn,
  groupSchemas,
  userSchemas,
  userSchemaUrn,
} from "../../../src/domain/scim/scim-schemas";
import { refusal } from "./refusal";

const create = (input: unknown) => validateResourceInput(input, userSchemas, { mode: "create" });

describe("validateResourceInput", () => {
  it("keeps Okta's user in canonical case, dropping the password, readOnly and unknown attributes", () => {
    const validated = create({
      schemas: [userSchemaUrn, enterpriseUserSchemaUrn],
      id: "client-chosen",
      USERNAME: "isaac@example.com",
      name: { GivenName: "Isaac", familyName: "Brock", nonsense: 1 },
      emails: [{ primary: true, value: "isaac@example.com", type: "work" }],
      displayName: "Isaac Brock",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [{ value: "g1" }],
      password: "1mz050nq",
      active: true,
      favouriteColour: "blue",
      meta: { resourceType: "User" },
    });
    expect(validated).toEqual({
      schemas: [userSchemaUrn],
      userName: "isaac@example.com",
      name: { givenName: "Isaac", familyName: "Brock" },
      emails: [{ primary: true, value: "isaac@example.com", type: "work" }],
      displayName: "Isaac Brock",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      active: true,
    });
  });

  it("reads Entra's booleans as strings and keeps the enterprise extension under its URN", () => {
    const validated = create({
      schemas: [userSchemaUrn, enterpriseUserSchemaUrn],
      userName: "Test_User_ab6490ee@testuser.com",
      active: "True",
      [enterpriseUserSchemaUrn.toLowerCase()]: { Department: "Tours", manager: { value: "m1", displayName: "Boss" } },
    });
    expect(validated).toEqual({
      schemas: [userSchemaUrn, enterpriseUserSchemaUrn],
      userName: "Test_User_ab6490ee@testuser.com",
      active: true,
      [enterpriseUserSchemaUrn]: { department: "Tours", manager: { value: "m1" } },
    });
  });

  it("validates a group with its members", () => {
    const validated = validateResourceInput(
      {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName: "Tour Guides",
        members: [{ value: "u1" }],
      },
      groupSchemas,
      { mode: "replace" },
    );
    expect(validated).toMatchObject({ displayName: "Tour Guides", members: [{ value: "u1" }] });
  });

  it.each([
    ["a string", "SCIM_INVALID_SYNTAX", "The body must be a JSON object"],
    [{ userName: "a" }, "SCIM_INVALID_SYNTAX", `'schemas' must list ${userSchemaUrn}`],
    [
      { schemas: [userSchemaUrn], name: { givenName: "a" } },
      "SCIM_INVALID_VALUE",
      "'userName' is required to create a User",
    ],
    [{ schemas: [userSchemaUrn], userName: 5 }, "SCIM_INVALID_VALUE", "'userName' must be a string, not number"],
    [
      { schemas: [userSchemaUrn], userName: "a", active: "yes" },
      "SCIM_INVALID_VALUE",
      "'active' must be a boolean, not string",
    ],
    [
      { schemas: [userSchemaUrn], userName: "a", name: "Babs" },
      "SCIM_INVALID_VALUE",
      "'name' must be an object, not string",
    ],
    [
      {
        schemas: [userSchemaUrn],
        userName: "a",
        emails: [
          { value: "a", primary: true },
          { value: "b", primary: "True" },
        ],
      },
      "SCIM_INVALID_VALUE",
      "Only one of 'emails' may be primary",
    ],
  ])("refuses %j", (input, code, detail) => {
    const error = refusal(() => create(input));
    expect([error.code, error.detail]).toEqual([code, detail]);
  });

  it("names the PUT when a replacement lacks the required attribute", () => {
    const error = refusal(() => validateResourceInput({ schemas: [userSchemaUrn] }, userSchemas, { mode: "replace" }));
    expect(error.detail).toBe("'userName' is required to replace a User");
  });
});

describe("findPrimaryOrWorkEmail", () => {
  it.each([
    [
      [
        { value: "home@x.test", type: "home" },
        { value: "work@x.test", type: "work" },
        { value: "p@x.test", primary: true },
      ],
      "p@x.test",
    ],
    [
      [
        { value: "home@x.test", type: "home" },
        { value: "work@x.test", type: "Work" },
      ],
      "work@x.test",
    ],
    [[{ value: " first@x.test ", type: "home" }, { value: "other@x.test" }], "first@x.test"],
    [[], null],
    [undefined, null],
  ])("chooses from %j", (emails, expected) => {
    expect(findPrimaryOrWorkEmail({ userName: "u", emails })).toBe(expected);
  });
});
