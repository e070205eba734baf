import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, signInAs, uniqueEmail } from "../helpers/factories";
import { extractSetupUrl, openLinkPage } from "../helpers/links";

async function signedInAdmin() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, agent: await signInAs(app, clock, admin) };
}

describe("Admin → Users → New user", () => {
  it("shows every invite field with labels, roles in words", async () => {
    const { agent, clock } = await signedInAdmin();
    await createTestTenant(clock);
    const html = await (await agent.get("/admin/users/new")).text();
    for (const field of ["email", "firstName", "lastName", "role", "slackId"]) {
      expect(html).toMatch(new RegExp(`<label for="field-${field}">`));
      expect(html).toContain(`name="${field}"`);
    }
    expect(html).toContain('<option value="OPERATOR" selected="">Operator</option>');
    expect(html).toContain('<option value="CONTRACTOR">Contractor</option>');
    expect(html).toContain('<option value="OPERATOR_READONLY">Read-only</option>');
    const main = html.slice(html.indexOf("<main"));
    expect(main).not.toMatch(/>[^<]*\b(OPERATOR|CONTRACTOR|CLIENT_USER|SUPER_ADMIN|OPERATOR_FULL|CLIENT_ADMIN)\b/);
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

  it("refuses an email already in use in another case, links to that user and offers a new setup link", async () => {
    const { agent } = await signedInAdmin();
    const email = uniqueEmail("dup");
    const first = await agent.post("/admin/users", {
      email,
      firstName: "Dana",
      lastName: "Dup",
      role: "OPERATOR",
      slackId: "",
    });
    expect(first.status, await summarizeResponse(first)).toBe(303);
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
    expect(html).toContain("send them a new setup link");
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
    const html = await openLinkPage(agent, response);
    expect(html).toContain("Nia New (");
    expect(html).toContain("was created as Contractor");
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

  it("sends a pending user a new link from their page and the old one dies", async () => {
    const { agent, app } = await signedInAdmin();
    const email = uniqueEmail("regen");
    const created = await agent.post("/admin/users", {
      email,
      firstName: "Rey",
      lastName: "Gen",
      role: "OPERATOR",
      slackId: "",
    });
    const oldUrl = extractSetupUrl(await openLinkPage(agent, created));
    const id = (await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first<{ id: string }>())?.id;
    const userPage = await (await agent.get(`/admin/users/${id}`)).text();
    expect(userPage.match(/Send a new setup link/g)).toHaveLength(1);
    expect(userPage).not.toContain("Regenerate");
    expect(userPage).not.toContain("Resend invite");
    const regenerated = await agent.post(`/admin/users/${id}/setup-link`, {});
    expect(regenerated.headers.get("location")).toBe(`/admin/users/${id}/setup-link`);
    const html = await openLinkPage(agent, regenerated);
    expect(html).toContain("Rey Gen has a new setup link; the previous one no longer works.");
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

describe("Admin → Users → New user: the setup link after Post/Redirect/Get", () => {
  const flashCookie = "__Host-gatehouse_flash";

  async function createPerson(agent: Awaited<ReturnType<typeof signedInAdmin>>["agent"], email: string) {
    return agent.post("/admin/users", { email, firstName: "Dana", lastName: "Doe", role: "OPERATOR", slackId: "" });
  }

  it("answers the invite with a 303 to the link page and a short-lived sealed __Host- cookie, never the link itself", async () => {
    const { agent } = await signedInAdmin();
    const email = uniqueEmail("prg");
    const created = await createPerson(agent, email);
    const id = (await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first<{ id: string }>())?.id;
    expect(created.status, await summarizeResponse(created)).toBe(303);
    expect(created.headers.get("location")).toBe(`/admin/users/${id}/setup-link`);
    expect(await created.text()).not.toContain("/setup/");
    const header = created.headers.getSetCookie().find((cookie) => cookie.startsWith(`${flashCookie}=`));
    expect(header, created.headers.getSetCookie().join("\n")).toBeDefined();
    expect(header).toMatch(/; Max-Age=60(;|$)/);
    expect(header).toMatch(/; Path=\/(;|$)/);
    expect(header).toMatch(/; HttpOnly(;|$)/);
    expect(header).toMatch(/; Secure(;|$)/);
    expect(header).not.toMatch(/; Domain=/i);

    const html = await openLinkPage(agent, created);
    const setupUrl = extractSetupUrl(html);
    const token = setupUrl.split("/").pop() as string;
    const sealed = decodeURIComponent(header?.split(";")[0]?.slice(flashCookie.length + 1) ?? "");
    expect(sealed.length).toBeGreaterThan(0);
    expect(sealed).not.toContain(token);
    expect(sealed).not.toContain(email);
    expect(sealed).not.toContain("Dana");
  });

  it("shows the link once: reading deletes the cookie, and a reload says it was shown once, resubmits nothing and offers a new link", async () => {
    const { agent } = await signedInAdmin();
    const email = uniqueEmail("reload");
    const created = await createPerson(agent, email);
    const location = created.headers.get("location") as string;
    const first = await agent.get(location);
    const firstHtml = await first.text();
    expect(first.status, firstHtml).toBe(200);
    expect(extractSetupUrl(firstHtml)).toMatch(/\/setup\/[A-Za-z0-9_-]{43}$/);
    expect(firstHtml).toContain("Dana Doe (");
    expect(firstHtml).toContain("was created as Operator");
    expect(first.headers.getSetCookie().some((cookie) => /^__Host-gatehouse_flash=;.*Max-Age=0/i.test(cookie))).toBe(
      true,
    );
    expect(agent.cookies.has(flashCookie)).toBe(false);

    const reload = await agent.get(location);
    const reloadHtml = await reload.text();
    expect(reload.status, reloadHtml).toBe(200);
    expect(reloadHtml).toContain("The setup link was shown once. Make a new one if it is needed.");
    expect(reloadHtml).not.toContain('id="setup-url"');
    expect(reloadHtml).not.toContain("/setup/");
    expect(reloadHtml).not.toContain("was created as");
    expect(reloadHtml).toContain(`action="${location}"`);
    expect(reloadHtml).toContain("Send a new setup link");
    const users = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(email)
      .first<{ n: number }>();
    expect(users?.n).toBe(1);
    const events = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE action IN ('user.invited', 'user.setup_link_regenerated') AND target_id = ?",
    )
      .bind(location.split("/")[3])
      .first<{ n: number }>();
    expect(events?.n).toBe(1);
  });

  it("opens a flash only for the admin it was sealed for", async () => {
    const { agent, app, clock } = await signedInAdmin();
    const other = await signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
    const created = await createPerson(agent, uniqueEmail("sealed"));
    const sealed = agent.cookies.get(flashCookie);
    expect(sealed).toBeDefined();
    other.cookies.set(flashCookie, sealed as string);
    const html = await (await other.get(created.headers.get("location") as string)).text();
    expect(html).toContain("The setup link was shown once.");
    expect(html).not.toContain('id="setup-url"');
    // The admin it was sealed for still opens it.
    expect(extractSetupUrl(await (await agent.get(created.headers.get("location") as string)).text())).toContain(
      "/setup/",
    );
  });

  it("offers no new link on a reload once the person has finished setup", async () => {
    const { agent } = await signedInAdmin();
    const created = await createPerson(agent, uniqueEmail("active"));
    const location = created.headers.get("location") as string;
    await agent.get(location);
    const id = location.split("/")[3] as string;
    await env.DB.prepare("UPDATE users SET activated_at = 1 WHERE id = ?").bind(id).run();
    const html = await (await agent.get(location)).text();
    expect(html).toContain("The setup link was shown once.");
    expect(html).not.toContain("Send a new setup link");
  });
});
