import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, inviteTestUser, signInAs } from "../helpers/factories";
import { createTestGroup, createUserWithPermissions, uniqueGroupName } from "../helpers/groups";

const clock = new TestClock();
const app = createTestApp(clock);

async function signedInAdmin() {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { admin, agent: await signInAs(app, clock, admin) };
}

async function memberIds(groupId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT user_id FROM access_group_members WHERE group_id = ? ORDER BY user_id")
    .bind(groupId)
    .all<{ user_id: string }>();
  return rows.results.map((row) => row.user_id);
}

async function auditRows(where: string, ...binds: unknown[]) {
  const rows = await env.DB.prepare(`SELECT * FROM audit_events WHERE ${where} ORDER BY id`)
    .bind(...binds)
    .all<Record<string, unknown>>();
  return rows.results;
}

async function json(agent: Agent, method: string, path: string, body?: unknown) {
  const response = await agent.json(method, path, body);
  return {
    response,
    status: response.status,
    body: response.status === 204 ? {} : await response.clone().json<Record<string, unknown>>(),
  };
}

describe("/api/v1/access-groups", () => {
  it("creates, reads, lists, patches and deletes a group in the documented shape, auditing each change", async () => {
    const { agent, admin } = await signedInAdmin();
    const name = uniqueGroupName("Support");
    const created = await json(agent, "POST", "/api/v1/access-groups", {
      name,
      description: "Reads users and memberships",
      permissions: ["memberships:read", "users:read", "users:read"],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^grp_/),
      name,
      description: "Reads users and memberships",
      permissions: ["users:read", "memberships:read"],
      memberCount: 0,
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    const id = String(created.body.id);
    expect((await auditRows("action = 'group.created' AND target_id = ?", id))[0]).toMatchObject({
      actor_id: admin.id,
      target_label: name,
    });

    const list = await json(agent, "GET", "/api/v1/access-groups?limit=100");
    expect(list.body.nextCursor).toBeNull();
    expect((list.body.items as Array<{ id: string }>).map((g) => g.id)).toEqual(
      expect.arrayContaining(["grp_readonly_auditor", id]),
    );

    const patched = await json(agent, "PATCH", `/api/v1/access-groups/${id}`, {
      name: `${name} team`,
      permissions: ["users:read"],
    });
    expect(patched.body).toMatchObject({ name: `${name} team`, permissions: ["users:read"] });
    const [updated] = await auditRows("action = 'group.updated' AND target_id = ?", id);
    expect(JSON.parse(String(updated?.details))).toEqual({
      name: { from: name, to: `${name} team` },
      permissionsRemoved: ["memberships:read"],
    });

    const one = await json(agent, "GET", `/api/v1/access-groups/${id}`);
    expect(one.body).toMatchObject({ id, members: [] });

    const deleted = await json(agent, "DELETE", `/api/v1/access-groups/${id}`);
    expect(deleted.status).toBe(204);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM access_groups WHERE id = ?").bind(id).first("n")).toBe(0);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM access_group_permissions WHERE group_id = ?").bind(id).first("n"),
    ).toBe(0);
    expect(await auditRows("action = 'group.deleted' AND target_id = ?", id)).toHaveLength(1);
    expect((await json(agent, "GET", `/api/v1/access-groups/${id}`)).status).toBe(404);
  });

  it("refuses unknown fields, unknown permissions, empty names and non-JSON bodies", async () => {
    const { agent } = await signedInAdmin();
    const unknownField = await json(agent, "POST", "/api/v1/access-groups", {
      name: uniqueGroupName(),
      members: ["x"],
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ field: "body", message: "Unknown field(s): members" }]);
    const badPermission = await json(agent, "POST", "/api/v1/access-groups", {
      name: uniqueGroupName(),
      permissions: ["users:admin"],
    });
    expect(badPermission.status).toBe(400);
    expect(JSON.stringify(badPermission.body.errors)).toContain("permissions.0");
    expect((await json(agent, "POST", "/api/v1/access-groups", { name: "  " })).status).toBe(400);
    expect((await json(agent, "PATCH", "/api/v1/access-groups/grp_readonly_auditor", {})).status).toBe(400);
    const form = await agent.request("/api/v1/access-groups", {
      method: "POST",
      body: "name=x",
      headers: { origin: "http://localhost:8787", "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });

  it("refuses a name already taken in another case, on create and on rename", async () => {
    const { agent } = await signedInAdmin();
    const name = uniqueGroupName("Billing");
    const first = await json(agent, "POST", "/api/v1/access-groups", { name });
    const second = await json(agent, "POST", "/api/v1/access-groups", { name: ` ${name.toUpperCase()} ` });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      code: "GROUP_NAME_TAKEN",
      errors: [{ field: "name", message: expect.any(String) }],
    });
    const renamed = await json(agent, "PATCH", "/api/v1/access-groups/grp_readonly_auditor", {
      name: name.toLowerCase(),
    });
    expect(renamed.status).toBe(409);
    const sameGroupOtherCase = await json(agent, "PATCH", `/api/v1/access-groups/${first.body.id}`, {
      name: name.toUpperCase(),
    });
    expect(sameGroupOtherCase.status, JSON.stringify(sameGroupOtherCase.body)).toBe(200);
  });

  it("replaces the member set with PUT …/members and audits each person added or removed", async () => {
    const { agent } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const [a, b, c] = await Promise.all([
      createActiveUser(clock),
      createActiveUser(clock, { role: "CONTRACTOR" }),
      createActiveUser(clock),
    ]);
    const first = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, {
      userIds: [a.id, b.id, a.id],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.memberCount).toBe(2);
    const second = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: [b.id, c.id] });
    expect((second.body.members as Array<{ id: string }>).map((m) => m.id).sort()).toEqual([b.id, c.id].sort());
    expect(await memberIds(group.id)).toEqual([b.id, c.id].sort());
    const events = await auditRows("action LIKE 'group.member_%' AND json_extract(details, '$.groupId') = ?", group.id);
    expect(events.map((e) => `${e.action} ${e.target_id}`)).toEqual([
      `group.member_added ${a.id}`,
      `group.member_added ${b.id}`,
      `group.member_added ${c.id}`,
      `group.member_removed ${a.id}`,
    ]);
    expect(events[0]).toMatchObject({ target_type: "user", target_label: `Test Person <${a.email}>` });
    const unknown = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: ["usr_nobody"] });
    expect(unknown.status).toBe(400);
    expect(await memberIds(group.id)).toEqual([b.id, c.id].sort());
  });

  it("adds and removes 150 people in one request, past D1's 100 bound parameters per statement", async () => {
    const { agent } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const people = [];
    for (let index = 0; index < 150; index += 1)
      people.push((await inviteTestUser(clock, { firstName: `Bulk${index}` })).user.id);
    const added = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: people });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.memberCount).toBe(150);
    expect(
      await auditRows("action = 'group.member_added' AND json_extract(details, '$.groupId') = ?", group.id),
    ).toHaveLength(150);
    const kept = people.slice(0, 20);
    const replaced = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: kept });
    expect(replaced.body.memberCount).toBe(20);
    expect(await memberIds(group.id)).toEqual([...kept].sort());
    expect(
      await auditRows("action = 'group.member_removed' AND json_extract(details, '$.groupId') = ?", group.id),
    ).toHaveLength(130);
  });

  it("makes group changes bite on the member's very next request", async () => {
    const { agent: admin } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const operator = await createActiveUser(clock);
    const agent = await signInAs(app, clock, operator);
    expect((await agent.get("/admin/users")).status).toBe(403);
    await json(admin, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: [operator.id] });
    expect((await agent.get("/admin/users")).status).toBe(200);
    await json(admin, "PATCH", `/api/v1/access-groups/${group.id}`, { permissions: ["audit:read"] });
    expect((await agent.get("/admin/users")).status).toBe(403);
    expect((await agent.get("/api/v1/audit-events")).status).toBe(200);
    await json(admin, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: [] });
    expect((await agent.get("/api/v1/audit-events")).status).toBe(403);
    await json(admin, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: [operator.id] });
    await json(admin, "DELETE", `/api/v1/access-groups/${group.id}`);
    expect((await agent.get("/api/v1/audit-events")).status).toBe(403);
  });
});

describe("escalation through access groups", () => {
  it("refuses to create a group with a permission the caller does not hold", async () => {
    const operator = await createUserWithPermissions(clock, ["groups:create", "groups:read"]);
    const agent = await signInAs(app, clock, operator);
    const name = uniqueGroupName("Sneaky");
    const refused = await json(agent, "POST", "/api/v1/access-groups", {
      name,
      permissions: ["groups:read", "audit:read", "users:update"],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe("You cannot grant permissions you do not hold: users:update, audit:read.");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM access_groups WHERE name = ?").bind(name).first("n")).toBe(
      0,
    );
    const allowed = await json(agent, "POST", "/api/v1/access-groups", { name, permissions: ["groups:read"] });
    expect(allowed.status).toBe(201);
  });

  it("refuses to add an unheld permission to a group, or to change a group that holds more than the caller", async () => {
    const operator = await createUserWithPermissions(clock, ["groups:update", "groups:read", "users:read"]);
    const agent = await signInAs(app, clock, operator);
    const group = await createTestGroup(clock, ["users:read"]);
    const widened = await json(agent, "PATCH", `/api/v1/access-groups/${group.id}`, {
      permissions: ["users:read", "audit:read"],
    });
    expect(widened.status).toBe(403);
    expect(
      await env.DB.prepare("SELECT group_concat(permission) AS p FROM access_group_permissions WHERE group_id = ?")
        .bind(group.id)
        .first("p"),
    ).toBe("users:read");
    const renamed = await json(agent, "PATCH", "/api/v1/access-groups/grp_readonly_auditor", {
      name: "Auditors (hijacked)",
    });
    expect(renamed.status).toBe(403);
    expect(renamed.body.detail).toContain("memberships:read, tenants:read, audit:read");
    const narrowed = await json(agent, "PATCH", "/api/v1/access-groups/grp_readonly_auditor", { permissions: [] });
    expect(narrowed.status).toBe(403);
    expect(await env.DB.prepare("SELECT name FROM access_groups WHERE id = 'grp_readonly_auditor'").first("name")).toBe(
      "Read-only auditor",
    );
  });

  it("refuses adding yourself, or anyone, to a group that holds more than you", async () => {
    const operator = await createUserWithPermissions(clock, ["groups:update", "groups:read", "users:read"]);
    const other = await createActiveUser(clock);
    const agent = await signInAs(app, clock, operator);
    for (const userIds of [[operator.id], [other.id]]) {
      const refused = await json(agent, "PUT", "/api/v1/access-groups/grp_readonly_auditor/members", { userIds });
      expect(refused.status).toBe(403);
    }
    const page = await agent.post(`/admin/users/${operator.id}/access-groups`, { groupIds: "grp_readonly_auditor" });
    const html = await page.text();
    expect(page.status, html).toBe(403);
    expect(html).toContain("holds permissions you do not hold");
    expect(await memberIds("grp_readonly_auditor")).not.toContain(operator.id);
    expect(await memberIds("grp_readonly_auditor")).not.toContain(other.id);
  });

  it("refuses a CLIENT_USER into any group with a clear 409, and accepts a CONTRACTOR", async () => {
    const { agent } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    const contractor = await createActiveUser(clock, { role: "CONTRACTOR" });
    const refused = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, {
      userIds: [contractor.id, client.id],
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: "CLIENT_USER_CANNOT_JOIN_GROUPS",
      title: "Client users cannot join access groups",
    });
    expect(await memberIds(group.id)).toEqual([]);
    const page = await agent.post(`/admin/users/${client.id}/access-groups`, { groupIds: group.id });
    expect(page.status).toBe(409);
    expect(await page.text()).toContain("is a Client user");
    expect(
      (await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: [contractor.id] })).status,
    ).toBe(200);
    expect(await memberIds(group.id)).toEqual([contractor.id]);
  });

  it("refuses to change the groups of someone who holds more than the caller, or of a SUPER_ADMIN", async () => {
    const operator = await createUserWithPermissions(clock, ["groups:update", "groups:read", "users:read"]);
    const stronger = await createUserWithPermissions(clock, ["audit:read"]);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const reachable = await createTestGroup(clock, ["users:read"]);
    const agent = await signInAs(app, clock, operator);
    const add = await json(agent, "PUT", `/api/v1/access-groups/${reachable.id}/members`, { userIds: [stronger.id] });
    expect(add.status).toBe(403);
    expect(add.body.detail).toContain("you lack audit:read");
    const toAdmin = await json(agent, "PUT", `/api/v1/access-groups/${reachable.id}/members`, { userIds: [admin.id] });
    expect(toAdmin.status).toBe(403);
    expect(await memberIds(reachable.id)).toEqual([]);

    const { agent: superAgent } = await signedInAdmin();
    await json(superAgent, "PUT", `/api/v1/access-groups/${reachable.id}/members`, { userIds: [stronger.id] });
    const remove = await json(agent, "PUT", `/api/v1/access-groups/${reachable.id}/members`, { userIds: [] });
    expect(remove.status).toBe(403);
    const deleteGroup = await createUserWithPermissions(clock, ["groups:delete", "users:read"]);
    const deleted = await json(
      await signInAs(app, clock, deleteGroup),
      "DELETE",
      `/api/v1/access-groups/${reachable.id}`,
    );
    expect(deleted.status).toBe(403);
    expect(await memberIds(reachable.id)).toEqual([stronger.id]);
  });

  it("lets an operator manage groups within what they hold", async () => {
    const operator = await createUserWithPermissions(clock, ["groups:update", "groups:read", "users:read"]);
    const peer = await createActiveUser(clock);
    const group = await createTestGroup(clock, ["users:read"]);
    const agent = await signInAs(app, clock, operator);
    const response = await json(agent, "PUT", `/api/v1/access-groups/${group.id}/members`, { userIds: [peer.id] });
    expect(response.status, await summarizeResponse(response.response)).toBe(200);
    expect(await memberIds(group.id)).toEqual([peer.id]);
  });
});
