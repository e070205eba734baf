import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";
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

/** The matrix checkbox of one permission (the page has one matrix). */
function checkbox(html: string, permission: string): string {
  const tag = new RegExp(`<input[^>]*name="permissions" value="${permission}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`no checkbox for ${permission}`);
  return tag;
}

describe("Admin → Access groups", () => {
  it("creates a group from the form, with the permission matrix, and lands on it with a notice", async () => {
    const { agent } = await signedInAdmin();
    const list = await (await agent.get("/admin/access-groups")).text();
    expect(list).toContain("Read-only auditor");
    expect(list).toContain('aria-label="users:read"');
    const name = uniqueGroupName("Support");
    const created = await agent.post("/admin/access-groups", [
      ["name", name],
      ["description", "Answers customers"],
      ["permissions", "users:read"],
      ["permissions", "memberships:read"],
    ]);
    expect(created.status, await summarizeResponse(created)).toBe(303);
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(/^\/admin\/access-groups\/grp_\w+$/);
    const page = await (await agent.get(location)).text();
    expect(page).toContain(
      `The access group &quot;${name}&quot; was created with 2 permissions. Add its members below.`,
    );
    expect(await (await agent.get(location)).text()).not.toContain("was created with");
    expect(page).toContain(`<h1>${name}</h1>`);
    expect(checkbox(page, "users:read")).toContain('checked=""');
    expect(checkbox(page, "memberships:read")).toContain('checked=""');
    expect(checkbox(page, "users:update")).not.toContain("checked");
    const row = await env.DB.prepare("SELECT id, description FROM access_groups WHERE name = ?")
      .bind(name)
      .first<Record<string, string>>();
    expect(row?.description).toBe("Answers customers");
  });

  it("puts errors next to their fields and keeps what was typed and ticked", async () => {
    const { agent } = await signedInAdmin();
    const empty = await agent.post("/admin/access-groups", [
      ["name", " "],
      ["description", "kept"],
      ["permissions", "audit:read"],
    ]);
    const html = await empty.text();
    expect(empty.status, html).toBe(400);
    expect(html).toContain('id="field-name-error">Name is required.');
    expect(html).toMatch(/<textarea[^>]*name="description"[^>]*>kept<\/textarea>/);
    expect(checkbox(html, "audit:read")).toContain('checked=""');
    const taken = await agent.post("/admin/access-groups", { name: "read-only AUDITOR", description: "" });
    const takenHtml = await taken.text();
    expect(taken.status).toBe(409);
    expect(takenHtml).toContain('id="field-name-error">An access group with that name already exists.');
  });

  it("refuses, next to the matrix, a permission the operator does not hold, and greys it out", async () => {
    const operator = await createUserWithPermissions(clock, ["groups:create", "groups:read"]);
    const agent = await signInAs(app, clock, operator);
    const list = await (await agent.get("/admin/access-groups")).text();
    expect(checkbox(list, "audit:read")).toContain('disabled=""');
    expect(checkbox(list, "groups:read")).not.toContain("disabled");
    const name = uniqueGroupName("Escalate");
    const refused = await agent.post("/admin/access-groups", [
      ["name", name],
      ["permissions", "audit:read"],
    ]);
    const html = await refused.text();
    expect(refused.status, html).toBe(403);
    expect(html).toContain('id="new-permission-error">You cannot grant permissions you do not hold: audit:read.');
    expect(await env.DB.prepare("SELECT count(*) AS n FROM access_groups WHERE name = ?").bind(name).first("n")).toBe(
      0,
    );
  });

  it("renames, describes and re-permissions a group, and audits each change", async () => {
    const { agent } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const newName = uniqueGroupName("Renamed");
    expect(
      (await agent.post(`/admin/access-groups/${group.id}`, { name: newName, description: "now described" })).status,
    ).toBe(303);
    const saved = await agent.post(`/admin/access-groups/${group.id}/permissions`, [
      ["permissions", "audit:read"],
      ["permissions", "groups:read"],
    ]);
    expect(saved.headers.get("location")).toBe(`/admin/access-groups/${group.id}`);
    expect(await (await agent.get(`/admin/access-groups/${group.id}`)).text()).toContain(
      `The permissions of &quot;${newName}&quot; were saved (groups:read, audit:read). Its members (0) get them on their next request.`,
    );
    const row = await env.DB.prepare("SELECT name, description FROM access_groups WHERE id = ?").bind(group.id).first();
    expect(row).toEqual({ name: newName, description: "now described" });
    const permissions = await env.DB.prepare(
      "SELECT permission FROM access_group_permissions WHERE group_id = ? ORDER BY permission",
    )
      .bind(group.id)
      .all<{ permission: string }>();
    expect(permissions.results.map((p) => p.permission)).toEqual(["audit:read", "groups:read"]);
    const events = await env.DB.prepare(
      "SELECT details FROM audit_events WHERE action = 'group.updated' AND target_id = ? ORDER BY id",
    )
      .bind(group.id)
      .all<{ details: string }>();
    expect(events.results.map((e) => JSON.parse(e.details))).toEqual([
      { name: { from: group.name, to: newName }, description: { from: "", to: "now described" } },
      { permissionsAdded: ["groups:read", "audit:read"], permissionsRemoved: ["users:read"] },
    ]);
  });

  it("adds several people picked from the search, and removes one only after confirming", async () => {
    const { agent } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const [ann, bob] = await Promise.all([
      createActiveUser(clock, { firstName: "Annika", lastName: "Pickme" }),
      createActiveUser(clock, { firstName: "Bobby", lastName: "Pickme", role: "CONTRACTOR" }),
    ]);
    await createActiveUser(clock, { firstName: "Clara", lastName: "Pickme", role: "CLIENT_USER" });
    const search = await (await agent.get(`/admin/access-groups/${group.id}?find=pickme`)).text();
    expect(search).toContain("Annika Pickme");
    expect(search).toContain("Bobby Pickme");
    expect(search).not.toContain("Clara Pickme");
    const added = await agent.post(`/admin/access-groups/${group.id}/members`, [
      ["userIds", ann.id],
      ["userIds", bob.id],
    ]);
    expect(added.headers.get("location")).toBe(`/admin/access-groups/${group.id}`);
    expect(await memberIds(group.id)).toEqual([ann.id, bob.id].sort());
    expect(await (await agent.get(`/admin/access-groups/${group.id}`)).text()).toContain(
      `Annika Pickme and Bobby Pickme were added to ${group.name}. Their access changes on their next request.`,
    );
    const nothingChosen = await agent.post(`/admin/access-groups/${group.id}/members`, {});
    expect(nothingChosen.status).toBe(400);
    expect(await nothingChosen.text()).toContain("Choose at least one person to add.");

    const confirm = await agent.post(`/admin/access-groups/${group.id}/members/${ann.id}/remove`, {});
    const confirmHtml = await confirm.text();
    expect(confirm.status).toBe(200);
    expect(confirmHtml).toContain(`Remove Annika Pickme from “${group.name}”?`);
    expect(confirmHtml).toContain('name="confirm" value="yes"');
    expect(await memberIds(group.id)).toEqual([ann.id, bob.id].sort());
    const removed = await agent.post(`/admin/access-groups/${group.id}/members/${ann.id}/remove`, { confirm: "yes" });
    expect(removed.headers.get("location")).toBe(`/admin/access-groups/${group.id}`);
    expect(await memberIds(group.id)).toEqual([bob.id]);
    expect(await (await agent.get(`/admin/access-groups/${group.id}`)).text()).toContain(
      `Annika Pickme was removed from ${group.name}. Their access changes on their next request.`,
    );
  });

  it("deletes a group only after confirming, removing its members with an audit event each", async () => {
    const { agent } = await signedInAdmin();
    const group = await createTestGroup(clock, ["users:read"]);
    const member = await createActiveUser(clock);
    await agent.post(`/admin/access-groups/${group.id}/members`, { userIds: member.id });
    const confirm = await agent.post(`/admin/access-groups/${group.id}/delete`, {});
    expect(await confirm.text()).toContain(`Delete the group “${group.name}”?`);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM access_groups WHERE id = ?").bind(group.id).first("n")).toBe(
      1,
    );
    const deleted = await agent.post(`/admin/access-groups/${group.id}/delete`, { confirm: "yes" });
    expect(deleted.headers.get("location")).toBe("/admin/access-groups");
    expect(await (await agent.get("/admin/access-groups")).text()).toContain(
      `The access group &quot;${group.name}&quot; was deleted. Its members (1) lose its permissions on their next request.`,
    );
    expect(await env.DB.prepare("SELECT count(*) AS n FROM access_groups WHERE id = ?").bind(group.id).first("n")).toBe(
      0,
    );
    expect(await memberIds(group.id)).toEqual([]);
    const events = await env.DB.prepare(
      "SELECT action, target_id FROM audit_events WHERE (target_id = ? OR target_id = ?) AND action LIKE 'group.%' ORDER BY id",
    )
      .bind(group.id, member.id)
      .all<{ action: string; target_id: string }>();
    expect(events.results.map((e) => `${e.action} ${e.target_id}`)).toEqual([
      `group.created ${group.id}`,
      `group.member_added ${member.id}`,
      `group.member_removed ${member.id}`,
      `group.deleted ${group.id}`,
    ]);
  });

  it("shows a read-only group to someone with groups:read only, without forms", async () => {
    const reader = await createUserWithPermissions(clock, ["groups:read"]);
    const html = await (
      await (await signInAs(app, clock, reader)).get("/admin/access-groups/grp_readonly_auditor")
    ).text();
    expect(html).toContain("Read-only auditor");
    expect(html).not.toContain('action="/admin/access-groups/grp_readonly_auditor"');
    expect(html).not.toContain("Delete group");
    expect(html).not.toContain("New access group");
  });
});

describe("a user's Access groups tab", () => {
  it("lists the user's groups under the shared header and adds several groups in one action", async () => {
    const { agent } = await signedInAdmin();
    const subject = await createActiveUser(clock, { firstName: "Tabby", lastName: "User" });
    const [first, second] = await Promise.all([
      createTestGroup(clock, ["users:read"]),
      createTestGroup(clock, ["audit:read"]),
    ]);
    const before = await (await agent.get(`/admin/users/${subject.id}/access-groups`)).text();
    expect(before).toContain("Tabby User");
    expect(before).toMatch(/href="\/admin\/users\/usr_\w+\/access-groups" aria-current="page">Access groups/);
    for (const tab of ["Details", "Memberships", "Security"]) expect(before).toContain(`>${tab}</a>`);
    expect(before).toContain("Not in any access group.");
    const added = await agent.post(`/admin/users/${subject.id}/access-groups`, [
      ["groupIds", first.id],
      ["groupIds", second.id],
    ]);
    expect(added.headers.get("location")).toBe(`/admin/users/${subject.id}/access-groups`);
    const after = await (await agent.get(`/admin/users/${subject.id}/access-groups`)).text();
    const named = /Tabby User was added to ([^<]*)\. Their access changes on their next request\./.exec(after)?.[1];
    expect(named?.split(", ").sort(), after).toEqual([first.name, second.name].sort());
    expect(after).toContain(first.name);
    expect(after).toContain("<code>users:read audit:read</code>");
    expect(await memberIds(first.id)).toEqual([subject.id]);
    expect(await memberIds(second.id)).toEqual([subject.id]);

    expect((await agent.post(`/admin/users/${subject.id}/access-groups/${first.id}/remove`, {})).status).toBe(200);
    expect(await memberIds(first.id)).toEqual([subject.id]);
    await agent.post(`/admin/users/${subject.id}/access-groups/${first.id}/remove`, { confirm: "yes" });
    expect(await memberIds(first.id)).toEqual([]);
    expect(await (await agent.get(`/admin/users/${subject.id}/access-groups`)).text()).toContain(
      `Tabby User was removed from ${first.name}. Their access changes on their next request.`,
    );
  });

  it("says why a CLIENT_USER has no groups and offers nothing to add", async () => {
    const { agent } = await signedInAdmin();
    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    const html = await (await agent.get(`/admin/users/${client.id}/access-groups`)).text();
    expect(html).toContain("Client users cannot join access groups");
    expect(html).not.toContain("Add to access group");
  });

  it("explains why an operator cannot change a stronger user's groups", async () => {
    const operator = await createUserWithPermissions(clock, ["users:read", "groups:read", "groups:update"]);
    const stronger = await createUserWithPermissions(clock, ["audit:read"]);
    const agent = await signInAs(app, clock, operator);
    const html = await (await agent.get(`/admin/users/${stronger.id}/access-groups`)).text();
    expect(html).toContain("you lack audit:read");
    expect(html).not.toContain("Add to access group");
  });

  it("leaves the user page and its setup-link route working beside the tab", async () => {
    const { agent } = await signedInAdmin();
    const subject = await createActiveUser(clock);
    expect((await agent.get(`/admin/users/${subject.id}`)).status).toBe(200);
    expect((await agent.get("/admin/users/usr_missing/access-groups")).status).toBe(404);
  });
});

describe("the issue's walkthrough", () => {
  it("a SUPER_ADMIN builds a Support group, adds an operator, who sees exactly Users; the audit log shows every step", async () => {
    const { agent, admin } = await signedInAdmin();
    const operator = await createActiveUser(clock, { firstName: "Opal", lastName: "Erator" });
    const name = uniqueGroupName("Support");
    const created = await agent.post("/admin/access-groups", [
      ["name", name],
      ["permissions", "users:read"],
      ["permissions", "memberships:read"],
    ]);
    const groupPath = (created.headers.get("location") ?? "").split("?")[0] ?? "";
    const groupId = groupPath.split("/").pop() ?? "";
    await agent.post(`${groupPath}/members`, { userIds: operator.id });
    const operatorAgent = await signInAs(app, clock, operator);
    const home = await (await operatorAgent.get("/admin")).text();
    const navigation = home.slice(home.indexOf('<nav aria-label="Main">'), home.indexOf("</nav>"));
    // Access reviews is every staff member's (their own reviews), whatever their groups grant.
    expect([...navigation.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "/admin",
      "/admin/users",
      "/admin/memberships",
      "/admin/reviews",
    ]);
    expect((await operatorAgent.get("/admin/users")).status).toBe(200);
    for (const path of ["/admin/access-groups", "/admin/audit", "/admin/users/new"])
      expect((await operatorAgent.get(path)).status).toBe(403);
    const log = await (await agent.get(`/admin/audit?actor=${encodeURIComponent(admin.email)}`)).text();
    expect(log).toContain("group.created");
    expect(log).toContain("group.member_added");
    expect(log).toContain(`>Opal Erator</a><div class="muted">${operator.email}</div>`);
    expect(groupId).toMatch(/^grp_/);
  });
});
