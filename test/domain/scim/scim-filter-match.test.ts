// Filters evaluated in memory over RFC 7643's sample user, with the examples of RFC 7644 §3.4.2.2.
import { describe, expect, it } from "vitest";
import { matchesScimFilter, parseScimFilter } from "../../../src/domain/scim/scim-filter";
import { attributesOf, groupSchemas, userSchemas } from "../../../src/domain/scim/scim-schemas";
import { refusal } from "./refusal";

const babs = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "2819c223",
  externalId: "bjensen",
  userName: "Bjensen@Example.com",
  name: { familyName: "Jensen", givenName: "Barbara" },
  title: "Tour Guide",
  userType: "Employee",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  meta: { created: "2010-01-23T04:56:22Z", lastModified: "2011-05-13T04:42:34Z" },
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Tour Operations" },
};
const userAttributes = attributesOf(userSchemas);
const matches = (filter: string) => matchesScimFilter(babs, parseScimFilter(filter), userAttributes);

describe("matchesScimFilter", () => {
  it.each([
    ['userName eq "bjensen@example.com"', true],
    ['USERNAME Eq "BJENSEN@EXAMPLE.COM"', true],
    ['externalId eq "BJENSEN"', false],
    ['externalId eq "bjensen"', true],
    ['name.familyName co "ens"', true],
    ['userName sw "bj"', true],
    ['userName ew ".COM"', true],
    ["title pr", true],
    ["nickName pr", false],
    ['emails co "jensen.org"', true],
    ['emails.value ew "example.com"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp"]', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified gt "2011-05-13T05:00:00+02:00"', true],
    ['meta.lastModified le "2011-05-13T06:42:34+02:00"', true],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['nickName ne "Babs"', true],
    ["active eq true", true],
    ["active eq false", false],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "BJ"', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations"', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"', false],
  ])("%s → %s", (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it("refuses ordering a boolean or a complex attribute", () => {
    expect(refusal(() => matches('active gt "a"')).code).toBe("SCIM_INVALID_FILTER");
    expect(refusal(() => matches('name gt "a"')).detail).toBe(
      "The operator 'gt' cannot order the complex attribute 'name'",
    );
  });

  it("compares case-insensitively without definitions, as RFC 7643 defaults caseExact to false", () => {
    expect(matchesScimFilter({ value: "A@X.test", type: "Work" }, parseScimFilter('type eq "work"'))).toBe(true);
  });
});

describe("matchesScimFilter over a group", () => {
  const group = { id: "e9e30dba", displayName: "Tour Guides", members: [{ value: "2819c223" }] };
  const attributes = attributesOf(groupSchemas);

  it.each([
    ['displayName eq "tour guides"', true],
    ['id eq "e9e30dba" and members[value eq "2819c223"]', true],
    ['id eq "E9E30DBA" and members[value eq "2819c223"]', false],
    ['members[value eq "902c246b"]', false],
    ["members pr", true],
  ])("%s → %s (Entra checks membership this way)", (filter, expected) => {
    expect(matchesScimFilter(group, parseScimFilter(filter), attributes)).toBe(expected);
  });
});
