import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agent, summarizeResponse } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  grantPermissionsThroughGroup,
  inviteTestUser,
  signInAs,
  uniqueEmail,
} from "../helpers/factories";

async function setup() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, adminAgent: await signInAs(app, clock, admin) };
}

describe("deactivation and reactivation", () => {
  it("ends every session and API token of the user at once, after a confirmation step from the Details tab", async () => {
    const { clock, app, adminAgent } = await setup();
    const victim = await createActiveUser(clock, { role: "OPERATOR", firstName: "Vic", lastName: "Tim" });
    const name = "Vic Tim";
    const details = await (await adminAgent.get(`/admin/users/${victim.id}`)).text();
    expect(details).toContain('<section class="danger-zone" id="user-status"');
    expect(details).toContain(`href="/admin/users/${victim.id}/deactivate"`);
    const victimAgent = await signInAs(app, clock, victim);
    const victimApi = new ApiClient(app, await createApiTokenFor(victimAgent));
    expect((await victimApi.call("GET", "/api/v1/me")).status).toBe(200);

    const confirmation = await adminAgent.get(`/admin/users/${victim.id}/deactivate`);
    const confirmationHtml = await confirmation.text();
    expect(confirmation.status).toBe(200);
    expect(confirmationHtml).toContain(`action="/admin/users/${victim.id}/deactivate"`);
    expect(confirmationHtml).toContain('method="post"');
    expect(confirmationHtml).toContain(`href="/admin/users/${victim.id}"`);
    const done = await adminAgent.post(`/admin/users/${victim.id}/deactivate`, {});
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`/admin/users/${victim.id}#user-status`);
    const after = await (await adminAgent.get(`/admin/users/${victim.id}`)).text();
    expect(after).toContain(`${name} was deactivated. Their sessions and API tokens stopped working.`);
    expect(after).toContain(`action="/admin/users/${victim.id}/reactivate"`);
    const reloaded = await (await adminAgent.get(`/admin/users/${victim.id}`)).text();
    expect(reloaded).not.toContain("was deactivated.");

    expect((await victimAgent.get("/admin")).status).toBe(303);
    expect((await victimApi.call("GET", "/api/v1/me")).status).toBe(401);
    const rows = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM sessions WHERE user_id = ?1) AS sessions, (SELECT count(*) FROM api_tokens WHERE user_id = ?1 AND revoked_at IS NULL) AS tokens, (SELECT deactivated_at FROM users WHERE id = ?1) AS deactivated",
    )
      .bind(victim.id)
      .first<{ sessions: number; tokens: number; deactivated: number }>();
    expect(rows).toMatchObject({ sessions: 0, tokens: 0 });
    expect(rows?.deactivated).toBe(clock.now().getTime());
    const signIn = await new Agent(app).post("/login", { email: victim.email, password: victim.password });
    expect(signIn.status).toBe(401);

    const reactivated = await adminAgent.post(`/admin/users/${victim.id}/reactivate`, {});
    expect(reactivated.headers.get("location")).toBe(`/admin/users/${victim.id}#user-status`);
    expect(await (await adminAgent.get(`/admin/users/${victim.id}`)).text()).toContain(
      `${name} was reactivated and can sign in again.`,
    );
    const back = await signInAs(app, clock, victim);
    expect((await back.get("/admin")).status).toBe(200);
    expect((await victimApi.call("GET", "/api/v1/me")).status).toBe(401);
  });

  it("refuses deactivating your own account", async () => {
    const { adminAgent, admin } = await setup();
    const response = await adminAgent.post(`/admin/users/${admin.id}/deactivate`, {});
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("You cannot deactivate your own account.");
  });

  it("keeps one active SUPER_ADMIN when the last two deactivate each other at the same moment", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const first = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const second = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    await env.DB.prepare("UPDATE users SET deactivated_at = 1 WHERE role = 'SUPER_ADMIN' AND id NOT IN (?, ?)")
      .bind(first.id, second.id)
      .run();
    const [a, b] = [await signInAs(app, clock, first), await signInAs(app, clock, second)];
    const results = await Promise.all([
      a.post(`/admin/users/${second.id}/deactivate`, {}),
      b.post(`/admin/users/${first.id}/deactivate`, {}),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    const refused = results.find((r) => r.status === 409) as Response;
    expect(await refused.text()).toContain("Make someone else a Super admin first");
    const active = await env.DB.prepare(
      "SELECT count(*) AS n FROM users WHERE role = 'SUPER_ADMIN' AND activated_at IS NOT NULL AND deactivated_at IS NULL",
    ).first<{ n: number }>();
    expect(active?.n).toBe(1);
  });
});

describe("editing users", () => {
  it("applies a role change on the user's very next request", async () => {
    const { clock, app, adminAgent } = await setup();
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    const operatorAgent = await signInAs(app, clock, operator);
    expect((await operatorAgent.get("/admin/users")).status).toBe(403);
    const promote = await adminAgent.post(`/admin/users/${operator.id}`, {
      firstName: "Test",
      lastName: "Person",
      displayName: "Test Person",
      slackId: "",
      role: "SUPER_ADMIN",
    });
    expect(promote.status, await summarizeResponse(promote)).toBe(303);
    expect((await operatorAgent.get("/admin/users")).status).toBe(200);
    await adminAgent.post(`/admin/users/${operator.id}`, {
      firstName: "Test",
      lastName: "Person",
      displayName: "Test Person",
      slackId: "",
      role: "CLIENT_USER",
    });
    expect((await operatorAgent.get("/admin")).status).toBe(403);
    const audit = await env.DB.prepare(
      "SELECT details FROM audit_events WHERE action = 'user.role_changed' AND target_id = ? ORDER BY id",
    )
      .bind(operator.id)
      .all<{ details: string }>();
    expect(audit.results.map((row) => JSON.parse(row.details).to)).toEqual(["SUPER_ADMIN", "CLIENT_USER"]);
  });

  it("shows validation errors next to the fields and keeps the input", async () => {
    const { clock, adminAgent } = await setup();
    const user = await createActiveUser(clock);
    const response = await adminAgent.post(`/admin/users/${user.id}`, {
      firstName: "",
      lastName: "Ok",
      displayName: "Ok",
      slackId: "nope",
      role: "OPERATOR",
    });
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).toContain('id="field-firstName-error">First name is required.');
    expect(html).toContain('id="field-slackId-error">');
    expect(html).toContain('value="nope"');
  });

  it("lets only a SUPER_ADMIN create or promote a SUPER_ADMIN", async () => {
    const { clock, app } = await setup();
    const manager = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(manager.id, ["users:read", "users:create", "users:update"]);
    const agent = await signInAs(app, clock, manager);
    const newForm = await (await agent.get("/admin/users/new")).text();
    expect(newForm).not.toContain('value="SUPER_ADMIN"');
    const create = await agent.post("/admin/users", {
      email: uniqueEmail("sa"),
      firstName: "S",
      lastName: "A",
      role: "SUPER_ADMIN",
      slackId: "",
    });
    expect(create.status).toBe(403);
    const peer = await createActiveUser(clock, { role: "OPERATOR" });
    const promote = await agent.post(`/admin/users/${peer.id}`, {
      firstName: "P",
      lastName: "Q",
      displayName: "PQ",
      slackId: "",
      role: "SUPER_ADMIN",
    });
    expect(promote.status).toBe(403);
    const role = await env.DB.prepare("SELECT role FROM users WHERE id = ?").bind(peer.id).first<{ role: string }>();
    expect(role?.role).toBe("OPERATOR");
  });

  it("refuses changing a user who holds permissions the actor lacks", async () => {
    const { clock, app } = await setup();
    const manager = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(manager.id, ["users:read", "users:update", "users:delete"]);
    const stronger = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(stronger.id, ["users:read", "audit:read"]);
    const agent = await signInAs(app, clock, manager);
    const edit = await agent.post(`/admin/users/${stronger.id}`, {
      firstName: "X",
      lastName: "Y",
      displayName: "XY",
      slackId: "",
      role: "OPERATOR",
    });
    expect(edit.status).toBe(403);
    expect(await edit.text()).toContain("audit:read");
    expect((await agent.post(`/admin/users/${stronger.id}/deactivate`, {})).status).toBe(403);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    expect((await agent.post(`/admin/users/${admin.id}/deactivate`, {})).status).toBe(403);
  });

  it("sends a new setup link to a pending user only", async () => {
    const { clock, adminAgent } = await setup();
    const active = await createActiveUser(clock);
    const refused = await adminAgent.post(`/admin/users/${active.id}/setup-link`, {});
    expect(refused.status).toBe(409);
    expect(await (await adminAgent.get(`/admin/users/${active.id}`)).text()).not.toContain("Send a new setup link");
    const pending = await inviteTestUser(clock);
    const sent = await adminAgent.post(`/admin/users/${pending.user.id}/setup-link`, {});
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe(`/admin/users/${pending.user.id}/setup-link`);
  });

  it("names the person when their details are saved", async () => {
    const { clock, adminAgent } = await setup();
    const subject = await createActiveUser(clock, { role: "OPERATOR" });
    const saved = await adminAgent.post(`/admin/users/${subject.id}`, {
      firstName: "Dana",
      lastName: "Doe",
      displayName: "Dana",
      slackId: "",
      role: "CONTRACTOR",
    });
    expect(saved.headers.get("location")).toBe(`/admin/users/${subject.id}#edit-details`);
    const html = await (await adminAgent.get(`/admin/users/${subject.id}`)).text();
    expect(html).toContain("Dana Doe is now Contractor. The change applies on their next request.");
    expect(html).toContain('<option value="CONTRACTOR" selected="">Contractor</option>');
    expect(html).toContain("· Contractor</p>");
  });
});

describe("the users list", () => {
  it("says roles and statuses in words in cells, filters and badges, and keeps codes as the filter values", async () => {
    const { clock, adminAgent } = await setup();
    await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Cora", lastName: "Words" });
    const html = await (await adminAgent.get("/admin/users?query=Cora")).text();
    const main = html.slice(html.indexOf("<main"));
    expect(main).toContain('<td data-label="Role">Contractor</td>');
    expect(main).toContain('<span class="badge badge-success">Active</span>');
    expect(main).toContain('<option value="CLIENT_USER">Client user</option>');
    expect(main).toContain('<option value="SUPER_ADMIN">Super admin</option>');
    expect(main).toContain('<option value="DEACTIVATED">Deactivated</option>');
    expect(main).not.toMatch(/>[^<]*\b(OPERATOR|CONTRACTOR|CLIENT_USER|SUPER_ADMIN)\b/);
    expect(main).toContain('<table class="data-table">');
    expect(main).toContain('<td data-label="Name" class="cell-primary">');
    expect(main).toContain('<td data-label="Slack" class="priority-low">');
    expect(main.match(/<td(?![^>]*data-label)/g)).toBeNull();
    const filtered = await (await adminAgent.get("/admin/users?role=CONTRACTOR")).text();
    expect(filtered).toContain('<option value="CONTRACTOR" selected="">Contractor</option>');
  });

  it("warns about many super admins in words", async () => {
    const { clock, adminAgent } = await setup();
    for (let i = 0; i < 4; i++) await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const html = await (await adminAgent.get("/admin/users")).text();
    expect(html).toMatch(/There are \d+ active super admins\./);
  });
});
