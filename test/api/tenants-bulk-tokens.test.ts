import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agent } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, signInAs, uniqueEmail } from "../helpers/factories";

async function setup() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const agent = await signInAs(app, clock, admin);
  return { clock, app, admin, agent, api: new ApiClient(app, await createApiTokenFor(agent)) };
}

describe("/api/v1/tenants", () => {
  it("creates, reads, renames and lists tenants, refusing bad and taken slugs", async () => {
    const { api } = await setup();
    const slug = `acme-${crypto.randomUUID().slice(0, 6)}`;
    const created = await api.expectJson<{ tenant: { id: string; slug: string } }>(
      "POST",
      "/api/v1/tenants",
      { name: "Acme", slug },
      201,
    );
    expect(created.tenant.slug).toBe(slug);
    const taken = await api.expectJson<{ code: string; errors: Array<{ field: string }> }>(
      "POST",
      "/api/v1/tenants",
      { name: "Acme 2", slug },
      409,
    );
    expect(taken).toMatchObject({ code: "SLUG_TAKEN", errors: [{ field: "slug" }] });
    for (const bad of ["ab", "Upper-Case", "under_score", "x".repeat(64)]) {
      expect((await api.call("POST", "/api/v1/tenants", { name: "Bad", slug: bad })).status, bad).toBe(400);
    }
    const renamed = await api.expectJson<{ tenant: { name: string } }>(
      "PATCH",
      `/api/v1/tenants/${created.tenant.id}`,
      { name: "Acme Corporation" },
      200,
    );
    expect(renamed.tenant.name).toBe("Acme Corporation");
    const listed = await api.expectJson<{ items: Array<{ slug: string; memberCount: number }> }>(
      "GET",
      `/api/v1/tenants?query=${slug}`,
      undefined,
      200,
    );
    expect(listed.items).toEqual([expect.objectContaining({ slug, memberCount: 0 })]);
    expect((await api.call("GET", "/api/v1/tenants/tnt_missing")).status).toBe(404);
  });

  it("searches with long queries and LIKE wildcards taken literally", async () => {
    const { api } = await setup();
    const marker = crypto.randomUUID().slice(0, 8);
    await api.expectJson("POST", "/api/v1/tenants", { name: `Fifty_50% ${marker}`, slug: `fifty-${marker}` }, 201);
    const search = (query: string) =>
      api.expectJson<{ items: Array<{ slug: string }> }>(
        "GET",
        `/api/v1/tenants?query=${encodeURIComponent(query)}`,
        undefined,
        200,
      );
    expect((await search(`_50% ${marker}`)).items.map((item) => item.slug)).toEqual([`fifty-${marker}`]);
    expect((await search(`%${marker}`)).items, "% is not a wildcard").toEqual([]);
    expect((await search("x".repeat(100))).items, "D1 refuses LIKE patterns over 50 bytes").toEqual([]);
  });
});

describe("POST /api/v1/users/bulk", () => {
  it("reports created, exists and invalid per row, and creates nothing new when replayed", async () => {
    const { clock, api } = await setup();
    const tenant = await createTestTenant(clock);
    const existing = await createActiveUser(clock);
    const fresh = [uniqueEmail("bulk"), uniqueEmail("bulk")];
    const users = [
      {
        email: fresh[0],
        firstName: "Bulk",
        lastName: "One",
        role: "OPERATOR",
        memberships: [{ tenantId: tenant.id, role: "OPERATOR_FULL" }],
      },
      { email: existing.email.toUpperCase(), firstName: "Already", lastName: "Here" },
      { email: "broken", firstName: "", lastName: "X" },
      {
        email: fresh[1],
        firstName: "Bulk",
        lastName: "Two",
        role: "CONTRACTOR",
        memberships: [{ tenantId: tenant.id, role: "OPERATOR_FULL" }],
      },
      { email: fresh[0], firstName: "Dup", lastName: "Row" },
    ];
    const first = await api.expectJson<{ results: Array<Record<string, unknown>> }>(
      "POST",
      "/api/v1/users/bulk",
      { users },
      200,
    );
    expect(first.results.map((r) => r.status)).toEqual(["created", "exists", "invalid", "invalid", "invalid"]);
    expect(first.results[0]).toMatchObject({
      email: fresh[0],
      setupUrl: expect.stringContaining("/setup/"),
      userId: expect.any(String),
    });
    expect(first.results[1]).toMatchObject({ email: existing.email, userId: existing.id });
    expect(first.results[3]?.errors).toEqual([
      { field: "memberships.0.expiresAt", message: "Contractor memberships need an expiry date." },
    ]);
    const replay = await api.expectJson<{ results: Array<{ status: string }> }>(
      "POST",
      "/api/v1/users/bulk",
      { users },
      200,
    );
    expect(replay.results.map((r) => r.status)).toEqual(["exists", "exists", "invalid", "invalid", "exists"]);
    const counts = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email IN (?, ?)")
      .bind(fresh[0], fresh[1])
      .first<{ n: number }>();
    expect(counts?.n).toBe(1);
  });

  it("invites 500 users in one request within D1's parameter limit, each with a working link", async () => {
    const { api, app } = await setup();
    const marker = crypto.randomUUID().slice(0, 8);
    const users = Array.from({ length: 500 }, (_, i) => ({
      email: `bulk500.${marker}.${i}@example.test`,
      firstName: "Many",
      lastName: `N${i}`,
    }));
    const body = await api.expectJson<{ results: Array<{ status: string; setupUrl: string }> }>(
      "POST",
      "/api/v1/users/bulk",
      { users },
      200,
    );
    expect(body.results.filter((r) => r.status === "created")).toHaveLength(500);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email LIKE ?")
      .bind(`bulk500.${marker}.%`)
      .first<{ n: number }>();
    expect(count?.n).toBe(500);
    const audits = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events a JOIN users u ON u.id = a.target_id WHERE a.action = 'user.invited' AND u.email LIKE ?",
    )
      .bind(`bulk500.${marker}.%`)
      .first<{ n: number }>();
    expect(audits?.n).toBe(500);
    const last = body.results.at(-1)?.setupUrl as string;
    expect((await new Agent(app).get(new URL(last).pathname)).status).toBe(303);
    expect((await api.call("POST", "/api/v1/users/bulk", { users: [...users, users[0]] })).status).toBe(400);
  });
});

describe("personal API tokens", () => {
  it("shows a token once, stores only its hash, records its last use and revokes it", async () => {
    const { clock, agent, app } = await setup();
    const created = await agent.json("POST", "/api/v1/me/tokens", { name: "ci", expiresAt: "2026-12-31T00:00:00Z" });
    expect(created.status).toBe(201);
    const body = await created.json<{ token: string; id: string; name: string; expiresAt: string }>();
    expect(body.token).toMatch(/^gthp_[0-9A-Za-z]{49}$/);
    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?")
      .bind(body.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(body.token.slice(5, 48));
    const api = new ApiClient(app, body.token);
    expect((await api.call("GET", "/api/v1/me")).status).toBe(200);
    const listed = await (await agent.get("/api/v1/me/tokens")).json<{
      items: Array<{ id: string; lastUsedAt: string | null }>;
    }>();
    expect(listed.items.find((t) => t.id === body.id)?.lastUsedAt).toBe(clock.now().toISOString());
    expect(JSON.stringify(listed)).not.toContain(body.token);
    expect((await agent.json("DELETE", `/api/v1/me/tokens/${body.id}`)).status).toBe(204);
    expect((await api.call("GET", "/api/v1/me")).status).toBe(401);
  });

  it("refuses a 51st live token inside the write, and allows one again after a revocation", async () => {
    const { agent, admin } = await setup();
    const ids: string[] = [];
    // setup() already made one token; 49 more reach the limit of 50 live tokens.
    for (let index = 0; index < 49; index++) {
      const response = await agent.json("POST", "/api/v1/me/tokens", { name: `t${index}` });
      expect(response.status).toBe(201);
      ids.push((await response.json<{ id: string }>()).id);
    }
    const refused = await agent.json("POST", "/api/v1/me/tokens", { name: "one too many" });
    expect(refused.status).toBe(409);
    expect((await refused.json<{ detail: string }>()).detail).toBe("You have 50 tokens; revoke some first.");
    const live = await env.DB.prepare("SELECT count(*) AS n FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL")
      .bind(admin.id)
      .first<{ n: number }>();
    expect(live?.n).toBe(50);
    expect((await agent.json("DELETE", `/api/v1/me/tokens/${ids[0]}`)).status).toBe(204);
    expect((await agent.json("POST", "/api/v1/me/tokens", { name: "room again" })).status).toBe(201);
  });

  it("stops working at its expiry, and nobody else can revoke it", async () => {
    const { clock, agent, app } = await setup();
    const body = await (
      await agent.json("POST", "/api/v1/me/tokens", { name: "short", expiresAt: "2026-11-23T12:10:00Z" })
    ).json<{
      token: string;
      id: string;
    }>();
    const other = await createActiveUser(clock);
    const otherAgent = await signInAs(app, clock, other);
    expect((await otherAgent.json("DELETE", `/api/v1/me/tokens/${body.id}`)).status).toBe(404);
    clock.set("2026-11-23T12:10:00Z");
    expect((await new ApiClient(app, body.token).call("GET", "/api/v1/me")).status).toBe(401);
  });

  it("refuses cookie-authenticated API writes from another origin", async () => {
    const { agent } = await setup();
    const response = await agent.json(
      "POST",
      "/api/v1/me/tokens",
      { name: "csrf" },
      { origin: "https://evil.example" },
    );
    expect(response.status).toBe(403);
  });
});
