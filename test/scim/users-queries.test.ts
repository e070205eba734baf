// GET /scim/v2/Users and /Users/:id: filters compiled to SQL (RFC 7644 §3.4.2.2), pagination
// (§3.4.2.4), attributes (§3.4.2.5), and nothing outside the calling directory.
import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import { createClientDirectory, createStaffDirectory, oktaUser } from "../helpers/directories";
import { createTestApp } from "../helpers/factories";

const clock = new TestClock("2026-12-01T09:00:00Z");
const app = createTestApp(clock);
const acme = await createClientDirectory(app, clock, "Acme");
const globex = await createClientDirectory(app, clock, "Globex");
const staff = await createStaffDirectory(app, clock);

type ScimUser = { id: string; userName: string; externalId?: string; [key: string]: unknown };
type ListResponse = {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimUser[];
};

async function provision(overrides: Record<string, unknown> = {}) {
  clock.advanceSeconds(60);
  return acme.scim.expect<ScimUser>("POST", "/Users", oktaUser(overrides), 201);
}

const ada = await provision({
  userName: "Ada.Lovelace@Example.test",
  emails: [{ value: "ada.lovelace@example.test", type: "work", primary: true }],
  displayName: "Ada Lovelace",
  name: { givenName: "Ada", familyName: "Lovelace" },
  externalId: "Ext-Ada",
  title: "Countess",
});
const grace = await provision({ displayName: "Grace Hopper", name: { givenName: "Grace", familyName: "Hopper" } });
const alan = await provision({
  displayName: "Alan Turing",
  name: { givenName: "Alan", familyName: "Turing" },
  active: false,
});
const inGlobex = await globex.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);

async function ids(filter: string): Promise<string[]> {
  const list = await acme.scim.expect<ListResponse>(
    "GET",
    `/Users?filter=${encodeURIComponent(filter)}`,
    undefined,
    200,
  );
  return list.Resources.map((user) => user.id);
}

describe("filters", () => {
  it("finds userName case-insensitively and externalId exactly", async () => {
    expect(await ids('userName eq "ada.lovelace@EXAMPLE.test"')).toEqual([ada.id]);
    expect(await ids('externalId eq "Ext-Ada"')).toEqual([ada.id]);
    expect(await ids('externalId eq "ext-ada"')).toEqual([]);
    expect(await ids(`id eq "${grace.id}"`)).toEqual([grace.id]);
  });

  it("answers the operators and logic of RFC 7644 on emails, names, active and meta", async () => {
    expect(await ids('emails[type eq "work" and value co "lovelace"]')).toEqual([ada.id]);
    expect(await ids('emails.value sw "ada."')).toEqual([ada.id]);
    expect(await ids('displayName co "hopper"')).toEqual([grace.id]);
    expect(await ids('name.familyName ew "ING"')).toEqual([alan.id]);
    expect(await ids("active eq false")).toEqual([alan.id]);
    expect(await ids('active eq true and not (displayName sw "Ada")')).toEqual([grace.id]);
    expect(await ids('displayName sw "Ada" or displayName sw "Alan"')).toEqual([ada.id, alan.id]);
    expect(await ids("externalId pr")).toEqual([ada.id, grace.id, alan.id]);
    expect(await ids('title eq "countess"')).toEqual([ada.id]);
    const created = new Date(clock.now().getTime() - 30_000).toISOString();
    expect(await ids(`meta.created gt "${created}"`)).toEqual([alan.id]);
  });

  it("answers 400 invalidFilter for what it cannot compile, never a full list", async () => {
    for (const filter of [
      'phoneNumbers[type eq "work"]',
      'groups.value eq "x"',
      "active gt true",
      "userName eq",
      'meta.created gt "yesterday"',
    ]) {
      const response = await acme.scim.request("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      expect(response.status, filter).toBe(400);
      expect(await response.json(), filter).toMatchObject({ scimType: "invalidFilter" });
    }
    const tooLong = await acme.scim.request(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${"a".repeat(3000)}"`)}`,
    );
    expect(await tooLong.json()).toMatchObject({ status: "400", scimType: "invalidFilter" });
  });
});

describe("pages", () => {
  it("pages from startIndex 1 in link order, reads count=0 as the total alone, a startIndex below 1 as 1", async () => {
    const first = await acme.scim.expect<ListResponse>("GET", "/Users?startIndex=0&count=2", undefined, 200);
    expect(first).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 3,
      startIndex: 1,
      itemsPerPage: 2,
    });
    expect(first.Resources.map((user) => user.id)).toEqual([ada.id, grace.id]);
    const second = await acme.scim.expect<ListResponse>("GET", "/Users?startIndex=3&count=2", undefined, 200);
    expect(second.Resources.map((user) => user.id)).toEqual([alan.id]);
    const none = await acme.scim.expect<ListResponse>("GET", "/Users?count=0", undefined, 200);
    expect(none).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const bad = await acme.scim.request("GET", "/Users?count=lots");
    expect(await bad.json()).toMatchObject({ status: "400", scimType: "invalidValue" });
  });

  it("narrows documents to the attributes asked for, or without the excluded ones", async () => {
    const narrowed = await acme.scim.expect<ScimUser>("GET", `/Users/${ada.id}?attributes=userName`, undefined, 200);
    expect(Object.keys(narrowed).sort()).toEqual(["id", "schemas", "userName"]);
    const without = await acme.scim.expect<ListResponse>(
      "GET",
      `/Users?filter=${encodeURIComponent(`id eq "${ada.id}"`)}&excludedAttributes=emails,name`,
      undefined,
      200,
    );
    expect(without.Resources[0]).not.toHaveProperty("emails");
    expect(without.Resources[0]).toHaveProperty("userName");
  });

  it("answers POST /Users/.search as the same query", async () => {
    const found = await acme.scim.expect<ListResponse>(
      "POST",
      "/Users/.search",
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        filter: 'userName eq "ADA.lovelace@example.test"',
        attributes: ["userName"],
      },
      200,
    );
    expect(found.Resources).toEqual([
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: ada.id, userName: ada.userName },
    ]);
  });
});

describe("one directory's users only", () => {
  it("answers another directory's user exactly as a made-up id, and never lists it", async () => {
    const made = await acme.scim.request("GET", "/Users/usr_doesnotexist");
    const other = await acme.scim.request("GET", `/Users/${inGlobex.id}`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual(await made.json());
    expect(await ids(`userName eq "${inGlobex.userName}"`)).toEqual([]);
    const deactivate = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    };
    const bodies: Record<string, unknown> = { PUT: oktaUser(), PATCH: deactivate, DELETE: undefined, GET: undefined };
    for (const [method, body] of Object.entries(bodies)) {
      const response = await staff.scim.request(method, `/Users/${ada.id}`, body);
      expect(response.status, method).toBe(404);
      expect(await response.json(), method).toEqual(
        await (await staff.scim.request("GET", "/Users/usr_nobody")).json(),
      );
    }
    const staffList = await staff.scim.expect<ListResponse>("GET", "/Users", undefined, 200);
    expect(staffList.Resources.map((user) => user.id)).not.toContain(ada.id);
  });
});
