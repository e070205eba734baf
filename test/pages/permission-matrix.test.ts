// The permission matrix: for each single console permission granted to an OPERATOR through an
// access group, exactly the pages and endpoints that need it answer 2xx and every other one 403.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { allPermissions, type Permission } from "../../src/domain/access";
import type { Agent } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  type ActiveTestUser,
  createActiveUser,
  createTestApp,
  inviteTestUser,
  signInAs,
  uniqueEmail,
} from "../helpers/factories";
import { createTestGroup, createUserWithPermissions, uniqueGroupName } from "../helpers/groups";

const clock = new TestClock();
const app = createTestApp(clock);

interface Fixture {
  subjectId: string;
  pendingId: string;
  bystanderId: string;
  emptyGroupId: string;
}

let fixture: Fixture;

interface Check {
  name: string;
  /** Every one of these is needed; an empty list means "never with a single permission". */
  requires: Permission[];
  ok: number;
  send: (agent: Agent) => Promise<Response>;
}

const freshEmptyGroup = async () => (await createTestGroup(clock, [])).id;

const checks: Check[] = [
  { name: "GET /admin/users", requires: ["users:read"], ok: 200, send: (a) => a.get("/admin/users") },
  {
    name: "GET /admin/users/:id",
    requires: ["users:read"],
    ok: 200,
    send: (a) => a.get(`/admin/users/${fixture.subjectId}`),
  },
  { name: "GET /admin/users/new", requires: ["users:create"], ok: 200, send: (a) => a.get("/admin/users/new") },
  {
    name: "POST /admin/users",
    requires: ["users:create"],
    ok: 303,
    send: (a) =>
      a.post("/admin/users", {
        email: uniqueEmail("matrix"),
        firstName: "Mat",
        lastName: "Rix",
        role: "OPERATOR",
        slackId: "",
      }),
  },
  {
    name: "POST /admin/users/:id/setup-link",
    requires: ["users:update"],
    ok: 303,
    send: (a) => a.post(`/admin/users/${fixture.pendingId}/setup-link`, {}),
  },
  {
    name: "GET /admin/users/:id/access-groups",
    requires: ["users:read", "groups:read"],
    ok: 200,
    send: (a) => a.get(`/admin/users/${fixture.subjectId}/access-groups`),
  },
  {
    name: "POST /admin/users/:id/access-groups",
    requires: ["users:read", "groups:update"],
    ok: 303,
    send: (a) => a.post(`/admin/users/${fixture.bystanderId}/access-groups`, { groupIds: fixture.emptyGroupId }),
  },
  { name: "GET /admin/access-groups", requires: ["groups:read"], ok: 200, send: (a) => a.get("/admin/access-groups") },
  {
    name: "GET /admin/access-groups/:id",
    requires: ["groups:read"],
    ok: 200,
    send: (a) => a.get(`/admin/access-groups/${fixture.emptyGroupId}`),
  },
  {
    name: "POST /admin/access-groups",
    requires: ["groups:create"],
    ok: 303,
    send: (a) => a.post("/admin/access-groups", { name: uniqueGroupName("Matrix"), description: "" }),
  },
  {
    name: "POST /admin/access-groups/:id",
    requires: ["groups:update"],
    ok: 303,
    send: (a) =>
      a.post(`/admin/access-groups/${fixture.emptyGroupId}`, { name: uniqueGroupName("Renamed"), description: "d" }),
  },
  {
    name: "POST /admin/access-groups/:id/permissions",
    requires: ["groups:update"],
    ok: 303,
    send: (a) => a.post(`/admin/access-groups/${fixture.emptyGroupId}/permissions`, {}),
  },
  {
    name: "POST /admin/access-groups/:id/members",
    requires: ["groups:update"],
    ok: 303,
    send: (a) => a.post(`/admin/access-groups/${fixture.emptyGroupId}/members`, { userIds: fixture.bystanderId }),
  },
  {
    name: "POST /admin/access-groups/:id/members/:userId/remove",
    requires: ["groups:update"],
    ok: 303,
    send: (a) =>
      a.post(`/admin/access-groups/${fixture.emptyGroupId}/members/${fixture.bystanderId}/remove`, { confirm: "yes" }),
  },
  {
    name: "POST /admin/access-groups/:id/delete",
    requires: ["groups:delete"],
    ok: 303,
    send: async (a) => a.post(`/admin/access-groups/${await freshEmptyGroup()}/delete`, { confirm: "yes" }),
  },
  { name: "GET /admin/audit", requires: ["audit:read"], ok: 200, send: (a) => a.get("/admin/audit") },
  {
    name: "GET /admin/audit/export.csv",
    requires: ["audit:read"],
    ok: 200,
    send: (a) => a.get("/admin/audit/export.csv"),
  },
  {
    name: "GET /api/v1/access-groups",
    requires: ["groups:read"],
    ok: 200,
    send: (a) => a.get("/api/v1/access-groups"),
  },
  {
    name: "GET /api/v1/access-groups/:id",
    requires: ["groups:read"],
    ok: 200,
    send: (a) => a.get(`/api/v1/access-groups/${fixture.emptyGroupId}`),
  },
  {
    name: "POST /api/v1/access-groups",
    requires: ["groups:create"],
    ok: 201,
    send: (a) => a.json("POST", "/api/v1/access-groups", { name: uniqueGroupName("Api"), permissions: [] }),
  },
  {
    name: "PATCH /api/v1/access-groups/:id",
    requires: ["groups:update"],
    ok: 200,
    send: (a) =>
      a.json("PATCH", `/api/v1/access-groups/${fixture.emptyGroupId}`, {
        description: `patched ${crypto.randomUUID()}`,
      }),
  },
  {
    name: "PUT /api/v1/access-groups/:id/members",
    requires: ["groups:update"],
    ok: 200,
    send: (a) => a.json("PUT", `/api/v1/access-groups/${fixture.emptyGroupId}/members`, { userIds: [] }),
  },
  {
    name: "DELETE /api/v1/access-groups/:id",
    requires: ["groups:delete"],
    ok: 204,
    send: async (a) => a.json("DELETE", `/api/v1/access-groups/${await freshEmptyGroup()}`),
  },
  { name: "GET /api/v1/audit-events", requires: ["audit:read"], ok: 200, send: (a) => a.get("/api/v1/audit-events") },
  // The rest of the console (pages and API built beside this branch), so each permission is seen to open nothing else.
  {
    name: "GET /admin/users/:id/security",
    requires: ["users:read"],
    ok: 200,
    send: (a) => a.get(`/admin/users/${fixture.subjectId}/security`),
  },
  { name: "GET /admin/tenants", requires: ["tenants:read"], ok: 200, send: (a) => a.get("/admin/tenants") },
  { name: "GET /admin/memberships", requires: ["memberships:read"], ok: 200, send: (a) => a.get("/admin/memberships") },
  { name: "GET /api/v1/users", requires: ["users:read"], ok: 200, send: (a) => a.get("/api/v1/users") },
  {
    name: "GET /api/v1/users/:id",
    requires: ["users:read"],
    ok: 200,
    send: (a) => a.get(`/api/v1/users/${fixture.subjectId}`),
  },
  {
    name: "GET /api/v1/users/:id/factors",
    requires: ["users:read"],
    ok: 200,
    send: (a) => a.get(`/api/v1/users/${fixture.subjectId}/factors`),
  },
  {
    name: "PATCH /api/v1/users/:id",
    requires: ["users:update"],
    ok: 200,
    send: (a) => a.json("PATCH", `/api/v1/users/${fixture.subjectId}`, { slackId: null }),
  },
  { name: "GET /api/v1/tenants", requires: ["tenants:read"], ok: 200, send: (a) => a.get("/api/v1/tenants") },
  {
    name: "POST /api/v1/tenants",
    requires: ["tenants:create"],
    ok: 201,
    send: (a) =>
      a.json("POST", "/api/v1/tenants", { name: "Matrix Co", slug: `matrix-${crypto.randomUUID().slice(0, 8)}` }),
  },
  {
    name: "GET /api/v1/memberships",
    requires: ["memberships:read"],
    ok: 200,
    send: (a) => a.get("/api/v1/memberships"),
  },
];

async function runChecks(agent: Agent, mayPass: (check: Check) => boolean) {
  const outcomes: string[] = [];
  const expected: string[] = [];
  for (const check of checks) {
    const response = await check.send(agent);
    await response.body?.cancel();
    outcomes.push(`${check.name} → ${response.status}`);
    expected.push(`${check.name} → ${mayPass(check) ? check.ok : 403}`);
  }
  expect(outcomes).toEqual(expected);
}

beforeAll(async () => {
  const subject = await createActiveUser(clock);
  const pending = await inviteTestUser(clock);
  const bystander = await createActiveUser(clock);
  fixture = {
    subjectId: subject.id,
    pendingId: pending.user.id,
    bystanderId: bystander.id,
    emptyGroupId: await freshEmptyGroup(),
  };
});

describe("the permission matrix", () => {
  it.each(allPermissions.map((permission) => [permission]))(
    "%s unlocks exactly its pages and endpoints",
    async (permission) => {
      const user = await createUserWithPermissions(clock, [permission]);
      const agent = await signInAs(app, clock, user);
      await runChecks(agent, (check) => check.requires.length === 1 && check.requires[0] === permission);
    },
  );

  it("opens Admin → Users to a CONTRACTOR with users:read, as to an OPERATOR", async () => {
    const contractor = await createUserWithPermissions(clock, ["users:read"], { role: "CONTRACTOR" });
    const agent = await signInAs(app, clock, contractor);
    await runChecks(agent, (check) => check.requires.length === 1 && check.requires[0] === "users:read");
  });

  it("opens the two-permission user tab to someone holding both", async () => {
    const user = await createUserWithPermissions(clock, ["users:read", "groups:read", "groups:update"]);
    const agent = await signInAs(app, clock, user);
    const held = new Set<Permission>(["users:read", "groups:read", "groups:update"]);
    await runChecks(agent, (check) => check.requires.every((permission) => held.has(permission)));
  });

  it("lets a SUPER_ADMIN through everywhere, without any group", async () => {
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    await runChecks(await signInAs(app, clock, admin), () => true);
  });

  it("refuses everything to an OPERATOR without groups and to a CLIENT_USER, whatever a group row says", async () => {
    const operator: ActiveTestUser = await createActiveUser(clock);
    await runChecks(await signInAs(app, clock, operator), () => false);
    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    // A row the domain would never write (CLIENT_USERs cannot join groups) still grants nothing.
    await env.DB.prepare(
      "INSERT INTO access_group_members (group_id, user_id, added_at) VALUES ('grp_readonly_auditor', ?, 0)",
    )
      .bind(client.id)
      .run();
    await runChecks(await signInAs(app, clock, client), () => false);
  });

  it("shows the staff user with no memberships and no groups an empty console that says why", async () => {
    const operator = await createActiveUser(clock);
    const response = await (await signInAs(app, clock, operator)).get("/admin");
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(html).toContain("You have no access yet");
    expect(html).toContain("access group");
    expect(html).not.toContain('href="/admin/access-groups"');
  });
});
