// docs/SECURITY.md "Text input": every page form refuses control, direction-changing, unreadable and
// invisible-only text in its single-line fields, keeps line breaks only in multi-line ones, and
// stores what it accepts in NFC.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  signInAs,
  testPassword,
  uniqueEmail,
} from "../helpers/factories";

// A form cannot carry a lone surrogate: the browser (and URLSearchParams) sends U+FFFD instead,
// which is what the pages refuse.
const refusedNames: Array<[string, string, string]> = [
  ["a line break", "Eve\r\nBcc: victim@example.com", "cannot contain line breaks or control characters."],
  ["a NUL", "Eve\u0000", "cannot contain line breaks or control characters."],
  ["a right-to-left override", "Eve\u202Eevil", "cannot contain characters that change the writing direction."],
  ["only zero-width characters", "\u200B\u200C\u2060", "needs at least one visible character."],
  ["a lone surrogate", "Eve\uD800", "contains a character that could not be read; type it again."],
];

async function signedInAdmin() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, agent: await signInAs(app, clock, admin) };
}

function userByEmail(email: string) {
  return env.DB.prepare("SELECT first_name, last_name FROM users WHERE email = ?")
    .bind(email)
    .first<{ first_name: string; last_name: string }>();
}

describe("text typed into page forms", () => {
  it.each(refusedNames)(
    "refuses an invite whose first name has %s, next to the field",
    async (_case, firstName, message) => {
      const { agent } = await signedInAdmin();
      const email = uniqueEmail("text");
      const response = await agent.post("/admin/users", {
        email,
        firstName,
        lastName: "Doe",
        role: "OPERATOR",
        slackId: "",
      });
      const html = await response.text();
      expect(response.status, html).toBe(400);
      expect(html).toContain(`id="field-firstName-error">First name ${message}`);
      expect(await userByEmail(email)).toBeNull();
    },
  );

  it("accepts accented, non-Latin, apostrophe, hyphen and emoji names and stores them in NFC", async () => {
    const { agent } = await signedInAdmin();
    const cases: Array<[string, string, string, string]> = [
      ["Jose\u0301", "Nu\u0301n\u0303ez", "Jos\u00e9", "N\u00fa\u00f1ez"],
      ["山田", "太郎", "山田", "太郎"],
      ["D'Arcy", "O'Brien-Łukasiewicz", "D'Arcy", "O'Brien-Łukasiewicz"],
      ["Мария", "محمد 🙂", "Мария", "محمد 🙂"],
    ];
    for (const [firstName, lastName, storedFirst, storedLast] of cases) {
      const email = uniqueEmail("names");
      const response = await agent.post("/admin/users", { email, firstName, lastName, role: "OPERATOR", slackId: "" });
      expect(response.status, await summarizeResponse(response)).toBe(303);
      expect(await userByEmail(email)).toEqual({ first_name: storedFirst, last_name: storedLast });
    }
  });

  it("refuses a line break or a direction override in a tenant name and a group name", async () => {
    const { agent } = await signedInAdmin();
    const slug = `text-${crypto.randomUUID().slice(0, 8)}`;
    const tenant = await agent.post("/admin/tenants", { name: "Acme\nBcc: x@example.com", slug, description: "" });
    const tenantHtml = await tenant.text();
    expect(tenant.status, tenantHtml).toBe(400);
    expect(tenantHtml).toContain("Name cannot contain line breaks or control characters.");
    expect(await env.DB.prepare("SELECT id FROM tenants WHERE slug = ?").bind(slug).first()).toBeNull();

    const groupName = `Ops \u202Egnp.exe ${crypto.randomUUID().slice(0, 8)}`;
    const group = await agent.post("/admin/access-groups", { name: groupName, description: "" });
    const groupHtml = await group.text();
    expect(group.status, groupHtml).toBe(400);
    expect(groupHtml).toContain("Name cannot contain characters that change the writing direction.");
    expect(await env.DB.prepare("SELECT id FROM access_groups WHERE name = ?").bind(groupName).first()).toBeNull();
  });

  it("refuses an invisible display name and a token name with a line break on the account page", async () => {
    const { agent, admin } = await signedInAdmin();
    const before = await env.DB.prepare("SELECT display_name FROM users WHERE id = ?")
      .bind(admin.id)
      .first<{ display_name: string }>();
    const profile = await agent.post("/account/profile", { displayName: "\u200B\u200D", timeZone: "UTC" });
    const profileHtml = await profile.text();
    expect(profile.status, profileHtml).toBe(400);
    expect(profileHtml).toContain("Display name needs at least one visible character.");
    const after = await env.DB.prepare("SELECT display_name FROM users WHERE id = ?")
      .bind(admin.id)
      .first<{ display_name: string }>();
    expect(after).toEqual(before);

    const token = await agent.post("/account/tokens", { name: "ci\r\ndeploy", expiresAt: "" });
    const tokenHtml = await token.text();
    expect(token.status, tokenHtml).toBe(400);
    expect(tokenHtml).toContain("Token name cannot contain line breaks or control characters.");
    const tokens = await env.DB.prepare("SELECT count(*) AS n FROM api_tokens WHERE user_id = ?")
      .bind(admin.id)
      .first<{ n: number }>();
    expect(tokens?.n).toBe(0);
  });

  it("refuses a display name with a direction override while completing setup", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const invited = await inviteTestUser(clock);
    const agent = new Agent(app);
    expect((await agent.get(`/setup/${invited.token}`)).status).toBe(303);
    const response = await agent.post("/setup", {
      step: "password",
      displayName: "Pat\u202E",
      password: testPassword,
      passwordConfirmation: testPassword,
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain("Display name cannot contain characters that change the writing direction.");
    const row = await env.DB.prepare("SELECT pending_password_hash, pending_display_name FROM users WHERE id = ?")
      .bind(invited.user.id)
      .first();
    expect(row).toEqual({ pending_password_hash: null, pending_display_name: null });
  });

  it("keeps line breaks in an update's text but refuses them in its title, and refuses other control characters in the text", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const app = createTestApp(clock);
    const tenant = await createTestTenant(clock, "Texty");
    const writer = await createActiveUser(clock, { role: "OPERATOR" });
    await grantTestMembership(clock, { userId: writer.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
    const agent = await signInAs(app, clock, writer);
    const count = async () =>
      (
        await env.DB.prepare("SELECT count(*) AS n FROM tenant_updates WHERE tenant_id = ?")
          .bind(tenant.id)
          .first<{ n: number }>()
      )?.n;

    const badTitle = await agent.post(`/tenants/${tenant.slug}/updates`, { title: "Hello\r\nworld", body: "Text" });
    const badTitleHtml = await badTitle.text();
    expect(badTitle.status, badTitleHtml).toBe(400);
    expect(badTitleHtml).toContain("Title cannot contain line breaks or control characters.");
    const badBody = await agent.post(`/tenants/${tenant.slug}/updates`, {
      title: "Hello",
      body: "Ring\u0007 the bell",
    });
    const badBodyHtml = await badBody.text();
    expect(badBody.status, badBodyHtml).toBe(400);
    expect(badBodyHtml).toContain("The text can hold line breaks but no other control characters.");
    expect(await count()).toBe(0);

    const posted = await agent.post(`/tenants/${tenant.slug}/updates`, {
      title: "Cafe\u0301",
      body: "Line one\r\nLine two\rLine three",
    });
    expect(posted.status, await summarizeResponse(posted)).toBe(303);
    const row = await env.DB.prepare("SELECT title, body FROM tenant_updates WHERE tenant_id = ?")
      .bind(tenant.id)
      .first();
    expect(row).toEqual({ title: "Caf\u00e9", body: "Line one\nLine two\nLine three" });
  });
});
