// A directory token reaches its own directory and nothing else (issue 18, docs/SECURITY.md "People
// from outside a tenant's scope"): with tenant A's token, every endpoint and method is probed with
// the ids and names of tenant B's directory and of the staff directory. Each answer must be the one a
// made-up id gets, so no answer tells what exists elsewhere, and nothing elsewhere changes. The
// tokens themselves (revoked, past their overlap, malformed) are test/scim/directory-tokens.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  inviteTestUser,
  signInAs,
  uniqueEmail,
} from "../helpers/factories";
import {
  type CreatedDirectory,
  createTestDirectory,
  expectScimError,
  filterQuery,
  ScimClient,
  type ScimList,
  type ScimResource,
  scimUrn,
} from "../helpers/scim";
import { rawDb } from "../helpers/store";

const clock = new TestClock();
const app = createTestApp(clock);

interface Provisioned {
  created: CreatedDirectory;
  scim: ScimClient;
  user: ScimResource;
  group: ScimResource;
}

async function provisionDirectory(
  name: string,
  scope: "staff" | "tenant",
): Promise<Provisioned & { tenantId?: string }> {
  const tenantId = scope === "tenant" ? (await createTestTenant(clock, name)).id : undefined;
  const created = await createTestDirectory(
    clock,
    tenantId ? { name, scope: "tenant", tenantId } : { name, scope: "staff" },
  );
  const scim = new ScimClient(app, created.token);
  const email = uniqueEmail(name.toLowerCase().replace(/\W+/g, "-"));
  const user = await scim.createUser(email, { externalId: `ext-${email}` });
  const group = await scim.createGroup(`${name} Group`, { externalId: `grp-${email}` });
  const added = await scim.request("PATCH", `/scim/v2/Groups/${group.id}`, {
    schemas: [scimUrn.patchOp],
    Operations: [{ op: "add", path: "members", value: [{ value: user.id }] }],
  });
  // RFC 7644 §3.5.2 lets a server answer a PATCH with 200 and the group, or with 204.
  expect([200, 204], await added.clone().text()).toContain(added.status);
  return { created, scim, user, group, ...(tenantId ? { tenantId } : {}) };
}

let a: Provisioned & { tenantId?: string };
let b: Provisioned & { tenantId?: string };
let staff: Provisioned;
let superAdmin: Awaited<ReturnType<typeof createActiveUser>>;
let handOperator: Awaited<ReturnType<typeof createActiveUser>>;
let handClientOfB: { id: string; email: string };

beforeAll(async () => {
  a = await provisionDirectory("Tenant A", "tenant");
  b = await provisionDirectory("Tenant B", "tenant");
  staff = await provisionDirectory("Staff", "staff");
  superAdmin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  handOperator = await createActiveUser(clock, { role: "OPERATOR" });
  const invited = await inviteTestUser(clock, {
    role: "CLIENT_USER",
    memberships: [{ tenantId: b.tenantId ?? "", role: "CLIENT_VIEWER", expiresAt: null }],
  });
  handClientOfB = { id: invited.user.id, email: invited.user.email };
});

/** Everything a probe could have changed outside directory A, as rows. */
async function snapshotOutsideA(): Promise<unknown[]> {
  const directoryId = a.created.directory.id;
  const queries = [
    rawDb
      .prepare(
        "SELECT u.id, u.email, u.first_name, u.last_name, u.role, u.deactivated_at FROM users u WHERE u.id NOT IN (SELECT user_id FROM directory_users WHERE directory_id = ?) ORDER BY u.id",
      )
      .bind(directoryId),
    rawDb
      .prepare(
        "SELECT user_id, directory_id, user_name, external_id, updated_at, deleted_at FROM directory_users WHERE directory_id != ? ORDER BY user_id",
      )
      .bind(directoryId),
    rawDb
      .prepare(
        "SELECT id, display_name, external_id, updated_at FROM directory_groups WHERE directory_id != ? ORDER BY id",
      )
      .bind(directoryId),
    rawDb.prepare("SELECT group_id, user_id FROM directory_group_members ORDER BY group_id, user_id"),
    rawDb.prepare("SELECT id, user_id, tenant_id, role, revoked_at FROM memberships ORDER BY id"),
    rawDb.prepare("SELECT group_id, user_id FROM access_group_members ORDER BY group_id, user_id"),
  ];
  return Promise.all(queries.map(async (query) => (await query.all()).results));
}

/** Status and body with the probed value written as {probe}, so two probes compare equal when nothing else differs. */
async function answerOf(response: Response, probe: string) {
  const text = await response.text();
  return { status: response.status, body: text.split(probe).join("{probe}") };
}

/** An id of the same shape as a real one that exists nowhere, so a probe differs from it only in existing. */
function madeUpLike(id: string): string {
  return id.replace(/[0-9A-Za-z]{8,}$/, (random) => "0".repeat(random.length));
}

type Probe = [method: string, path: string, body: unknown];

function userProbes(id: string): Probe[] {
  return [
    ["GET", `/scim/v2/Users/${id}`, undefined],
    [
      "PUT",
      `/scim/v2/Users/${id}`,
      {
        schemas: [scimUrn.user],
        userName: "taken.over@probe.example",
        name: { givenName: "Taken", familyName: "Over" },
      },
    ],
    [
      "PATCH",
      `/scim/v2/Users/${id}`,
      { schemas: [scimUrn.patchOp], Operations: [{ op: "replace", value: { active: false } }] },
    ],
    ["DELETE", `/scim/v2/Users/${id}`, undefined],
  ];
}

function groupProbes(id: string, memberId: string): Probe[] {
  return [
    ["GET", `/scim/v2/Groups/${id}`, undefined],
    ["GET", `/scim/v2/Groups/${id}?excludedAttributes=members`, undefined],
    ["PUT", `/scim/v2/Groups/${id}`, { schemas: [scimUrn.group], displayName: "Taken Over", members: [] }],
    [
      "PATCH",
      `/scim/v2/Groups/${id}`,
      { schemas: [scimUrn.patchOp], Operations: [{ op: "add", path: "members", value: [{ value: memberId }] }] },
    ],
    [
      "PATCH",
      `/scim/v2/Groups/${id}`,
      { schemas: [scimUrn.patchOp], Operations: [{ op: "replace", path: "displayName", value: "Renamed" }] },
    ],
    ["DELETE", `/scim/v2/Groups/${id}`, undefined],
  ];
}

/** Each probe with each foreign id answers 404, exactly as the same probe with a made-up id of the same shape. */
async function expectAnswersLikeMadeUpIds(ids: string[], probesFor: (id: string) => Probe[]): Promise<void> {
  for (const id of ids) {
    const madeUp = madeUpLike(id);
    const references = probesFor(madeUp);
    for (const [index, [method, path, body]] of probesFor(id).entries()) {
      const [, referencePath = "", referenceBody] = references[index] ?? [];
      const reference = await answerOf(await a.scim.request(method, referencePath, referenceBody), madeUp);
      expect(reference.status, `${method} ${referencePath}`).toBe(404);
      expect(await answerOf(await a.scim.request(method, path, body), id), `${method} ${path}`).toEqual(reference);
    }
  }
}

describe("a client directory's token sees nothing outside its directory", () => {
  it("answers every method on another directory's users exactly as on a made-up id, and changes nothing", async () => {
    const before = await snapshotOutsideA();
    await expectAnswersLikeMadeUpIds(
      [b.user.id, staff.user.id, superAdmin.id, handOperator.id, handClientOfB.id],
      userProbes,
    );
    expect(await snapshotOutsideA()).toEqual(before);
  });

  it("answers every method on another directory's groups exactly as on a made-up id, and changes nothing", async () => {
    const before = await snapshotOutsideA();
    await expectAnswersLikeMadeUpIds([b.group.id, staff.group.id], (id) => groupProbes(id, a.user.id));
    expect(await snapshotOutsideA()).toEqual(before);
  });

  it("refuses another directory's user as a member of its own group as it refuses a made-up id", async () => {
    const before = await snapshotOutsideA();
    const addMember = (memberId: string) =>
      a.scim.request("PATCH", `/scim/v2/Groups/${a.group.id}`, {
        schemas: [scimUrn.patchOp],
        Operations: [{ op: "add", path: "members", value: [{ value: memberId }] }],
      });
    for (const id of [b.user.id, staff.user.id, superAdmin.id, handClientOfB.id]) {
      const madeUp = madeUpLike(id);
      const reference = await answerOf(await addMember(madeUp), madeUp);
      expect(reference.status).toBeGreaterThanOrEqual(400);
      expect(await answerOf(await addMember(id), id)).toEqual(reference);
    }
    const members = await rawDb
      .prepare("SELECT user_id FROM directory_group_members WHERE group_id = ?")
      .bind(a.group.id)
      .all<{ user_id: string }>();
    expect(members.results.map((row) => row.user_id)).toEqual([a.user.id]);
    expect(await snapshotOutsideA()).toEqual(before);
  });

  it("finds no one from elsewhere by userName, email or externalId, and no group by name", async () => {
    const foreign = [b.user, staff.user];
    const filters = [
      ...foreign.flatMap((user) => [
        `userName eq "${user.userName}"`,
        `emails.value eq "${user.userName}"`,
        `externalId eq "${user.externalId}"`,
      ]),
      `userName eq "${superAdmin.email}"`,
      `emails.value eq "${handClientOfB.email}"`,
      `userName co "${String(b.user.userName).split("@")[0]}"`,
    ];
    for (const filter of filters) {
      const list = await a.scim.expectJson<ScimList>("GET", `/scim/v2/Users${filterQuery(filter)}`, undefined, 200);
      expect(list.totalResults, filter).toBe(0);
    }
    for (const filter of [`displayName eq "${b.group.displayName}"`, `externalId eq "${staff.group.externalId}"`]) {
      const list = await a.scim.expectJson<ScimList>("GET", `/scim/v2/Groups${filterQuery(filter)}`, undefined, 200);
      expect(list.totalResults, filter).toBe(0);
    }
    const everyone = await a.scim.expectJson<ScimList>("GET", "/scim/v2/Users", undefined, 200);
    expect((everyone.Resources ?? []).map((user) => user.id)).toEqual([a.user.id]);
    const groups = await a.scim.expectJson<ScimList>("GET", "/scim/v2/Groups", undefined, 200);
    expect((groups.Resources ?? []).map((group) => group.id)).toEqual([a.group.id]);
  });
});

describe("an email held elsewhere", () => {
  it("gets one identical uniqueness answer whoever holds it: another tenant's client, staff, a SUPER_ADMIN", async () => {
    const holders = [
      String(b.user.userName),
      handClientOfB.email,
      String(staff.user.userName),
      handOperator.email,
      superAdmin.email,
    ];
    const before = await snapshotOutsideA();
    const answers = [];
    for (const email of holders) {
      const response = await a.scim.request("POST", "/scim/v2/Users", {
        schemas: [scimUrn.user],
        userName: email,
        name: { givenName: "Same", familyName: "Answer" },
        emails: [{ value: email, type: "work", primary: true }],
      });
      answers.push(await answerOf(response, email));
    }
    expect(answers[0]?.status).toBe(409);
    expect(JSON.parse(answers[0]?.body ?? "{}")).toMatchObject({
      schemas: [scimUrn.error],
      status: "409",
      scimType: "uniqueness",
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await snapshotOutsideA()).toEqual(before);
  });

  it("adopts a hand-made client of its own tenant instead, keeping their id", async () => {
    const invited = await inviteTestUser(clock, {
      role: "CLIENT_USER",
      memberships: [{ tenantId: a.tenantId ?? "", role: "CLIENT_VIEWER", expiresAt: null }],
    });
    const adopted = await a.scim.createUser(invited.user.email);
    expect(adopted.id).toBe(invited.user.id);
    const link = await rawDb
      .prepare("SELECT directory_id FROM directory_users WHERE user_id = ?")
      .bind(invited.user.id)
      .first<{ directory_id: string }>();
    expect(link?.directory_id).toBe(a.created.directory.id);
    const audit = await rawDb
      .prepare(
        "SELECT COUNT(*) AS count FROM audit_events WHERE target_id = ? AND actor_kind = 'service:scim_directory'",
      )
      .bind(invited.user.id)
      .first<{ count: number }>();
    expect(audit?.count).toBeGreaterThan(0);
  });
});

describe("what a directory may make of a person", () => {
  it("makes only CLIENT_USERs of its tenant, whatever roles or types the body claims", async () => {
    const email = uniqueEmail("claims");
    const user = await a.scim.createUser(email, {
      roles: [{ value: "SUPER_ADMIN", primary: true }],
      userType: "OPERATOR",
      [scimUrn.enterpriseUser]: { organization: "Gatehouse staff" },
    });
    await a.scim.request("PATCH", `/scim/v2/Users/${user.id}`, {
      schemas: [scimUrn.patchOp],
      Operations: [
        { op: "replace", path: "roles", value: [{ value: "SUPER_ADMIN" }] },
        { op: "replace", path: "userType", value: "SUPER_ADMIN" },
      ],
    });
    const row = await rawDb.prepare("SELECT role FROM users WHERE id = ?").bind(user.id).first<{ role: string }>();
    expect(row?.role).toBe("CLIENT_USER");
    const memberships = await rawDb
      .prepare("SELECT tenant_id, role FROM memberships WHERE user_id = ? AND revoked_at IS NULL")
      .bind(user.id)
      .all<{ tenant_id: string; role: string }>();
    expect(memberships.results).toEqual([{ tenant_id: a.tenantId, role: "CLIENT_VIEWER" }]);
  });

  it("never lets the staff directory see, create, change or deactivate a SUPER_ADMIN", async () => {
    // A person the staff directory made, promoted by hand afterwards (the console's role change has its own tests).
    const promoted = await staff.scim.createUser(uniqueEmail("promoted"));
    await rawDb.prepare("UPDATE users SET role = 'SUPER_ADMIN' WHERE id = ?").bind(promoted.id).run();
    const before = await snapshotOutsideA();
    const deactivate = { schemas: [scimUrn.patchOp], Operations: [{ op: "replace", value: { active: false } }] };
    await expectScimError(await staff.scim.request("PATCH", `/scim/v2/Users/${superAdmin.id}`, deactivate), 404);
    await expectScimError(await staff.scim.request("DELETE", `/scim/v2/Users/${superAdmin.id}`), 404);
    await expectScimError(await staff.scim.request("GET", `/scim/v2/Users/${superAdmin.id}`), 404);
    // The one it made itself it may still name, but it may not change it (RFC 7644 §3.12 leaves the code open).
    for (const response of [
      await staff.scim.request("PATCH", `/scim/v2/Users/${promoted.id}`, deactivate),
      await staff.scim.request("DELETE", `/scim/v2/Users/${promoted.id}`),
    ]) {
      const text = await response.text();
      expect(response.status, text).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(text), text).toMatchObject({ schemas: [scimUrn.error] });
    }
    const found = await staff.scim.expectJson<ScimList>(
      "GET",
      `/scim/v2/Users${filterQuery(`userName eq "${superAdmin.email}"`)}`,
      undefined,
      200,
    );
    expect(found.totalResults).toBe(0);
    const again = await staff.scim.request("POST", "/scim/v2/Users", {
      schemas: [scimUrn.user],
      userName: superAdmin.email,
    });
    expect((await expectScimError(again, 409)).scimType).toBe("uniqueness");
    await staff.scim.request("PATCH", `/scim/v2/Groups/${staff.group.id}`, {
      schemas: [scimUrn.patchOp],
      Operations: [{ op: "add", path: "members", value: [{ value: superAdmin.id }] }],
    });
    expect(await snapshotOutsideA()).toEqual(before);
    const agent = await signInAs(app, clock, superAdmin);
    expect((await agent.get("/api/v1/me")).status).toBe(200);
  });
});
