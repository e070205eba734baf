// What a SCIM conformance suite asks of a service provider, written from RFC 7643 (schema) and
// RFC 7644 (protocol), section by section, against the real app and a client directory's token.
import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import { createTestApp, createTestTenant } from "../helpers/factories";
import {
  createTestDirectory,
  expectScimError,
  filterQuery,
  ScimClient,
  type ScimError,
  type ScimList,
  type ScimResource,
  scimUrn,
} from "../helpers/scim";
import { rawDb } from "../helpers/store";

async function connectDirectory() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const tenant = await createTestTenant(clock, "Conformance");
  const created = await createTestDirectory(clock, { name: "Conformance IdP", scope: "tenant", tenantId: tenant.id });
  // Emails are unique across the instance, and every test of this file shares one database.
  const domain = `${crypto.randomUUID().slice(0, 8)}.example`;
  return { clock, app, tenant, domain, directoryId: created.directory.id, scim: new ScimClient(app, created.token) };
}

type Connected = Awaited<ReturnType<typeof connectDirectory>>;

/** Four people with distinct attributes; Carol is deactivated 100 s after the others were made. */
async function provisionPeople({ clock, scim, domain }: Connected) {
  const person = async (given: string, family: string, extra: Record<string, unknown> = {}) => {
    clock.advanceSeconds(1);
    const userName = `${given}.${family}@${domain}`;
    return scim.createUser(userName, {
      name: { givenName: given, familyName: family },
      displayName: `${given} ${family}`,
      emails: [{ value: userName.toLowerCase(), type: "work", primary: true }],
      ...extra,
    });
  };
  const alice = await person("Alice", "Anderson", { externalId: "ext-alice" });
  const bob = await person("bob", "Brown", { externalId: "ext-bob" });
  const carol = await person("carol", "Clark", { externalId: "ext-carol" });
  const dave = await person("dave", "Davis");
  const beforeChange = new Date(clock.now().getTime() + 50_000).toISOString();
  clock.advanceSeconds(100);
  const carolDeactivated = await scim.expectJson<ScimResource>(
    "PATCH",
    `/scim/v2/Users/${carol.id}`,
    { schemas: [scimUrn.patchOp], Operations: [{ op: "replace", path: "active", value: false }] },
    200,
  );
  return { alice, bob, carol: carolDeactivated, dave, beforeChange };
}

async function userNamesMatching(scim: ScimClient, filter: string): Promise<string[]> {
  const list = await scim.expectJson<ScimList>("GET", `/scim/v2/Users${filterQuery(filter)}`, undefined, 200);
  expect(list.totalResults, filter).toBe(list.Resources?.length ?? 0);
  // The part before the @: each test has a domain of its own (connectDirectory).
  return (list.Resources ?? []).map((resource) => String(resource.userName).split("@")[0] ?? "").sort();
}

describe("discovery (RFC 7644 §4, RFC 7643 §5–7)", () => {
  it("describes the service provider: PATCH and filters yes; bulk, sort, ETags and password changes no", async () => {
    const { scim } = await connectDirectory();
    const config = await scim.expectJson<Record<string, Record<string, unknown> & { supported?: boolean }>>(
      "GET",
      "/scim/v2/ServiceProviderConfig",
      undefined,
      200,
    );
    // The core schema first; an extension it lists is an object of the body (RFC 7643 §3).
    const schemas = config.schemas as unknown as string[];
    expect(schemas[0]).toBe(scimUrn.serviceProviderConfig);
    for (const extension of schemas.slice(1)) expect(config[extension], extension).toEqual(expect.any(Object));
    expect(config.patch?.supported).toBe(true);
    expect(config.bulk?.supported).toBe(false);
    expect(config.sort?.supported).toBe(false);
    expect(config.etag?.supported).toBe(false);
    expect(config.changePassword?.supported).toBe(false);
    expect(config.filter?.supported).toBe(true);
    expect(config.filter?.maxResults).toEqual(expect.any(Number));
    const schemes = config.authenticationSchemes as unknown as Array<Record<string, unknown>>;
    expect(schemes.some((scheme) => scheme.type === "oauthbearertoken")).toBe(true);
  });

  it("lists the User and Group resource types and answers each by name", async () => {
    const { scim } = await connectDirectory();
    const list = await scim.expectJson<ScimList>("GET", "/scim/v2/ResourceTypes", undefined, 200);
    expect(list.schemas).toEqual([scimUrn.listResponse]);
    const types = list.Resources ?? [];
    expect(types).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          schemas: [scimUrn.resourceType],
          id: "User",
          endpoint: "/Users",
          schema: scimUrn.user,
        }),
        expect.objectContaining({ id: "Group", endpoint: "/Groups", schema: scimUrn.group }),
      ]),
    );
    expect(list.totalResults).toBe(types.length);
    const user = await scim.expectJson<Record<string, unknown>>("GET", "/scim/v2/ResourceTypes/User", undefined, 200);
    expect(user).toMatchObject({ name: "User", endpoint: "/Users", schema: scimUrn.user });
    await expectScimError(await scim.request("GET", "/scim/v2/ResourceTypes/Printer"), 404);
  });

  it("publishes the User and Group schemas, userName unique and not case-exact", async () => {
    const { scim } = await connectDirectory();
    const list = await scim.expectJson<ScimList>("GET", "/scim/v2/Schemas", undefined, 200);
    const ids = (list.Resources ?? []).map((schema) => schema.id);
    expect(ids).toEqual(expect.arrayContaining([scimUrn.user, scimUrn.group]));
    const user = await scim.expectJson<{ id: string; attributes: Array<Record<string, unknown>> }>(
      "GET",
      `/scim/v2/Schemas/${scimUrn.user}`,
      undefined,
      200,
    );
    expect(user.id).toBe(scimUrn.user);
    expect(user.attributes.find((attribute) => attribute.name === "userName")).toMatchObject({
      type: "string",
      required: true,
      caseExact: false,
      uniqueness: "server",
    });
    const group = await scim.expectJson<{ id: string }>("GET", `/scim/v2/Schemas/${scimUrn.group}`, undefined, 200);
    expect(group.id).toBe(scimUrn.group);
    await expectScimError(await scim.request("GET", "/scim/v2/Schemas/urn:example:unknown"), 404);
  });
});

describe("creating and reading (RFC 7644 §3.3, §3.4.1)", () => {
  it("answers a create with 201, the resource, its meta and a Location header naming it", async () => {
    const { scim, clock } = await connectDirectory();
    const response = await scim.request("POST", "/scim/v2/Users", {
      schemas: [scimUrn.user],
      userName: "meta.person@protocol.example",
      name: { givenName: "Meta", familyName: "Person" },
      emails: [{ value: "meta.person@protocol.example", type: "work", primary: true }],
    });
    const text = await response.text();
    expect(response.status, text).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    const user = JSON.parse(text) as ScimResource;
    expect(user.schemas).toContain(scimUrn.user);
    expect(user.id).toEqual(expect.any(String));
    // xsd:dateTime (RFC 7643 §2.3.5), with or without fractions of a second.
    expect(user.meta.resourceType).toBe("User");
    expect(Date.parse(user.meta.created)).toBe(clock.now().getTime());
    expect(Date.parse(user.meta.lastModified)).toBe(clock.now().getTime());
    expect(user.meta.location).toMatch(new RegExp(`^https?://[^/]+/scim/v2/Users/${user.id}$`));
    expect(response.headers.get("location")).toBe(user.meta.location);
    const read = await scim.expectJson<ScimResource>("GET", new URL(user.meta.location).pathname, undefined, 200);
    expect(read.id).toBe(user.id);
  });

  it("accepts application/json as well as application/scim+json and answers in application/scim+json", async () => {
    const { scim } = await connectDirectory();
    const response = await scim.request(
      "POST",
      "/scim/v2/Users",
      { schemas: [scimUrn.user], userName: "json.person@protocol.example" },
      { "content-type": "application/json", accept: "application/json" },
    );
    expect(response.status, await response.clone().text()).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  });

  it("never takes a password from a directory and never returns one", async () => {
    const { scim } = await connectDirectory();
    const response = await scim.request("POST", "/scim/v2/Users", {
      schemas: [scimUrn.user],
      userName: "password.person@protocol.example",
      password: "t1meMa5heen",
    });
    const text = await response.text();
    expect(text).not.toContain("t1meMa5heen");
    expect([201, 400], text).toContain(response.status);
    const row = await rawDb
      .prepare("SELECT password_hash, activated_at FROM users WHERE email = ?")
      .bind("password.person@protocol.example")
      .first<{ password_hash: string | null; activated_at: number | null }>();
    if (response.status === 201) expect(row).toEqual({ password_hash: null, activated_at: null });
    else expect(row).toBeNull();
  });

  it("refuses a second user with the same userName, whatever its case, with 409 uniqueness", async () => {
    const { scim } = await connectDirectory();
    await scim.createUser("Twin.Person@protocol.example");
    const again = await scim.request("POST", "/scim/v2/Users", {
      schemas: [scimUrn.user],
      userName: "twin.person@PROTOCOL.example",
    });
    await expectScimError(again, 409, "uniqueness");
  });

  it("refuses a second group with the same displayName with 409 uniqueness", async () => {
    const { scim } = await connectDirectory();
    await scim.createGroup("Protocol Twins");
    await expectScimError(
      await scim.request("POST", "/scim/v2/Groups", { schemas: [scimUrn.group], displayName: "Protocol Twins" }),
      409,
      "uniqueness",
    );
  });

  it("answers bad JSON with 400 invalidSyntax and a user without userName with 400 invalidValue, creating nothing", async () => {
    const { scim } = await connectDirectory();
    await expectScimError(await scim.request("POST", "/scim/v2/Users", '{"userName": "broken'), 400, "invalidSyntax");
    await expectScimError(
      await scim.request("POST", "/scim/v2/Users", { schemas: [scimUrn.user], name: { givenName: "No" } }),
      400,
      "invalidValue",
    );
    const list = await scim.expectJson<ScimList>("GET", "/scim/v2/Users", undefined, 200);
    expect(list.totalResults).toBe(0);
  });

  it("answers an unknown id and an unknown endpoint with the SCIM 404", async () => {
    const { scim } = await connectDirectory();
    const body = await expectScimError(await scim.request("GET", "/scim/v2/Users/no-such-user"), 404);
    expect(body.detail).toEqual(expect.any(String));
    await expectScimError(await scim.request("GET", "/scim/v2/Groups/no-such-group"), 404);
    await expectScimError(await scim.request("GET", "/scim/v2/Printers"), 404);
  });

  it("refuses a body above the advertised size with 413 in the SCIM error shape, creating nothing", async () => {
    const { scim } = await connectDirectory();
    const response = await scim.request("POST", "/scim/v2/Users", {
      schemas: [scimUrn.user],
      userName: "big.person@protocol.example",
      title: "x".repeat(2 * 1024 * 1024),
    });
    await expectScimError(response, 413);
    const found = await rawDb
      .prepare("SELECT 1 FROM users WHERE email = ?")
      .bind("big.person@protocol.example")
      .first();
    expect(found).toBeNull();
  });
});

describe("listing (RFC 7644 §3.4.2, §3.4.2.4)", () => {
  it("answers a ListResponse with totalResults, startIndex, itemsPerPage and Resources", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const list = await connected.scim.expectJson<ScimList>("GET", "/scim/v2/Users", undefined, 200);
    expect(list.schemas).toEqual([scimUrn.listResponse]);
    expect(list.totalResults).toBe(4);
    expect(list.startIndex).toBe(1);
    expect(list.itemsPerPage).toBe(4);
    expect(list.Resources).toHaveLength(4);
  });

  it("pages with a 1-based startIndex and count, each person once", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const seen: string[] = [];
    for (const startIndex of [1, 3]) {
      const page = await connected.scim.expectJson<ScimList>(
        "GET",
        `/scim/v2/Users?startIndex=${startIndex}&count=2`,
        undefined,
        200,
      );
      expect(page).toMatchObject({ totalResults: 4, startIndex, itemsPerPage: 2 });
      seen.push(...(page.Resources ?? []).map((resource) => resource.id));
    }
    expect(new Set(seen).size).toBe(4);
    const last = await connected.scim.expectJson<ScimList>(
      "GET",
      "/scim/v2/Users?startIndex=4&count=2",
      undefined,
      200,
    );
    expect(last).toMatchObject({ totalResults: 4, startIndex: 4, itemsPerPage: 1 });
  });

  it("answers count=0 with the total and no resources", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const list = await connected.scim.expectJson<ScimList>("GET", "/scim/v2/Users?count=0", undefined, 200);
    expect(list).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
    expect(list.Resources ?? []).toEqual([]);
  });

  it("reads a startIndex below 1 as 1 and a negative count as 0", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const low = await connected.scim.expectJson<ScimList>("GET", "/scim/v2/Users?startIndex=0", undefined, 200);
    expect(low).toMatchObject({ startIndex: 1, itemsPerPage: 4 });
    const negative = await connected.scim.expectJson<ScimList>("GET", "/scim/v2/Users?count=-5", undefined, 200);
    expect(negative).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
  });

  it("never returns more than the advertised maxResults per page", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const config = await connected.scim.expectJson<{ filter: { maxResults: number } }>(
      "GET",
      "/scim/v2/ServiceProviderConfig",
      undefined,
      200,
    );
    const list = await connected.scim.expectJson<ScimList>("GET", "/scim/v2/Users?count=1000000", undefined, 200);
    expect(list.itemsPerPage).toBeLessThanOrEqual(config.filter.maxResults);
    expect(list.itemsPerPage).toBe(4);
  });

  it("lists groups the same way", async () => {
    const { scim } = await connectDirectory();
    await scim.createGroup("Listing One");
    await scim.createGroup("Listing Two");
    const list = await scim.expectJson<ScimList>("GET", "/scim/v2/Groups?count=1", undefined, 200);
    expect(list).toMatchObject({ schemas: [scimUrn.listResponse], totalResults: 2, startIndex: 1, itemsPerPage: 1 });
  });
});

describe("filters (RFC 7644 §3.4.2.2)", () => {
  it("compares userName without regard to case, and externalId exactly (RFC 7643 §4.1.1, §3.1)", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const { scim, domain } = connected;
    expect(await userNamesMatching(scim, `userName eq "alice.anderson@${domain}"`)).toEqual(["Alice.Anderson"]);
    expect(await userNamesMatching(scim, `userName eq "ALICE.ANDERSON@${domain.toUpperCase()}"`)).toEqual([
      "Alice.Anderson",
    ]);
    expect(await userNamesMatching(scim, 'externalId eq "ext-bob"')).toEqual(["bob.Brown"]);
    expect(await userNamesMatching(scim, 'externalId eq "EXT-BOB"')).toEqual([]);
  });

  it("applies eq, ne, co, sw, ew and pr", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const { scim, domain } = connected;
    const everyone = ["Alice.Anderson", "bob.Brown", "carol.Clark", "dave.Davis"];
    expect(await userNamesMatching(scim, `userName ne "alice.anderson@${domain}"`)).toEqual(everyone.slice(1));
    expect(await userNamesMatching(scim, 'userName co "brown"')).toEqual(["bob.Brown"]);
    expect(await userNamesMatching(scim, 'userName sw "CAR"')).toEqual(["carol.Clark"]);
    expect(await userNamesMatching(scim, `userName ew "@${domain}"`)).toEqual(everyone);
    expect(await userNamesMatching(scim, "externalId pr")).toEqual(everyone.slice(0, 3));
    expect(await userNamesMatching(scim, `emails.value eq "carol.clark@${domain}"`)).toEqual(["carol.Clark"]);
    expect(await userNamesMatching(scim, 'displayName eq "bob brown"')).toEqual(["bob.Brown"]);
    expect(await userNamesMatching(scim, "active eq false")).toEqual(["carol.Clark"]);
  });

  it("orders strings and times with gt, ge, lt and le", async () => {
    const connected = await connectDirectory();
    const { carol, beforeChange } = await provisionPeople(connected);
    const { scim } = connected;
    expect(await userNamesMatching(scim, 'userName lt "b"')).toEqual(["Alice.Anderson"]);
    expect(await userNamesMatching(scim, 'userName gt "C"')).toEqual(["carol.Clark", "dave.Davis"]);
    expect(await userNamesMatching(scim, `meta.lastModified gt "${beforeChange}"`)).toEqual(["carol.Clark"]);
    expect(await userNamesMatching(scim, `meta.lastModified lt "${beforeChange}"`)).toHaveLength(3);
    expect(await userNamesMatching(scim, `meta.lastModified ge "${carol.meta.lastModified}"`)).toEqual(["carol.Clark"]);
    expect(await userNamesMatching(scim, `meta.lastModified le "${carol.meta.lastModified}"`)).toHaveLength(4);
  });

  it("combines with and, or, not and parentheses", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const { scim } = connected;
    expect(await userNamesMatching(scim, 'userName sw "a" or userName sw "b"')).toEqual([
      "Alice.Anderson",
      "bob.Brown",
    ]);
    expect(await userNamesMatching(scim, 'not (userName sw "a")')).toHaveLength(3);
    expect(await userNamesMatching(scim, '(userName sw "a" or userName sw "c") and active eq true')).toEqual([
      "Alice.Anderson",
    ]);
    expect(await userNamesMatching(scim, 'userName sw "c" and not (active eq true)')).toEqual(["carol.Clark"]);
    // "and" binds tighter than "or" (RFC 7644 §3.4.2.2, the grammar's precedence).
    expect(await userNamesMatching(scim, 'userName sw "d" or userName sw "a" and active eq false')).toEqual([
      "dave.Davis",
    ]);
  });

  it("finds groups by displayName and externalId", async () => {
    const { scim } = await connectDirectory();
    const group = await scim.createGroup("Filter Group", { externalId: "grp-ext-1" });
    await scim.createGroup("Other Group");
    for (const filter of ['displayName eq "filter group"', 'externalId eq "grp-ext-1"']) {
      const list = await scim.expectJson<ScimList>("GET", `/scim/v2/Groups${filterQuery(filter)}`, undefined, 200);
      expect(
        (list.Resources ?? []).map((resource) => resource.id),
        filter,
      ).toEqual([group.id]);
    }
  });

  it("answers a malformed filter with 400 invalidFilter, never with a list", async () => {
    const { scim, domain } = await connectDirectory();
    await scim.createUser(`present.person@${domain}`);
    for (const filter of [
      'userName eq "unterminated',
      "userName eq",
      'userName xx "a"',
      '(userName eq "a"',
      'userName eq "a" and',
      'userName eq "a" or or userName eq "b"',
    ]) {
      await expectScimError(await scim.request("GET", `/scim/v2/Users${filterQuery(filter)}`), 400, "invalidFilter");
    }
  });

  it("answers a filter it does not evaluate with 400 invalidFilter, and one it does with the right people", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const cases: Array<[string, string[]]> = [
      ['emails[type eq "work" and value co "carol"]', ["carol.Clark"]],
      ['name.familyName sw "Cl"', ["carol.Clark"]],
      ['title eq "Nobody has this title"', []],
    ];
    for (const [filter, expected] of cases) {
      const response = await connected.scim.request("GET", `/scim/v2/Users${filterQuery(filter)}`);
      if (response.status === 400) {
        await expectScimError(response, 400, "invalidFilter");
        continue;
      }
      expect(response.status, filter).toBe(200);
      const list = (await response.json()) as ScimList;
      const localParts = (list.Resources ?? []).map((resource) => String(resource.userName).split("@")[0]);
      expect(localParts.sort(), filter).toEqual(expected);
    }
  });

  it("refuses a filter longer than it accepts with a 400 SCIM error", async () => {
    const { scim } = await connectDirectory();
    const filter = Array.from({ length: 2000 }, (_, index) => `userName eq "p${index}"`).join(" or ");
    const body = await expectScimError(await scim.request("GET", `/scim/v2/Users${filterQuery(filter)}`), 400);
    expect(["invalidFilter", "tooMany"]).toContain(body.scimType);
  });

  it("answers POST /Users/.search as the same query by GET, or refuses it without creating anything", async () => {
    const connected = await connectDirectory();
    await provisionPeople(connected);
    const response = await connected.scim.request("POST", "/scim/v2/Users/.search", {
      schemas: [scimUrn.searchRequest],
      filter: 'userName sw "b"',
      startIndex: 1,
      count: 10,
    });
    if (response.status === 200) {
      const list = (await response.json()) as ScimList;
      expect(list.schemas).toEqual([scimUrn.listResponse]);
      expect((list.Resources ?? []).map((resource) => resource.userName)).toEqual([`bob.Brown@${connected.domain}`]);
    } else {
      // RFC 7644 §3.4.3 makes /.search optional; refused, it must not be read as a create.
      const body = (await response.json()) as ScimError;
      expect(body.schemas).toEqual([scimUrn.error]);
      expect([400, 404, 405, 501]).toContain(response.status);
    }
    const all = await connected.scim.expectJson<ScimList>("GET", "/scim/v2/Users?count=0", undefined, 200);
    expect(all.totalResults).toBe(4);
  });
});

describe("attributes and excludedAttributes (RFC 7644 §3.4.2.5, §3.9)", () => {
  it("returns only the asked attributes, and always id", async () => {
    const connected = await connectDirectory();
    const { alice } = await provisionPeople(connected);
    const { scim } = connected;
    const only = await scim.expectJson<Record<string, unknown>>(
      "GET",
      `/scim/v2/Users/${alice.id}?attributes=userName`,
      undefined,
      200,
    );
    expect(only.id).toBe(alice.id);
    expect(only.userName).toBe(alice.userName);
    expect(only.name).toBeUndefined();
    expect(only.emails).toBeUndefined();
    const nested = await scim.expectJson<{ name?: Record<string, unknown>; emails?: unknown }>(
      "GET",
      `/scim/v2/Users/${alice.id}?attributes=name.givenName`,
      undefined,
      200,
    );
    expect(nested.name).toEqual({ givenName: "Alice" });
    const listed = await scim.expectJson<ScimList>("GET", "/scim/v2/Users?attributes=userName", undefined, 200);
    for (const resource of listed.Resources ?? []) {
      expect(resource.id).toEqual(expect.any(String));
      expect(resource.emails).toBeUndefined();
    }
  });

  it("leaves out excluded attributes but never id", async () => {
    const connected = await connectDirectory();
    const { alice } = await provisionPeople(connected);
    const without = await connected.scim.expectJson<Record<string, unknown>>(
      "GET",
      `/scim/v2/Users/${alice.id}?excludedAttributes=emails,id`,
      undefined,
      200,
    );
    expect(without.emails).toBeUndefined();
    expect(without.id).toBe(alice.id);
    expect(without.userName).toBe(alice.userName);
  });
});

describe("changing (RFC 7644 §3.5)", () => {
  it("replaces a user with PUT, keeping id and created", async () => {
    const { scim, clock } = await connectDirectory();
    const user = await scim.createUser("put.person@protocol.example");
    clock.advanceSeconds(60);
    const replaced = await scim.expectJson<ScimResource>(
      "PUT",
      `/scim/v2/Users/${user.id}`,
      {
        schemas: [scimUrn.user],
        userName: "put.person@protocol.example",
        name: { givenName: "Put", familyName: "Again" },
        emails: [{ value: "put.person@protocol.example", type: "work", primary: true }],
        active: true,
      },
      200,
    );
    expect(replaced).toMatchObject({ id: user.id, name: { givenName: "Put", familyName: "Again" } });
    expect(replaced.meta.created).toBe(user.meta.created);
    expect(Date.parse(replaced.meta.lastModified)).toBe(clock.now().getTime());
  });

  it("refuses a PATCH remove without a path with 400 noTarget (§3.5.2.2)", async () => {
    const { scim } = await connectDirectory();
    const user = await scim.createUser("remove.person@protocol.example");
    await expectScimError(
      await scim.request("PATCH", `/scim/v2/Users/${user.id}`, {
        schemas: [scimUrn.patchOp],
        Operations: [{ op: "remove" }],
      }),
      400,
      "noTarget",
    );
  });

  it("refuses a replace through a value filter that matches nothing with 400 noTarget (§3.5.2.3)", async () => {
    const { scim } = await connectDirectory();
    const user = await scim.createUser("target.person@protocol.example");
    await expectScimError(
      await scim.request("PATCH", `/scim/v2/Users/${user.id}`, {
        schemas: [scimUrn.patchOp],
        Operations: [{ op: "replace", path: 'emails[type eq "home"].value', value: "home@protocol.example" }],
      }),
      400,
      "noTarget",
    );
  });

  it("refuses to change a user's id with 400 mutability, changing nothing (§3.5.2, RFC 7643 §3.1)", async () => {
    const { scim } = await connectDirectory();
    const user = await scim.createUser("id.person@protocol.example");
    await expectScimError(
      await scim.request("PATCH", `/scim/v2/Users/${user.id}`, {
        schemas: [scimUrn.patchOp],
        Operations: [
          { op: "replace", path: "name.givenName", value: "Changed" },
          { op: "replace", path: "id", value: "another-id" },
        ],
      }),
      400,
      "mutability",
    );
    const read = await scim.expectJson<{ name: { givenName: string } }>(
      "GET",
      `/scim/v2/Users/${user.id}`,
      undefined,
      200,
    );
    expect(read.name.givenName).toBe("Scim");
  });

  it("deletes a group with 204, then answers 404 for it", async () => {
    const { scim } = await connectDirectory();
    const group = await scim.createGroup("Short Lived");
    const deleted = await scim.request("DELETE", `/scim/v2/Groups/${group.id}`);
    expect(deleted.status).toBe(204);
    await expectScimError(await scim.request("GET", `/scim/v2/Groups/${group.id}`), 404);
  });
});
