// /scim/v2/Groups as RFC 7644 writes it and as Okta and Entra send it: create, read, list, replace,
// PATCH in each dialect, delete; members only from the caller's own directory, with no oracle.
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createDirectoryUser,
  createTestDirectory,
  groupSchemaUrnForTests as groupUrn,
  patchOpUrnForTests as patchOp,
  scimRequest,
  type TestDirectory,
} from "../helpers/directory-groups";
import { createTestApp, createTestTenant } from "../helpers/factories";
import { rawDb } from "../helpers/store";

type App = ReturnType<typeof createTestApp>;

async function setUp() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const tenant = await createTestTenant(clock, "Acme");
  const directory = await createTestDirectory(clock, { tenantId: tenant.id });
  return { clock, app, tenant, directory };
}

async function createGroup(app: App, directory: TestDirectory, displayName: string, memberIds: string[] = []) {
  const response = await scimRequest(app, directory, "POST", "/Groups", {
    schemas: [groupUrn],
    displayName,
    members: memberIds.map((value) => ({ value })),
  });
  expect(response.status, await summarizeResponse(response)).toBe(201);
  return (await response.json()) as { id: string; displayName: string; members: Array<{ value: string }> };
}

async function memberIdsOf(groupId: string): Promise<string[]> {
  const rows = await rawDb
    .prepare("SELECT user_id FROM directory_group_members WHERE group_id = ? ORDER BY user_id")
    .bind(groupId)
    .all<{ user_id: string }>();
  return rows.results.map((row) => row.user_id);
}

async function patch(app: App, directory: TestDirectory, groupId: string, operations: unknown[]) {
  const response = await scimRequest(app, directory, "PATCH", `/Groups/${groupId}`, {
    schemas: [patchOp],
    Operations: operations,
  });
  expect(response.status, await summarizeResponse(response)).toBe(204);
}

describe("SCIM Groups: create and read", () => {
  it("creates a group with members, answers 201 with Location and meta, and audits it with the directory as the actor", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const response = await scimRequest(app, directory, "POST", "/Groups", {
      schemas: [groupUrn],
      displayName: "Acme IT",
      externalId: "okta-00g1",
      members: [{ value: alice.id }],
    });
    expect(response.status, await summarizeResponse(response)).toBe(201);
    const body = (await response.json()) as Record<string, unknown> & { id: string; meta: Record<string, string> };
    expect(response.headers.get("location")).toBe(body.meta.location);
    expect(response.headers.get("content-type")).toContain("application/scim+json");
    expect(body).toMatchObject({
      schemas: [groupUrn],
      displayName: "Acme IT",
      externalId: "okta-00g1",
      members: [{ value: alice.id, display: "Test Person", type: "User" }],
      meta: { resourceType: "Group" },
    });
    expect(body.meta.location).toMatch(new RegExp(`/scim/v2/Groups/${body.id}$`));
    expect(await memberIdsOf(body.id)).toEqual([alice.id]);
    const audit = await rawDb
      .prepare(
        "SELECT actor_kind, actor_id FROM audit_events WHERE action = 'directory.group_created' AND target_id = ?",
      )
      .bind(body.id)
      .first<{ actor_kind: string; actor_id: string }>();
    expect(audit).toEqual({ actor_kind: "service:scim_directory", actor_id: directory.id });
    const changed = await rawDb
      .prepare("SELECT last_change_at FROM directories WHERE id = ?")
      .bind(directory.id)
      .first();
    expect(changed?.last_change_at).toBe(clock.now().getTime());
  });

  it("refuses a second group of the same name in any case with uniqueness, and allows it in another directory", async () => {
    const { clock, app, directory } = await setUp();
    await createGroup(app, directory, "Acme IT");
    const again = await scimRequest(app, directory, "POST", "/Groups", { schemas: [groupUrn], displayName: "ACME it" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ status: "409", scimType: "uniqueness" });
    const other = await createTestDirectory(clock, { tenantId: (await createTestTenant(clock, "Globex")).id });
    await createGroup(app, other, "Acme IT");
  });

  it("refuses a member from another directory exactly as a made-up id, naming the value, and changes nothing", async () => {
    const { clock, app, directory } = await setUp();
    const other = await createTestDirectory(clock, { tenantId: (await createTestTenant(clock, "Globex")).id });
    const stranger = await createDirectoryUser(clock, other);
    const answers = [];
    for (const value of [stranger.id, "usr_made_up"]) {
      const response = await scimRequest(app, directory, "POST", "/Groups", {
        schemas: [groupUrn],
        displayName: `Group ${value}`,
        members: [{ value }],
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { scimType: string; detail: string };
      expect(body.scimType).toBe("invalidValue");
      expect(body.detail).toContain(value);
      answers.push(body.detail.replace(value, "<id>"));
    }
    expect(answers[0]).toBe(answers[1]);
    const groups = await rawDb
      .prepare("SELECT count(*) AS n FROM directory_groups WHERE directory_id = ?")
      .bind(directory.id)
      .first();
    expect(groups?.n).toBe(0);
  });

  it("answers 404 for a group of another directory, on every method", async () => {
    const { clock, app, directory } = await setUp();
    const other = await createTestDirectory(clock, { tenantId: (await createTestTenant(clock, "Globex")).id });
    const theirs = await createGroup(app, other, "Globex IT");
    const body = { schemas: [groupUrn], displayName: "Taken over" };
    for (const [method, payload] of [
      ["GET", undefined],
      ["PUT", body],
      ["PATCH", { schemas: [patchOp], Operations: [{ op: "replace", path: "displayName", value: "x" }] }],
      ["DELETE", undefined],
    ] as const) {
      const response = await scimRequest(app, directory, method, `/Groups/${theirs.id}`, payload);
      expect(response.status, `${method} ${await summarizeResponse(response)}`).toBe(404);
    }
    const list = await scimRequest(
      app,
      directory,
      "GET",
      `/Groups?filter=${encodeURIComponent(`id eq "${theirs.id}"`)}`,
    );
    expect(await list.json()).toMatchObject({ totalResults: 0, Resources: [] });
    const own = (await (await scimRequest(app, other, "GET", `/Groups/${theirs.id}`)).json()) as {
      displayName: string;
    };
    expect(own.displayName).toBe("Globex IT");
  });
});

describe("SCIM Groups: list", () => {
  it("filters displayName case-insensitively and externalId exactly, pages 1-based and leaves members out when excluded", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const it1 = await createGroup(app, directory, "Acme IT", [alice.id]);
    // Pages run oldest first: each group a second younger than the one before.
    clock.advanceSeconds(1);
    await createGroup(app, directory, "Acme Sales");
    clock.advanceSeconds(1);
    await createGroup(app, directory, "Globex");
    const byName = await scimRequest(
      app,
      directory,
      "GET",
      `/Groups?filter=${encodeURIComponent('displayName eq "acme it"')}`,
    );
    expect(await byName.json()).toMatchObject({
      totalResults: 1,
      Resources: [{ id: it1.id, members: [{ value: alice.id }] }],
    });
    const excluded = await scimRequest(
      app,
      directory,
      "GET",
      `/Groups?filter=${encodeURIComponent('displayName sw "Acme"')}&excludedAttributes=members&startIndex=2&count=1`,
    );
    const page = (await excluded.json()) as {
      totalResults: number;
      startIndex: number;
      itemsPerPage: number;
      Resources: Array<Record<string, unknown>>;
    };
    expect(page).toMatchObject({
      totalResults: 2,
      startIndex: 2,
      itemsPerPage: 1,
      Resources: [{ displayName: "Acme Sales" }],
    });
    expect(page.Resources[0]).not.toHaveProperty("members");
    const byMember = await scimRequest(
      app,
      directory,
      "GET",
      `/Groups?filter=${encodeURIComponent(`members[value eq "${alice.id}"]`)}`,
    );
    expect(await byMember.json()).toMatchObject({ totalResults: 1, Resources: [{ id: it1.id }] });
    const none = await scimRequest(app, directory, "GET", "/Groups?count=0");
    expect(await none.json()).toMatchObject({ totalResults: 3, Resources: [] });
  });

  it("answers invalidFilter for an attribute it cannot filter by, never a full list", async () => {
    const { app, directory } = await setUp();
    for (const filter of ['title eq "x"', 'constructor eq "x"', 'members[constructor eq "x"]']) {
      const response = await scimRequest(app, directory, "GET", `/Groups?filter=${encodeURIComponent(filter)}`);
      expect(response.status, filter).toBe(400);
      expect(await response.json()).toMatchObject({ scimType: "invalidFilter" });
    }
  });

  it("writes and audits nothing for a PATCH that changes nothing, as Okta sends when it resends a name", async () => {
    const { clock, app, directory } = await setUp();
    const group = await createGroup(app, directory, "Acme IT");
    const readState = () =>
      rawDb
        .prepare(
          "SELECT g.updated_at AS updated, (SELECT count(*) FROM audit_events WHERE target_id = g.id) AS events FROM directory_groups AS g WHERE g.id = ?",
        )
        .bind(group.id)
        .first();
    const before = await readState();
    clock.advanceSeconds(60);
    await patch(app, directory, group.id, [{ op: "replace", value: { id: group.id, displayName: "Acme IT" } }]);
    const after = await readState();
    expect(after).toEqual(before);
  });

  it("leaves out a member erased by hand, as GET /Users/:id does, and refuses to add them again", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const bob = await createDirectoryUser(clock, directory);
    const group = await createGroup(app, directory, "Acme IT", [alice.id, bob.id]);
    // What erasing a deactivated user leaves behind (user-security.ts): the row, marked, and its group rows.
    await rawDb.prepare("UPDATE users SET erased_at = ?, deactivated_at = ? WHERE id = ?").bind(1, 1, bob.id).run();
    const read = (await (await scimRequest(app, directory, "GET", `/Groups/${group.id}`)).json()) as {
      members: Array<{ value: string }>;
    };
    expect(read.members.map((member) => member.value)).toEqual([alice.id]);
    expect((await scimRequest(app, directory, "GET", `/Users/${bob.id}`)).status).toBe(404);
    const byBob = await scimRequest(
      app,
      directory,
      "GET",
      `/Groups?filter=${encodeURIComponent(`members[value eq "${bob.id}"]`)}`,
    );
    expect(await byBob.json()).toMatchObject({ totalResults: 0 });
    const readd = await scimRequest(app, directory, "PATCH", `/Groups/${group.id}`, {
      schemas: [patchOp],
      Operations: [{ op: "add", path: "members", value: [{ value: bob.id }] }],
    });
    expect(readd.status, await summarizeResponse(readd)).toBe(400);
  });

  it("finds a group by members.value outside a value filter and by a displayName with a non-ASCII letter", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const equipe = await createGroup(app, directory, "Équipe IT", [alice.id]);
    await createGroup(app, directory, "Empty");
    for (const filter of [`members.value eq "${alice.id}"`, 'displayName eq "Équipe it"', "members pr"]) {
      const response = await scimRequest(app, directory, "GET", `/Groups?filter=${encodeURIComponent(filter)}`);
      expect(await response.json(), filter).toMatchObject({ totalResults: 1, Resources: [{ id: equipe.id }] });
    }
  });

  it("returns only the asked attributes with attributes=displayName, and no members on a GET that excludes them", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const group = await createGroup(app, directory, "Acme IT", [alice.id]);
    const asked = await scimRequest(app, directory, "GET", `/Groups/${group.id}?attributes=displayName`);
    expect(await asked.json()).toEqual({ schemas: [groupUrn], id: group.id, displayName: "Acme IT" });
    const excluded = (await (
      await scimRequest(app, directory, "GET", `/Groups/${group.id}?excludedAttributes=members`)
    ).json()) as object;
    expect(excluded).not.toHaveProperty("members");
    expect(excluded).toHaveProperty("meta");
  });
});

describe("SCIM Groups: replace, patch, delete", () => {
  it("PUT replaces the name and the members", async () => {
    const { clock, app, directory } = await setUp();
    const [alice, bob] = [await createDirectoryUser(clock, directory), await createDirectoryUser(clock, directory)];
    const group = await createGroup(app, directory, "Acme IT", [alice.id]);
    const response = await scimRequest(app, directory, "PUT", `/Groups/${group.id}`, {
      schemas: [groupUrn],
      displayName: "Acme Helpdesk",
      members: [{ value: bob.id }],
    });
    expect(response.status, await summarizeResponse(response)).toBe(200);
    expect(await response.json()).toMatchObject({ displayName: "Acme Helpdesk", members: [{ value: bob.id }] });
    expect(await memberIdsOf(group.id)).toEqual([bob.id]);
  });

  it("applies Okta's PATCH: add members as a value array, remove with members[value eq], rename with a value object", async () => {
    const { clock, app, directory } = await setUp();
    const [alice, bob] = [await createDirectoryUser(clock, directory), await createDirectoryUser(clock, directory)];
    const group = await createGroup(app, directory, "Acme IT");
    await patch(app, directory, group.id, [
      { op: "add", path: "members", value: [{ value: alice.id, display: "a" }, { value: bob.id }] },
    ]);
    expect(await memberIdsOf(group.id)).toEqual([alice.id, bob.id].sort());
    await patch(app, directory, group.id, [{ op: "remove", path: `members[value eq "${alice.id}"]` }]);
    expect(await memberIdsOf(group.id)).toEqual([bob.id]);
    await patch(app, directory, group.id, [{ op: "replace", value: { id: group.id, displayName: "Acme Ops" } }]);
    const read = await (await scimRequest(app, directory, "GET", `/Groups/${group.id}`)).json();
    expect(read).toMatchObject({ displayName: "Acme Ops", members: [{ value: bob.id }] });
  });

  it("applies Entra's default dialect: capitalised ops and remove-member with a value array", async () => {
    const { clock, app, directory } = await setUp();
    const [alice, bob] = [await createDirectoryUser(clock, directory), await createDirectoryUser(clock, directory)];
    const group = await createGroup(app, directory, "Acme IT");
    await patch(app, directory, group.id, [
      { op: "Add", path: "members", value: [{ value: alice.id }, { value: bob.id }] },
      { op: "Replace", path: "displayName", value: "Acme Engineers" },
      { op: "Replace", path: "externalId", value: "aad-42" },
    ]);
    await patch(app, directory, group.id, [{ op: "Remove", path: "members", value: [{ value: alice.id }] }]);
    expect(await memberIdsOf(group.id)).toEqual([bob.id]);
    const read = await (await scimRequest(app, directory, "GET", `/Groups/${group.id}`)).json();
    expect(read).toMatchObject({ displayName: "Acme Engineers", externalId: "aad-42" });
  });

  it("applies Entra's aadOptscim062020 dialect: lower-case ops and value-filter paths", async () => {
    const { clock, app, directory } = await setUp();
    const [alice, bob] = [await createDirectoryUser(clock, directory), await createDirectoryUser(clock, directory)];
    const group = await createGroup(app, directory, "Acme IT", [alice.id, bob.id]);
    await patch(app, directory, group.id, [
      { op: "remove", path: `members[value eq "${bob.id}"]` },
      { op: "replace", path: "displayName", value: "Acme Platform" },
    ]);
    expect(await memberIdsOf(group.id)).toEqual([alice.id]);
  });

  it("refuses a PATCH whose member is not the directory's and changes nothing, the rename in it included", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const group = await createGroup(app, directory, "Acme IT", [alice.id]);
    const response = await scimRequest(app, directory, "PATCH", `/Groups/${group.id}`, {
      schemas: [patchOp],
      Operations: [
        { op: "replace", path: "displayName", value: "Renamed" },
        { op: "add", path: "members", value: [{ value: "usr_nobody" }] },
      ],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ scimType: "invalidValue" });
    const read = await (await scimRequest(app, directory, "GET", `/Groups/${group.id}`)).json();
    expect(read).toMatchObject({ displayName: "Acme IT", members: [{ value: alice.id }] });
  });

  it("DELETE answers 204, then the group is gone with its member rows", async () => {
    const { clock, app, directory } = await setUp();
    const alice = await createDirectoryUser(clock, directory);
    const group = await createGroup(app, directory, "Acme IT", [alice.id]);
    const response = await scimRequest(app, directory, "DELETE", `/Groups/${group.id}`);
    expect(response.status).toBe(204);
    expect((await scimRequest(app, directory, "GET", `/Groups/${group.id}`)).status).toBe(404);
    expect(await memberIdsOf(group.id)).toEqual([]);
  });
});
