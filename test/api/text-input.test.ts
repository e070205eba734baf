// docs/SECURITY.md "Text input": the API refuses control, direction-changing, unreadable and
// invisible-only text with 400 and the field's error, keeps line breaks only in multi-line fields,
// and stores what it accepts in NFC.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  signInAs,
  uniqueEmail,
} from "../helpers/factories";

const refusedNames: Array<[string, string, string]> = [
  ["a line break", "Eve\r\nBcc: victim@example.com", "cannot contain line breaks or control characters."],
  ["a C1 control", "Eve\u0085Bcc", "cannot contain line breaks or control characters."],
  ["a line separator", "Eve\u2028Bcc", "cannot contain line breaks or control characters."],
  ["a right-to-left override", "Eve\u202Eevil", "cannot contain characters that change the writing direction."],
  ["a directional isolate", "\u2067Eve\u2069", "cannot contain characters that change the writing direction."],
  ["only zero-width characters", "\u200B\uFEFF\u200D", "needs at least one visible character."],
  ["only a combining mark and a Hangul filler", "\u0301\u3164", "needs at least one visible character."],
  ["a lone surrogate", "Eve\uD800", "contains a character that could not be read; type it again."],
];

type Problem = { status: number; errors?: Array<{ field: string; message: string }> };

async function adminApi() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const agent = await signInAs(app, clock, admin);
  return { clock, app, admin, agent, api: new ApiClient(app, await createApiTokenFor(agent)) };
}

async function expectFieldRefused(response: Response, field: string, message: string) {
  const text = await response.text();
  expect(response.status, text).toBe(400);
  expect((JSON.parse(text) as Problem).errors).toContainEqual({ field, message });
}

function userByEmail(email: string) {
  return env.DB.prepare("SELECT first_name, last_name FROM users WHERE email = ?")
    .bind(email)
    .first<{ first_name: string; last_name: string }>();
}

describe("text sent to the API", () => {
  it.each(refusedNames)(
    "refuses a user whose first name has %s with 400 and the field's error",
    async (_case, firstName, message) => {
      const { api } = await adminApi();
      const email = uniqueEmail("text");
      const response = await api.call("POST", "/api/v1/users", { email, firstName, lastName: "Doe", role: "OPERATOR" });
      await expectFieldRefused(response, "firstName", `First name ${message}`);
      expect(await userByEmail(email)).toBeNull();
    },
  );

  it("accepts accented, non-Latin, apostrophe, hyphen and emoji names and stores and returns them in NFC", async () => {
    const { api } = await adminApi();
    const email = uniqueEmail("names");
    const created = await api.expectJson<{ user: { id: string; firstName: string; lastName: string } }>(
      "POST",
      "/api/v1/users",
      { email, firstName: "  Zoe\u0308 ", lastName: "Nu\u0301n\u0303ez-O'Brien 山田 🙂", role: "OPERATOR" },
      201,
    );
    expect(created.user).toMatchObject({ firstName: "Zo\u00eb", lastName: "N\u00fa\u00f1ez-O'Brien 山田 🙂" });
    expect(await userByEmail(email)).toEqual({ first_name: "Zo\u00eb", last_name: "N\u00fa\u00f1ez-O'Brien 山田 🙂" });
  });

  it("refuses a line break in a renamed user's last name and keeps the old name", async () => {
    const { api } = await adminApi();
    const email = uniqueEmail("rename");
    const created = await api.expectJson<{ user: { id: string } }>(
      "POST",
      "/api/v1/users",
      { email, firstName: "Ada", lastName: "Lovelace", role: "OPERATOR" },
      201,
    );
    const response = await api.call("PATCH", `/api/v1/users/${created.user.id}`, {
      lastName: "Lovelace\nBcc: x@example.com",
    });
    await expectFieldRefused(response, "lastName", "Last name cannot contain line breaks or control characters.");
    expect(await userByEmail(email)).toEqual({ first_name: "Ada", last_name: "Lovelace" });
  });

  it("reports a bulk invite row with a line break in a name as invalid and creates nothing for it", async () => {
    const { api } = await adminApi();
    const email = uniqueEmail("bulk");
    const body = await api.expectJson<{
      results: Array<{ status: string; errors?: Array<{ field: string; message: string }> }>;
    }>(
      "POST",
      "/api/v1/users/bulk",
      { users: [{ email, firstName: "Eve\r\nBcc: victim@example.com", lastName: "Doe" }] },
      200,
    );
    expect(body.results[0]).toMatchObject({ status: "invalid" });
    expect(body.results[0]?.errors).toContainEqual({
      field: "firstName",
      message: "First name cannot contain line breaks or control characters.",
    });
    expect(await userByEmail(email)).toBeNull();
  });

  it("refuses control and direction characters in tenant, group and token names", async () => {
    const { api, admin } = await adminApi();
    const slug = `text-${crypto.randomUUID().slice(0, 8)}`;
    await expectFieldRefused(
      await api.call("POST", "/api/v1/tenants", { name: "Acme\r\nBcc: x@example.com", slug }),
      "name",
      "Name cannot contain line breaks or control characters.",
    );
    expect(await env.DB.prepare("SELECT id FROM tenants WHERE slug = ?").bind(slug).first()).toBeNull();

    const groupName = `Ops\u202E ${crypto.randomUUID().slice(0, 8)}`;
    await expectFieldRefused(
      await api.call("POST", "/api/v1/access-groups", { name: groupName }),
      "name",
      "Name cannot contain characters that change the writing direction.",
    );
    expect(await env.DB.prepare("SELECT id FROM access_groups WHERE name = ?").bind(groupName).first()).toBeNull();

    await expectFieldRefused(
      await api.call("POST", "/api/v1/me/tokens", { name: "\u200B" }),
      "name",
      "Token name needs at least one visible character.",
    );
    const tokens = await env.DB.prepare("SELECT name FROM api_tokens WHERE user_id = ?")
      .bind(admin.id)
      .all<{ name: string }>();
    expect(tokens.results).toEqual([{ name: "test token" }]);
  });

  it("keeps line breaks in a tenant's description, stored in NFC, and refuses a NUL in it", async () => {
    const { api } = await adminApi();
    const slug = `text-${crypto.randomUUID().slice(0, 8)}`;
    const created = await api.expectJson<{ tenant: { id: string } }>(
      "POST",
      "/api/v1/tenants",
      { name: "Cafe\u0301 Co", slug, description: "First line\r\nSecond line" },
      201,
    );
    const row = await env.DB.prepare("SELECT name, description FROM tenants WHERE id = ?")
      .bind(created.tenant.id)
      .first();
    expect(row).toEqual({ name: "Caf\u00e9 Co", description: "First line\nSecond line" });
    await expectFieldRefused(
      await api.call("PATCH", `/api/v1/tenants/${created.tenant.id}`, { description: "Null\u0000byte" }),
      "description",
      "Description can hold line breaks but no other control characters.",
    );
    expect(
      await env.DB.prepare("SELECT description FROM tenants WHERE id = ?").bind(created.tenant.id).first(),
    ).toEqual({
      description: "First line\nSecond line",
    });
  });

  it("refuses a line break in an update's title and a client invite's name", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const app = createTestApp(clock);
    const tenant = await createTestTenant(clock, "Api Text");
    const writer = await createActiveUser(clock, { role: "OPERATOR" });
    await grantTestMembership(clock, { userId: writer.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
    const api = new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, writer)));

    await expectFieldRefused(
      await api.call("POST", `/api/v1/tenants/${tenant.id}/updates`, { title: "Hello\nworld", body: "Text" }),
      "title",
      "Title cannot contain line breaks or control characters.",
    );
    const updates = await env.DB.prepare("SELECT count(*) AS n FROM tenant_updates WHERE tenant_id = ?")
      .bind(tenant.id)
      .first();
    expect(updates).toEqual({ n: 0 });

    const email = uniqueEmail("client");
    await expectFieldRefused(
      await api.call("POST", `/api/v1/tenants/${tenant.id}/members`, {
        email,
        firstName: "Cleo",
        lastName: "Admin\u202E",
        role: "CLIENT_VIEWER",
      }),
      "lastName",
      "Last name cannot contain characters that change the writing direction.",
    );
    expect(await userByEmail(email)).toBeNull();
  });
});
