// attributes and excludedAttributes (RFC 7644 §3.4.2.5, §3.9) with the returned characteristic.
import { describe, expect, it } from "vitest";
import { isAttributeRequested, parseAttributeList, projectResource } from "../../../src/domain/scim/scim-projection";
import {
  enterpriseUserSchemaUrn,
  groupSchemas,
  userSchemas,
  userSchemaUrn,
} from "../../../src/domain/scim/scim-schemas";
import { refusal } from "./refusal";

const user = {
  schemas: [userSchemaUrn, enterpriseUserSchemaUrn],
  id: "2819c223",
  externalId: "bjensen",
  userName: "bjensen@example.com",
  name: { givenName: "Barbara", familyName: "Jensen" },
  password: "never sent",
  emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
  meta: { resourceType: "User", location: "https://x.test/scim/v2/Users/2819c223" },
  [enterpriseUserSchemaUrn]: { department: "Tours", manager: { value: "m1" } },
};
const project = (attributes?: string, excludedAttributes?: string) =>
  projectResource(
    user,
    { attributes: parseAttributeList(attributes), excludedAttributes: parseAttributeList(excludedAttributes) },
    userSchemas,
  );

describe("projectResource", () => {
  it("returns every default attribute and never the password", () => {
    const { password: _password, ...expected } = user;
    expect(project()).toEqual(expected);
  });

  it("returns only the asked attributes, with id and schemas always", () => {
    expect(project("userName,name.givenName,emails.value")).toEqual({
      schemas: user.schemas,
      id: user.id,
      userName: user.userName,
      name: { givenName: "Barbara" },
      emails: [{ value: "bjensen@example.com" }],
    });
  });

  it("reads URN-qualified names and a whole extension asked for by its URN", () => {
    expect(project(`${userSchemaUrn}:UserName,${enterpriseUserSchemaUrn}:manager.value`)).toEqual({
      schemas: user.schemas,
      id: user.id,
      userName: user.userName,
      [enterpriseUserSchemaUrn]: { manager: { value: "m1" } },
    });
    expect(project(enterpriseUserSchemaUrn)).toEqual({
      schemas: user.schemas,
      id: user.id,
      [enterpriseUserSchemaUrn]: user[enterpriseUserSchemaUrn],
    });
  });

  it("drops excluded attributes and sub-attributes, but never id", () => {
    const projected = project(
      undefined,
      `id,emails,name.familyName,meta,externalId,${enterpriseUserSchemaUrn}:department`,
    );
    expect(projected).toEqual({
      schemas: user.schemas,
      id: user.id,
      userName: user.userName,
      name: { givenName: "Barbara" },
      [enterpriseUserSchemaUrn]: { manager: { value: "m1" } },
    });
  });

  it("drops an extension left empty", () => {
    expect(
      project(undefined, `${enterpriseUserSchemaUrn}:department,${enterpriseUserSchemaUrn}:manager`),
    ).not.toHaveProperty(enterpriseUserSchemaUrn);
  });

  it("can leave out a group's members", () => {
    const group = { schemas: [groupSchemas[0]!.id], id: "g", displayName: "Guides", members: [{ value: "u" }] };
    expect(
      projectResource(group, { attributes: null, excludedAttributes: parseAttributeList("members") }, groupSchemas),
    ).toEqual({ schemas: group.schemas, id: "g", displayName: "Guides" });
  });
});

describe("parseAttributeList and isAttributeRequested", () => {
  it("reads nothing as no list, and refuses a name that is not a path", () => {
    expect(parseAttributeList(undefined)).toBeNull();
    expect(parseAttributeList(" ")).toBeNull();
    expect(parseAttributeList("userName, emails.value")).toEqual([
      { attribute: "username" },
      { attribute: "emails", subAttribute: "value" },
    ]);
    expect(refusal(() => parseAttributeList('userName,emails[type eq "work"]')).code).toBe("SCIM_INVALID_PATH");
  });

  it.each([
    [undefined, undefined, true],
    ["displayName", undefined, false],
    ["members.value", undefined, true],
    [undefined, "members", false],
    [undefined, "members.display", true],
    ["MEMBERS", undefined, true],
  ])("attributes=%s excludedAttributes=%s → members %s", (attributes, excludedAttributes, expected) => {
    const options = {
      attributes: parseAttributeList(attributes),
      excludedAttributes: parseAttributeList(excludedAttributes),
    };
    expect(isAttributeRequested("members", options)).toBe(expected);
  });
});
