// What forms accept (docs/SECURITY.md "Dates and times typed into forms" and "Request bodies"):
// real calendar times in the viewer's zone, only the fields the page sends, bodies up to 64 KiB.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agent, origin, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  signInAs,
  uniqueEmail,
} from "../helpers/factories";

const clock = new TestClock("2026-11-23T12:00:00Z");
const app = createTestApp(clock);
const offCalendar = ["2027-02-30T10:00", "2027-13-45T99:99"];

async function signedInAdmin(timeZone = "UTC") {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  await env.DB.prepare("UPDATE users SET time_zone = ? WHERE id = ?").bind(timeZone, admin.id).run();
  return { admin, agent: await signInAs(app, clock, admin) };
}

async function operatorAndTenant() {
  const operator = await createActiveUser(clock, { role: "OPERATOR" });
  const tenant = await createTestTenant(clock, "Forms");
  return { operator, tenant };
}

async function liveMemberships(userId: string) {
  const rows = await env.DB.prepare(
    "SELECT id, role, expires_at FROM memberships WHERE user_id = ? AND revoked_at IS NULL",
  )
    .bind(userId)
    .all<{ id: string; role: string; expires_at: number | null }>();
  return rows.results;
}

/** A form post whose urlencoded body is exactly `bytes` long. */
function postBodyOfSize(agent: Agent, path: string, prefix: string, bytes: number) {
  const body = `${prefix}${"x".repeat(bytes - prefix.length)}`;
  expect(new TextEncoder().encode(body).length).toBe(bytes);
  return agent.request(path, {
    method: "POST",
    body,
    headers: { origin, "content-type": "application/x-www-form-urlencoded" },
  });
}

describe("dates and times typed into forms", () => {
  it("refuses an off-calendar expiry on the invite form and creates nobody", async () => {
    const { agent } = await signedInAdmin();
    const { tenant } = await operatorAndTenant();
    for (const expiresAt of offCalendar) {
      const email = uniqueEmail("rollover");
      const response = await agent.post("/admin/users", {
        email,
        firstName: "Roll",
        lastName: "Over",
        role: "CONTRACTOR",
        slackId: "",
        "memberships.0.tenantId": tenant.id,
        "memberships.0.role": "OPERATOR_READONLY",
        "memberships.0.expiresAt": expiresAt,
      });
      const html = await response.text();
      expect(response.status, html).toBe(400);
      expect(html).toContain(
        expiresAt === "2027-02-30T10:00" ? "There is no 30 February 2027." : "There is no month 13",
      );
      expect(html).toContain('id="field-memberships-0-expiresAt-error">');
      expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
    }
  });

  it("refuses an off-calendar expiry on Admin → Memberships and on a user's memberships tab, granting nothing", async () => {
    const { agent } = await signedInAdmin();
    const { operator, tenant } = await operatorAndTenant();
    for (const expiresAt of offCalendar) {
      const fromList = await agent.post("/admin/memberships", {
        returnTo: "/admin/memberships",
        userEmail: operator.email,
        tenantId: tenant.id,
        role: "OPERATOR_FULL",
        expiresAt,
      });
      const listHtml = await fromList.text();
      expect(fromList.status, listHtml).toBe(400);
      expect(listHtml).toMatch(/There is no (30 February 2027|month 13)/);
      const fromTab = await agent.post("/admin/memberships", {
        returnTo: `/admin/users/${operator.id}/memberships`,
        userId: operator.id,
        tenantId: tenant.id,
        role: "OPERATOR_FULL",
        expiresAt,
      });
      const tabHtml = await fromTab.text();
      expect(fromTab.status, tabHtml).toBe(400);
      expect(tabHtml).toMatch(/There is no (30 February 2027|month 13)/);
    }
    expect(await liveMemberships(operator.id)).toEqual([]);
  });

  it("refuses an off-calendar expiry when a membership is changed, and keeps the old one", async () => {
    const { agent } = await signedInAdmin();
    const { operator, tenant } = await operatorAndTenant();
    const granted = await grantTestMembership(clock, {
      userId: operator.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: new Date("2027-01-31T10:00:00Z"),
    });
    for (const expiresAt of offCalendar) {
      const response = await agent.post(`/admin/memberships/${granted.id}/edit`, {
        returnTo: "/admin/memberships",
        role: "OPERATOR_FULL",
        expiresAt,
      });
      const html = await response.text();
      expect(response.status, html).toBe(400);
      expect(html).toMatch(/There is no (30 February 2027|month 13)/);
    }
    expect(await liveMemberships(operator.id)).toEqual([
      { id: granted.id, role: "OPERATOR_FULL", expires_at: Date.parse("2027-01-31T10:00:00Z") },
    ]);
  });

  it("refuses an off-calendar API token expiry and an off-calendar audit filter", async () => {
    const { admin, agent } = await signedInAdmin();
    for (const expiresAt of offCalendar) {
      const response = await agent.post("/account/tokens", { name: `rollover ${expiresAt}`, expiresAt });
      const html = await response.text();
      expect(response.status, html).toBe(400);
      expect(html).toMatch(/There is no (30 February 2027|month 13)/);
      const audit = await agent.get(`/admin/audit?from=${encodeURIComponent(expiresAt)}`);
      const auditHtml = await audit.text();
      expect(audit.status, auditHtml).toBe(400);
      expect(auditHtml).toMatch(/There is no (30 February 2027|month 13)/);
    }
    const tokens = await env.DB.prepare("SELECT count(*) AS n FROM api_tokens WHERE user_id = ?")
      .bind(admin.id)
      .first<{ n: number }>();
    expect(tokens?.n).toBe(0);
  });

  it("refuses a local time the clocks skip and reads a repeated one as its earlier instant", async () => {
    const { agent } = await signedInAdmin("Europe/Berlin");
    const { operator, tenant } = await operatorAndTenant();
    const skipped = await agent.post("/admin/memberships", {
      returnTo: "/admin/memberships",
      userEmail: operator.email,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "2027-03-28T02:30",
    });
    const html = await skipped.text();
    expect(skipped.status, html).toBe(400);
    expect(html).toContain("There is no 02:30 on 28 March 2027 in Europe/Berlin: the clocks go forward 60 minutes");
    expect(await liveMemberships(operator.id)).toEqual([]);
    const repeated = await agent.post("/admin/memberships", {
      returnTo: "/admin/memberships",
      userEmail: operator.email,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "2027-10-31T02:30",
    });
    expect(repeated.status, await summarizeResponse(repeated)).toBe(303);
    const [row] = await liveMemberships(operator.id);
    expect(row?.expires_at).toBe(Date.parse("2027-10-31T00:30:00Z"));
  });
});

describe("fields a form does not have", () => {
  it("refuses an unknown field on the invite form, re-rendering it, and creates nobody", async () => {
    const { agent } = await signedInAdmin();
    const email = uniqueEmail("unknown-field");
    const response = await agent.post("/admin/users", {
      email,
      firstName: "Un",
      lastName: "Known",
      role: "OPERATOR",
      slackId: "",
      isAdmin: "1",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain("This form has no field &quot;isAdmin&quot;.");
    expect(html).toContain(`value="${email}"`);
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("refuses an unknown field on a schema-read form with a human message, and changes nothing", async () => {
    const { agent } = await signedInAdmin();
    const slug = `unknown-${crypto.randomUUID().slice(0, 6)}`;
    const response = await agent.post("/admin/tenants", { name: "Unknown", slug, description: "", ownerId: "x" });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain("This form has no field &quot;ownerId&quot;.");
    expect(html).not.toContain("Unrecognized key");
    expect(await env.DB.prepare("SELECT id FROM tenants WHERE slug = ?").bind(slug).first()).toBeNull();
  });

  it("refuses an unknown field next to a membership and grants nothing", async () => {
    const { agent } = await signedInAdmin();
    const { operator, tenant } = await operatorAndTenant();
    const response = await agent.post("/admin/memberships", {
      returnTo: "/admin/memberships",
      userEmail: operator.email,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "",
      createdBy: "someone-else",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain("This form has no field &quot;createdBy&quot;.");
    expect(await liveMemberships(operator.id)).toEqual([]);
  });

  it("refuses a single-value field sent twice but keeps checkbox lists", async () => {
    const { agent } = await signedInAdmin();
    const target = await createActiveUser(clock, { role: "OPERATOR" });
    const twice = await agent.post(`/admin/users/${target.id}`, [
      ["firstName", "Twice"],
      ["lastName", "Sent"],
      ["displayName", "Twice Sent"],
      ["slackId", ""],
      ["role", "OPERATOR"],
      ["role", "SUPER_ADMIN"],
    ]);
    const html = await twice.text();
    expect(twice.status, html).toBe(400);
    expect(html).toContain("The field &quot;role&quot; was sent more than once.");
    const row = await env.DB.prepare("SELECT role, first_name FROM users WHERE id = ?").bind(target.id).first();
    expect(row).toEqual({ role: "OPERATOR", first_name: "Test" });
    const name = `Lists ${crypto.randomUUID().slice(0, 6)}`;
    const group = await agent.post("/admin/access-groups", [
      ["name", name],
      ["description", ""],
      ["permissions", "users:read"],
      ["permissions", "tenants:read"],
    ]);
    expect(group.status, await summarizeResponse(group)).toBe(303);
    const permissions = await env.DB.prepare(
      "SELECT p.permission FROM access_group_permissions p JOIN access_groups g ON g.id = p.group_id WHERE g.name = ? ORDER BY 1",
    )
      .bind(name)
      .all<{ permission: string }>();
    expect(permissions.results.map((r) => r.permission)).toEqual(["tenants:read", "users:read"]);
  });

  it("accepts the hidden username that password forms send for password managers", async () => {
    const { admin, agent } = await signedInAdmin();
    const response = await agent.post("/account/password", {
      username: admin.email,
      currentPassword: admin.password,
      newPassword: "a much longer passphrase 2027",
      newPasswordConfirmation: "a much longer passphrase 2027",
    });
    expect(response.status, await summarizeResponse(response)).toBe(303);
  });

  it("shows a human message for a missing or invalid choice, never zod's wording", async () => {
    const { agent } = await signedInAdmin();
    const target = await createActiveUser(clock, { role: "OPERATOR" });
    const details = { firstName: "Enum", lastName: "Case", displayName: "Enum Case", slackId: "" };
    const missing = await agent.post(`/admin/users/${target.id}`, details);
    const missingHtml = await missing.text();
    expect(missing.status, missingHtml).toBe(400);
    expect(missingHtml).toContain('id="field-role-error">This field is missing.');
    expect(missingHtml).not.toContain("nonoptional");
    const invalid = await agent.post(`/admin/users/${target.id}`, { ...details, role: "ROOT" });
    const invalidHtml = await invalid.text();
    expect(invalid.status, invalidHtml).toBe(400);
    expect(invalidHtml).toContain('id="field-role-error">Choose a global role.');
    const row = await env.DB.prepare("SELECT role, first_name FROM users WHERE id = ?").bind(target.id).first();
    expect(row).toEqual({ role: "OPERATOR", first_name: "Test" });
  });
});

describe("form bodies over 64 KiB", () => {
  it("refuses a sign-in form one byte over 64 KiB with 413 naming the limit, and signs nobody in", async () => {
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = new Agent(app);
    const prefix = `email=${encodeURIComponent(user.email)}&password=`;
    const response = await postBodyOfSize(agent, "/login", prefix, 64 * 1024 + 1);
    const html = await response.text();
    expect(response.status, html).toBe(413);
    expect(html).toContain("larger than the 64 KiB (65536 bytes) this route accepts");
    expect(response.headers.get("set-cookie")).toBeNull();
    const challenges = await env.DB.prepare("SELECT count(*) AS n FROM sign_in_challenges WHERE user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(challenges?.n).toBe(0);
  });

  it("refuses an admin form over 64 KiB before reading it, and reads one of exactly 64 KiB", async () => {
    const { agent } = await signedInAdmin();
    const slug = `big-${crypto.randomUUID().slice(0, 6)}`;
    const prefix = `name=Big&slug=${slug}&description=`;
    const over = await postBodyOfSize(agent, "/admin/tenants", prefix, 64 * 1024 + 1);
    expect(over.status, await summarizeResponse(over)).toBe(413);
    const atLimit = await postBodyOfSize(agent, "/admin/tenants", prefix, 64 * 1024);
    const html = await atLimit.text();
    expect(atLimit.status, html).toBe(400);
    expect(html).toContain("Use at most 2000 characters.");
    expect(await env.DB.prepare("SELECT id FROM tenants WHERE slug = ?").bind(slug).first()).toBeNull();
  });
});
