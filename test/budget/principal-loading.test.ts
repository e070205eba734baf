import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken } from "../../src/auth/crypto";
import { createD1Db } from "../../src/db/client";
import { loadPrincipal } from "../../src/domain/principal";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, signInAs } from "../helpers/factories";
import { countQueries, createCountingTestApp, QueryLog } from "../helpers/query-log";

async function lastSeenOf(sessionToken: string | undefined): Promise<number | undefined> {
  const row = await env.DB.prepare("SELECT last_seen_at FROM sessions WHERE id = ?")
    .bind(hashToken(sessionToken ?? ""))
    .first<{ last_seen_at: number }>();
  return row?.last_seen_at;
}

async function insertApiToken(userId: string, clock: TestClock, columns: { revokedAt?: number } = {}): Promise<string> {
  const token = generateToken();
  await env.DB.prepare(
    "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, revoked_at) VALUES (?, ?, 'budget test', ?, ?, ?)",
  )
    .bind(
      `tok_${crypto.randomUUID().slice(0, 8)}`,
      userId,
      hashToken(token),
      clock.now().getTime(),
      columns.revokedAt ?? null,
    )
    .run();
  return token;
}

async function lastUsedOf(token: string): Promise<number | null | undefined> {
  const row = await env.DB.prepare("SELECT last_used_at FROM api_tokens WHERE token_hash = ?")
    .bind(hashToken(token))
    .first<{
      last_used_at: number | null;
    }>();
  return row?.last_used_at;
}

describe("loading the caller", () => {
  it("records a session's activity at most once a minute, inside the one query that loads the caller", async () => {
    const clock = new TestClock();
    const log = new QueryLog();
    const app = createCountingTestApp(clock, log);
    const agent = await signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
    const signedInAt = clock.now().getTime();

    // The first query loads the caller and records the activity; whatever the page itself reads
    // (the home's attention counts) comes after, and never touches the session again.
    const sessionQueries = () =>
      log.queries.filter((query) => query.statements.some((sql) => sql.includes('"sessions"')));
    clock.advanceSeconds(30);
    log.reset();
    const early = await agent.get("/admin");
    expect(early.status, await summarizeResponse(early)).toBe(200);
    expect(await lastSeenOf(agent.sessionCookie())).toBe(signedInAt);
    expect(sessionQueries(), log.describe()).toEqual([log.queries[0]]);

    clock.advanceSeconds(31);
    log.reset();
    expect((await agent.get("/admin")).status).toBe(200);
    expect(await lastSeenOf(agent.sessionCookie())).toBe(clock.now().getTime());
    expect(sessionQueries(), log.describe()).toEqual([log.queries[0]]);
  });

  it("never revives a session that went idle", async () => {
    const clock = new TestClock();
    const app = createCountingTestApp(clock, new QueryLog());
    const agent = await signInAs(app, clock, await createActiveUser(clock));
    const cookie = agent.sessionCookie();
    const signedInAt = clock.now().getTime();
    clock.advanceSeconds(31 * 60);
    const response = await agent.get("/admin");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toContain("/login");
    expect(await lastSeenOf(cookie)).toBe(signedInAt);
  });

  it("records an API token's last use at most once a minute, and never for a revoked token", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await insertApiToken(user.id, clock);
    const revoked = await insertApiToken(user.id, clock, { revokedAt: clock.now().getTime() });
    const log = new QueryLog();
    const db = createD1Db(countQueries(env.DB, log));

    expect((await loadPrincipal(db, { kind: "api_token", token }, clock.now()))?.user.id).toBe(user.id);
    const firstUse = clock.now().getTime();
    expect(await lastUsedOf(token)).toBe(firstUse);
    clock.advanceSeconds(30);
    await loadPrincipal(db, { kind: "api_token", token }, clock.now());
    expect(await lastUsedOf(token)).toBe(firstUse);
    clock.advanceSeconds(31);
    await loadPrincipal(db, { kind: "api_token", token }, clock.now());
    expect(await lastUsedOf(token)).toBe(clock.now().getTime());
    expect(log.count, log.describe()).toBe(3);

    expect(await loadPrincipal(db, { kind: "api_token", token: revoked }, clock.now())).toBeNull();
    expect(await lastUsedOf(revoked)).toBeNull();
  });

  it("does not record use of a token whose account was deactivated", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await insertApiToken(user.id, clock);
    await env.DB.prepare("UPDATE users SET deactivated_at = ? WHERE id = ?").bind(clock.now().getTime(), user.id).run();
    expect(await loadPrincipal(createD1Db(env.DB), { kind: "api_token", token }, clock.now())).toBeNull();
    expect(await lastUsedOf(token)).toBeNull();
  });
});
