// docs/SECURITY.md "Token format": a token that cannot be one we issued is refused like any bad
// token, before any database read; tokens issued as gh_… before the format keep working until they
// expire or are revoked.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken } from "../../src/auth/crypto";
import { summarizeResponse } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";
import { createCountingTestApp, QueryLog } from "../helpers/query-log";

/** A token row as the previous release wrote it: shown as gh_ + 43 characters, stored as SHA-256 of the 43. */
async function insertLegacyApiToken(userId: string, clock: TestClock, expiresAt: number | null): Promise<string> {
  const random = generateToken();
  await env.DB.prepare(
    "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, 'legacy', ?, ?, ?)",
  )
    .bind(`tok_${crypto.randomUUID().replaceAll("-", "")}`, userId, hashToken(random), clock.now().getTime(), expiresAt)
    .run();
  return `gh_${random}`;
}

async function withoutRequestId(response: Response): Promise<Record<string, unknown>> {
  const { requestId: _requestId, ...body } = await response.json<Record<string, unknown>>();
  return body;
}

describe("API token format", () => {
  it("refuses a mistyped or truncated token with the usual 401 and no database query", async () => {
    const clock = new TestClock();
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const token = await createApiTokenFor(await signInAs(createTestApp(clock), clock, admin));
    const log = new QueryLog();
    const app = createCountingTestApp(clock, log);

    const good = await new ApiClient(app, token).call("GET", "/api/v1/me");
    expect(good.status, await summarizeResponse(good)).toBe(200);
    const unknown = withoutRequestId(
      await new ApiClient(app, token.replace("gthp_", "gthq_")).call("GET", "/api/v1/me"),
    );

    const last = token.at(-10) === "a" ? "b" : "a";
    for (const bad of [`${token.slice(0, -10)}${last}${token.slice(-9)}`, token.slice(0, -1), token.slice(3)]) {
      log.reset();
      const response = await new ApiClient(app, bad).call("GET", "/api/v1/me");
      expect(response.status, bad).toBe(401);
      expect(await withoutRequestId(response)).toEqual(await unknown);
      expect(log.count, log.describe()).toBe(0);
    }
  });

  it("keeps accepting a gh_ token issued before the format until it is revoked", async () => {
    const clock = new TestClock();
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const agent = await signInAs(createTestApp(clock), clock, admin);
    const legacy = await insertLegacyApiToken(admin.id, clock, null);
    const api = new ApiClient(createTestApp(clock), legacy);

    const before = await api.call("GET", "/api/v1/me");
    expect(before.status, await summarizeResponse(before)).toBe(200);
    const row = await env.DB.prepare("SELECT id FROM api_tokens WHERE token_hash = ?")
      .bind(hashToken(legacy.slice(3)))
      .first<{ id: string }>();
    expect((await agent.json("DELETE", `/api/v1/me/tokens/${row?.id}`)).status).toBe(204);
    expect((await api.call("GET", "/api/v1/me")).status).toBe(401);
  });

  it("keeps accepting a gh_ token issued before the format until it expires", async () => {
    const clock = new TestClock();
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const legacy = await insertLegacyApiToken(admin.id, clock, clock.now().getTime() + 3_600_000);
    const api = new ApiClient(createTestApp(clock), legacy);

    expect((await api.call("GET", "/api/v1/me")).status).toBe(200);
    clock.advanceSeconds(3601);
    expect((await api.call("GET", "/api/v1/me")).status).toBe(401);
  });
});
