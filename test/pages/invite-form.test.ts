import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs, uniqueEmail } from "../helpers/factories";
import { extractSetupUrl } from "../helpers/links";

async function signedInAdmin() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, agent: await signInAs(app, clock, admin) };
}

describe("Admin → Users → New user", () => {
  it("shows every invite field with labels", async () => {
    const { agent } = await signedInAdmin();
    const html = await (await agent.get("/admin/users/new")).text();
    for (const field of ["email", "firstName", "lastName", "role", "slackId"]) {
      expect(html).toMatch(new RegExp(`<label for="field-${field}">`));
      expect(html).toContain(`name="${field}"`);
    }
    expect(html).toContain('<option value="OPERATOR" selected="">OPERATOR</option>');
  });

  it("puts each validation error next to its field and keeps what was typed", async () => {
    const { agent } = await signedInAdmin();
    const response = await agent.post("/admin/users", {
      email: "not-an-email",
      firstName: "",
      lastName: "x".repeat(101),
      role: "OPERATOR",
      slackId: "bad id",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain('id="field-email-error">Enter a valid email address.');
    expect(html).toContain('id="field-firstName-error">First name is required.');
    expect(html).toContain('id="field-lastName-error">Last name must be at most 100 characters.');
    expect(html).toContain('id="field-slackId-error">A Slack member ID looks like U012AB3CD.');
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('aria-describedby="field-email-error"');
  });

  it("refuses an email already in use in another case, links to that user and offers the regenerate path", async () => {
    const { agent } = await signedInAdmin();
    const email = uniqueEmail("dup");
    const first = await agent.post("/admin/users", {
      email,
      firstName: "Dana",
      lastName: "Dup",
      role: "OPERATOR",
      slackId: "",
    });
    expect(first.status, await summarizeResponse(first)).toBe(201);
    const existing = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first<{ id: string }>();
    const second = await agent.post("/admin/users", {
      email: ` ${email.toUpperCase()} `,
      firstName: "Dana",
      lastName: "Again",
      role: "OPERATOR",
      slackId: "",
    });
    const html = await second.text();
    expect(second.status, html).toBe(409);
    expect(html).toContain("Email already in use");
    expect(html).toContain(`href="/admin/users/${existing?.id}"`);
    expect(html).toContain("regenerate their setup link");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(email)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("shows the setup link once, stores only its hash and queues the invite email and audit event", async () => {
    const { agent, admin } = await signedInAdmin();
    const email = uniqueEmail("new");
    const response = await agent.post("/admin/users", {
      email,
      firstName: "Nia",
      lastName: "New",
      role: "CONTRACTOR",
      slackId: "U012AB3CD",
    });
    const html = await response.text();
    expect(response.status, html).toBe(201);
    expect(html).toContain("User created");
    const setupUrl = extractSetupUrl(html);
    const token = setupUrl.split("/").pop() as string;
    const row = await env.DB.prepare("SELECT * FROM users WHERE email = ?")
      .bind(email)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      role: "CONTRACTOR",
      slack_id: "U012AB3CD",
      first_name: "Nia",
      created_by: admin.id,
      activated_at: null,
    });
    expect(JSON.stringify(row)).not.toContain(token);
    const audit = await env.DB.prepare("SELECT * FROM audit_events WHERE action = 'user.invited' AND target_id = ?")
      .bind(row?.id)
      .first<Record<string, unknown>>();
    expect(audit).toMatchObject({ actor_id: admin.id, actor_email: admin.email, target_type: "user" });
    expect(JSON.stringify(audit)).not.toContain(token);
    const mail = await env.DB.prepare("SELECT * FROM outbox WHERE user_id = ?")
      .bind(row?.id)
      .first<Record<string, unknown>>();
    expect(mail).toMatchObject({ kind: "invite", to_address: email, status: "pending" });
    expect(String(mail?.text_body)).toContain(setupUrl);

    const userPage = await (await agent.get(`/admin/users/${row?.id}`)).text();
    expect(userPage).not.toContain(token);
    expect(userPage).toContain("Pending · link valid");
  });

  it("regenerates a pending user's link from their page and the old one dies", async () => {
    const { agent, app } = await signedInAdmin();
    const email = uniqueEmail("regen");
    const created = await agent.post("/admin/users", {
      email,
      firstName: "Rey",
      lastName: "Gen",
      role: "OPERATOR",
      slackId: "",
    });
    const oldUrl = extractSetupUrl(await created.text());
    const id = (await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first<{ id: string }>())?.id;
    const regenerated = await agent.post(`/admin/users/${id}/setup-link`, { intent: "regenerate" });
    const html = await regenerated.text();
    expect(regenerated.status, html).toBe(200);
    const newUrl = extractSetupUrl(html);
    expect(newUrl).not.toBe(oldUrl);
    const { Agent } = await import("../helpers/agent");
    expect((await new Agent(app).get(new URL(oldUrl).pathname)).status).toBe(404);
    expect((await new Agent(app).get(new URL(newUrl).pathname)).status).toBe(303);
    const mails = await env.DB.prepare("SELECT kind FROM outbox WHERE user_id = ? ORDER BY created_at")
      .bind(id)
      .all<{ kind: string }>();
    expect(mails.results.map((m) => m.kind)).toEqual(["invite", "invite_resent"]);
  });

  it("refuses a form post from another origin", async () => {
    const { agent } = await signedInAdmin();
    const response = await agent.post(
      "/admin/users",
      { email: uniqueEmail("csrf"), firstName: "Cross", lastName: "Site", role: "OPERATOR", slackId: "" },
      { origin: "https://evil.example" },
    );
    expect(response.status).toBe(403);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE first_name = 'Cross'").first<{
      n: number;
    }>();
    expect(count?.n).toBe(0);
  });
});
