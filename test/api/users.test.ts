import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs, uniqueEmail } from "../helpers/factories";

async function adminApi() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const agent = await signInAs(app, clock, admin);
  const token = await createApiTokenFor(agent);
  return { clock, app, admin, agent, token, api: new ApiClient(app, token) };
}

describe("/api/v1/users", () => {
  it("invites a user and returns the user and the setup link once", async () => {
    const { api } = await adminApi();
    const email = uniqueEmail("api");
    const body = await api.expectJson<{ user: Record<string, unknown>; setupUrl: string }>(
      "POST",
      "/api/v1/users",
      { email: email.toUpperCase(), firstName: "Api", lastName: "Person", role: "OPERATOR" },
      201,
    );
    expect(body.user).toMatchObject({ email, status: "PENDING", role: "OPERATOR", slackId: null, lastLoginAt: null });
    expect(body.setupUrl).toMatch(/^http:\/\/localhost:8787\/setup\/[A-Za-z0-9_-]{43}$/);
    const fetched = await api.expectJson<{ user: Record<string, unknown> }>(
      "GET",
      `/api/v1/users/${body.user.id}`,
      undefined,
      200,
    );
    expect(fetched.user).toEqual(body.user);
  });

  it("refuses unknown fields, wrong types and other content types with problem details", async () => {
    const { api } = await adminApi();
    const unknown = await api.call("POST", "/api/v1/users", {
      email: uniqueEmail(),
      firstName: "A",
      lastName: "B",
      role: "OPERATOR",
      isAdmin: true,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    const problem = await unknown.json<{
      errors: Array<{ field: string; message: string }>;
      title: string;
      status: number;
      type: string;
      detail: string;
    }>();
    expect(problem).toMatchObject({ status: 400, title: "Some fields are not valid" });
    expect(problem.errors.some((error) => error.message.includes("isAdmin"))).toBe(true);
    const invalid = await api.call("POST", "/api/v1/users", { email: "nope", firstName: "", lastName: "B" });
    const fields = (await invalid.json<{ errors: Array<{ field: string }> }>()).errors
      .map((error) => error.field)
      .sort();
    expect(fields).toEqual(["email", "firstName"]);
    const form = await api.call("POST", "/api/v1/users", undefined, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
    const text = await api.call("POST", "/api/v1/users", undefined, { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    const broken = await api.call("POST", "/api/v1/users", undefined, { "content-type": "application/json" });
    expect([400, 415]).toContain(broken.status);
  });

  it("refuses a body sent without a Content-Type with 415", async () => {
    const { app, token } = await adminApi();
    const response = await app.request(
      "http://localhost:8787/api/v1/users",
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: new TextEncoder().encode(JSON.stringify({ email: uniqueEmail() })),
      },
      env,
    );
    expect(response.status).toBe(415);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("searches with long queries and LIKE wildcards taken literally", async () => {
    const { api } = await adminApi();
    const marker = crypto.randomUUID().slice(0, 8);
    const email = uniqueEmail(`under_${marker}`);
    await api.expectJson("POST", "/api/v1/users", { email, firstName: "Percent", lastName: `100%_${marker}` }, 201);
    const search = (query: string) =>
      api.expectJson<{ items: Array<{ email: string }> }>(
        "GET",
        `/api/v1/users?query=${encodeURIComponent(query)}`,
        undefined,
        200,
      );
    expect((await search(`under_${marker}`)).items.map((user) => user.email)).toEqual([email]);
    expect((await search(`100%_${marker}`)).items.map((user) => user.email)).toEqual([email]);
    expect((await search(`100__${marker}`)).items, "_ is not a wildcard").toEqual([]);
    expect((await search("y".repeat(200))).items, "D1 refuses LIKE patterns over 50 bytes").toEqual([]);
  });

  it("answers 409 with the existing user for an email in use", async () => {
    const { api } = await adminApi();
    const email = uniqueEmail("taken");
    const first = await api.expectJson<{ user: { id: string } }>(
      "POST",
      "/api/v1/users",
      { email, firstName: "A", lastName: "B" },
      201,
    );
    const problem = await api.expectJson<Record<string, unknown>>(
      "POST",
      "/api/v1/users",
      { email: ` ${email.toUpperCase()}`, firstName: "A", lastName: "B" },
      409,
    );
    expect(problem).toMatchObject({
      title: "Email already in use",
      existingUserId: first.user.id,
      existingUserStatus: "PENDING",
    });
  });

  it("lists with filters and cursor pagination", async () => {
    const { api, clock } = await adminApi();
    const marker = `pager${crypto.randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 5; i++) {
      clock.advanceSeconds(1);
      await api.expectJson(
        "POST",
        "/api/v1/users",
        { email: uniqueEmail(marker), firstName: marker, lastName: `N${i}`, role: "CONTRACTOR" },
        201,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/users?query=${marker}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page: { items: Array<{ lastName: string }>; nextCursor: string | null } = await api.expectJson(
        "GET",
        query,
        undefined,
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((user) => user.lastName));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["N4", "N3", "N2", "N1", "N0"]);
    const filtered = await api.expectJson<{ items: unknown[] }>(
      "GET",
      `/api/v1/users?query=${marker}&role=OPERATOR`,
      undefined,
      200,
    );
    expect(filtered.items).toHaveLength(0);
    const pending = await api.expectJson<{ items: unknown[] }>(
      "GET",
      `/api/v1/users?query=${marker}&status=PENDING`,
      undefined,
      200,
    );
    expect(pending.items).toHaveLength(5);
    expect((await api.call("GET", "/api/v1/users?limit=101")).status).toBe(400);
    expect((await api.call("GET", "/api/v1/users?cursor=garbage")).status).toBe(400);
  });

  it("updates details and refuses a role change that clashes with memberships, listing them", async () => {
    const { api } = await adminApi();
    const tenant = await api.expectJson<{ tenant: { id: string } }>(
      "POST",
      "/api/v1/tenants",
      { name: "Clash Co", slug: `clash-${crypto.randomUUID().slice(0, 6)}` },
      201,
    );
    const invited = await api.expectJson<{ user: { id: string } }>(
      "POST",
      "/api/v1/users",
      {
        email: uniqueEmail("clash"),
        firstName: "Op",
        lastName: "Erator",
        memberships: [{ tenantId: tenant.tenant.id, role: "OPERATOR_FULL" }],
      },
      201,
    );
    const patched = await api.expectJson<{ user: Record<string, unknown> }>(
      "PATCH",
      `/api/v1/users/${invited.user.id}`,
      { firstName: "Opal", slackId: "U0ABCDEF" },
      200,
    );
    expect(patched.user).toMatchObject({ firstName: "Opal", slackId: "U0ABCDEF" });
    const clash = await api.expectJson<{ conflictingMemberships: Array<{ role: string; tenantId: string }> }>(
      "PATCH",
      `/api/v1/users/${invited.user.id}`,
      { role: "CLIENT_USER" },
      409,
    );
    expect(clash.conflictingMemberships).toEqual([
      expect.objectContaining({ role: "OPERATOR_FULL", tenantId: tenant.tenant.id }),
    ]);
    const contractor = await api.expectJson<{ detail: string }>(
      "PATCH",
      `/api/v1/users/${invited.user.id}`,
      { role: "CONTRACTOR" },
      409,
    );
    expect(contractor.detail).toContain("no expiry");
    const row = await env.DB.prepare("SELECT role FROM users WHERE id = ?")
      .bind(invited.user.id)
      .first<{ role: string }>();
    expect(row?.role).toBe("OPERATOR");
  });

  it("never lets the last active SUPER_ADMIN be deactivated or demoted", async () => {
    // A fresh test file's storage holds other admins too, so make this admin the only active one first.
    const { api, admin } = await adminApi();
    await env.DB.prepare("UPDATE users SET deactivated_at = 1 WHERE role = 'SUPER_ADMIN' AND id != ?")
      .bind(admin.id)
      .run();
    const second = await api.expectJson<{ user: { id: string } }>(
      "POST",
      "/api/v1/users",
      { email: uniqueEmail("second"), firstName: "Sec", lastName: "Ond", role: "SUPER_ADMIN" },
      201,
    );
    const demote = await api.expectJson<{ title: string }>(
      "PATCH",
      `/api/v1/users/${admin.id}`,
      { role: "OPERATOR" },
      409,
    );
    expect(demote.title).toContain("Make someone else a Super admin first");
    // The pending second SUPER_ADMIN does not count as active.
    expect(second.user.id).toBeDefined();
    const row = await env.DB.prepare("SELECT role, deactivated_at FROM users WHERE id = ?").bind(admin.id).first();
    expect(row).toEqual({ role: "SUPER_ADMIN", deactivated_at: null });
  });
});

describe("searching users", () => {
  it("finds a substring of the email, first, last or display name, and treats % and _ literally", async () => {
    const { api } = await adminApi();
    const marker = `zq${crypto.randomUUID().slice(0, 6)}`;
    const created = [
      { email: `${marker}.alpha@example.test`, firstName: "Ann", lastName: "Alpha" },
      { email: uniqueEmail("beta"), firstName: `Bo${marker}`, lastName: "Beta" },
      { email: uniqueEmail("gamma"), firstName: "Gus", lastName: `Gam${marker}ma` },
      { email: uniqueEmail("under"), firstName: "Under", lastName: `${marker}_x` },
    ];
    for (const user of created) await api.expectJson("POST", "/api/v1/users", user, 201);
    const names = async (query: string) =>
      (
        await api.expectJson<{ items: Array<{ lastName: string }> }>(
          "GET",
          `/api/v1/users?query=${encodeURIComponent(query)}`,
          undefined,
          200,
        )
      ).items
        .map((user) => user.lastName)
        .sort();
    expect(await names(marker.toUpperCase())).toEqual(["Alpha", "Beta", `Gam${marker}ma`, `${marker}_x`].sort());
    expect(await names(`${marker}_`)).toEqual([`${marker}_x`]);
    expect(await names(`${marker}%`)).toEqual([]);
    expect(await names(`gus gam${marker}`)).toEqual([`Gam${marker}ma`]);
  });
});
