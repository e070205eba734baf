// Filters and paths from RFC 7644 §3.4.2.2 (the examples after Figure 2) and §3.5.2, and the
// shapes Okta and Entra send.
import { describe, expect, it } from "vitest";
import { parseAttributePathExpression, parseScimFilter, type ScimFilter } from "../../../src/domain/scim/scim-filter";
import { refusal } from "./refusal";

describe("parseScimFilter", () => {
  it("parses an equality with a lower-cased attribute and a case-insensitive operator", () => {
    expect(parseScimFilter('userName EQ "bjensen"')).toEqual({
      kind: "compare",
      op: "eq",
      path: { attribute: "username" },
      value: "bjensen",
    });
  });

  it("binds and tighter than or", () => {
    const filter = parseScimFilter('title pr or userType eq "Employee" and active eq true');
    expect(filter.kind).toBe("or");
    expect((filter as { right: ScimFilter }).right.kind).toBe("and");
  });

  it("reads URN-qualified names, sub-attributes, numbers, null and JSON escapes", () => {
    expect(parseScimFilter('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "O\\u0027M"')).toEqual({
      kind: "compare",
      op: "co",
      path: { uri: "urn:ietf:params:scim:schemas:core:2.0:user", attribute: "name", subAttribute: "familyname" },
      value: "O'M",
    });
    expect(parseScimFilter("x.y gt -1.5e2")).toMatchObject({ value: -150 });
    expect(parseScimFilter("manager eq NULL")).toMatchObject({ value: null });
  });

  it("parses the RFC's value filter and not with grouping", () => {
    expect(parseScimFilter('emails[type eq "work" and value co "@example.com"]')).toMatchObject({
      kind: "valuePath",
      path: { attribute: "emails" },
      filter: { kind: "and" },
    });
    expect(parseScimFilter('not (userName eq "a") and (title pr or active eq false)')).toMatchObject({
      kind: "and",
      left: { kind: "not" },
      right: { kind: "or" },
    });
  });

  it.each([
    ['userName xx "a"', "Unsupported operator 'xx' at position 9"],
    ['userName eq "a', "Unterminated string at position 12"],
    ["userName eq", "Expected a value (a string, number, true, false or null) but found the end (position 11)"],
    ['(userName eq "a"', "Expected ')' but found the end (position 16)"],
    ['userName eq "a" extra', "Unexpected 'extra' at position 16"],
    ["active gt true", "The operator 'gt' at position 7 cannot compare with true"],
    ["userName co 5", "The operator 'co' at position 9 needs a string"],
    ['emails[type[value eq "a"]]', "A value filter cannot hold another one, at '[' at position 11"],
    ["", "The filter is empty"],
  ])("refuses %j: %s", (text, detail) => {
    const error = refusal(() => parseScimFilter(text));
    expect(error.code).toBe("SCIM_INVALID_FILTER");
    expect(error.detail).toBe(detail);
  });

  it("refuses a filter over the length limit and one nested too deeply", () => {
    expect(refusal(() => parseScimFilter(`userName eq "${"a".repeat(2048)}"`)).detail).toMatch(/longer than 2048/);
    const deep = `${"(".repeat(40)}title pr${")".repeat(40)}`;
    expect(refusal(() => parseScimFilter(deep)).detail).toBe("The filter nests deeper than 32 levels");
  });
});

describe("parseAttributePathExpression", () => {
  it.each([
    ['members[value eq "2819c223"]', { path: { attribute: "members" }, filter: { kind: "compare" } }],
    ['emails[type eq "work"].value', { path: { attribute: "emails" }, subAttribute: "value" }],
    ["name.givenName", { path: { attribute: "name", subAttribute: "givenname" } }],
    [
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
      {
        path: {
          uri: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
          attribute: "manager",
          subAttribute: "value",
        },
      },
    ],
  ])("parses %s", (text, expected) => {
    expect(parseAttributePathExpression(text)).toMatchObject(expected);
  });

  it.each([
    ["name.givenName.extra", "'name.givenName.extra' is not an attribute path"],
    ['emails[type eq "work"]value', "Unexpected 'value' at position 22"],
    ['emails.value[type eq "work"]', "A value filter applies to an attribute, not 'value'"],
    ['emails[type eq "work"', "Expected ']' but found the end (position 21)"],
  ])("refuses %j as an invalid path", (text, detail) => {
    const error = refusal(() => parseAttributePathExpression(text));
    expect(error.code).toBe("SCIM_INVALID_PATH");
    expect(error.detail).toBe(detail);
  });
});
