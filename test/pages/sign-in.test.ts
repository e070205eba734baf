import { env } from "cloudflare:test";
import { expect, it, describe as suite } from "vitest";
import { Agent, describe } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, inviteTestUser, signInAs, testPassword, uniqueEmail } from "../helpers/factories";
import { totpCode } from "../helpers/totp";

const genericFailure = "The email, password or code is not right, or this account cannot sign in.";

async function passwordStep(agent: Agent, email: string, password: string) {
  const response = await agent.post("/login", { email, password });
  return { status: response.status, html: await response.text(), retryAfter: response.headers.get("retry-after") };
}

function auditRows(targetId: string) {
  return env.DB.prepare("SELECT action, details FROM audit_events WHERE target_id = ? ORDER BY id")
    .bind(targetId)
    .all<{ action: string; details: string }>();
}

suite("sign-in", () => {
  it("answers wrong password, unknown email, pending and deactivated accounts identically", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const active = await createActiveUser(clock);
    const deactivated = await createActiveUser(clock);
    await env.DB.prepare("UPDATE users SET deactivated_at = ? WHERE id = ?").bind(clock.now().getTime(), deactivated.id).run();
    const pending = await inviteTestUser(clock);
    const attempts = [
      [active.email, "wrong password entirely"],
      [uniqueEmail("nobody"), testPassword],
      [pending.user.email, testPassword],
      [deactivated.email, testPassword],
    ] as const;
    const answers = [];
    for (const [email, password] of attempts) {
      const agent = new Agent(app);
      const result = await passwordStep(agent, email, password);
      expect(result.status, result.html).toBe(401);
      expect(result.html).toContain(genericFailure);
      expect(agent.cookies.size).toBe(0);
      answers.push(result.html.replace(/value="[^"]*@[^"]*"/, ""));
    }
    expect(new Set(answers).size).toBe(1);
  });

  it("issues no session after the password alone, and none for a wrong code", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agent = new Agent(app);
    expect((await passwordStep(agent, user.email, user.password)).status).toBe(303);
    expect(agent.sessionCookie()).toBeUndefined();
    expect((await agent.get("/admin")).status).toBe(303);
    const wrong = await agent.post("/login/verify", { code: "123456" });
    expect(wrong.status).toBe(401);
    expect(agent.sessionCookie()).toBeUndefined();
    const empty = await agent.post("/login/verify", { code: "" });
    expect(empty.status).toBe(401);
    const right = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/admin");
    expect(agent.sessionCookie()).toBeDefined();
    const row = await env.DB.prepare("SELECT last_login_at FROM users WHERE id = ?").bind(user.id).first<{ last_login_at: number }>();
    expect(row?.last_login_at).toBe(clock.now().getTime());
  });

  it("never accepts the same TOTP code twice, even in two concurrent sign-ins", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agents = [new Agent(app), new Agent(app), new Agent(app)];
    for (const agent of agents) expect((await passwordStep(agent, user.email, user.password)).status).toBe(303);
    const code = totpCode(user.totpSecret, clock.now());
    const results = await Promise.all(agents.map((agent) => agent.post("/login/verify", { code })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 401, 401]);
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?").bind(user.id).first<{ n: number }>();
    expect(sessions?.n).toBe(2); // one from setup, one from this sign-in
    const replay = new Agent(app);
    await passwordStep(replay, user.email, user.password);
    expect((await replay.post("/login/verify", { code })).status).toBe(401);
    const actions = (await auditRows(user.id)).results.map((row) => row.action);
    expect(actions).toContain("session.totp_replay_refused");
  });

  it("ends the challenge after five wrong codes", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agent = new Agent(app);
    await passwordStep(agent, user.email, user.password);
    for (let attempt = 0; attempt < 5; attempt++) expect((await agent.post("/login/verify", { code: "000000" })).status).toBe(401);
    const sixth = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(sixth.status).toBe(400);
    expect(await sixth.text()).toContain("This sign-in attempt has ended");
    expect(agent.sessionCookie()).toBeUndefined();
  });

  it("ends the challenge after ten minutes", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const agent = new Agent(app);
    await passwordStep(agent, user.email, user.password);
    clock.advanceSeconds(600);
    expect((await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) })).status).toBe(400);
  });

  it("signs in with a recovery code exactly once", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const code = (user.recoveryCodes[0] as string).toUpperCase().replace("-", " ");
    const first = new Agent(app);
    await passwordStep(first, user.email, user.password);
    expect((await first.post("/login/verify", { code })).status).toBe(303);
    const second = new Agent(app);
    await passwordStep(second, user.email, user.password);
    expect((await second.post("/login/verify", { code })).status).toBe(401);
    const used = await env.DB.prepare("SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NOT NULL")
      .bind(user.id)
      .first<{ n: number }>();
    expect(used?.n).toBe(1);
  });

  it("locks an account for 15 minutes after 10 failures, refusing even the right password, then releases it", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await passwordStep(new Agent(app), user.email, `wrong password ${attempt}`)).status).toBe(401);
    }
    const locked = await passwordStep(new Agent(app), user.email, user.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBe(900);
    expect(locked.html).toContain("Too many attempts");
    const actions = (await auditRows(user.id)).results.map((row) => row.action);
    expect(actions.filter((action) => action === "session.account_locked")).toHaveLength(1);

    clock.advanceSeconds(899);
    expect((await passwordStep(new Agent(app), user.email, user.password)).status).toBe(429);
    clock.advanceSeconds(1);
    const released = await signInAs(app, clock, user);
    expect((await released.get("/admin")).status).toBe(200);
    const throttle = await env.DB.prepare("SELECT count(*) AS n FROM sign_in_throttles WHERE key = ?")
      .bind(`account:${user.email}`)
      .first<{ n: number }>();
    expect(throttle?.n).toBe(0);
  });

  it("locks an unknown email exactly like a real one", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const email = uniqueEmail("ghost");
    for (let attempt = 0; attempt < 10; attempt++) expect((await passwordStep(new Agent(app), email, "whatever it is")).status).toBe(401);
    const locked = await passwordStep(new Agent(app), email, "whatever it is");
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBe("900");
  });

  it("counts wrong codes toward the account lock", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    for (let round = 0; round < 2; round++) {
      const agent = new Agent(app);
      await passwordStep(agent, user.email, user.password);
      for (let attempt = 0; attempt < 5; attempt++) await agent.post("/login/verify", { code: "000000" });
    }
    expect((await passwordStep(new Agent(app), user.email, user.password)).status).toBe(429);
  });

  // A hundred failed sign-ins take seconds alone and several times that on a busy two-core machine.
  it("throttles a client address that fails too often, across accounts", { timeout: 60_000 }, async () => {
    const clock = new TestClock();
    const app = createTestApp(clock, { clientAddress: () => "198.51.100.23" });
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await new Agent(app).post("/login", { email: uniqueEmail("spray"), password: "a guess at it" });
      expect(response.status).toBe(401);
    }
    const blocked = await new Agent(app).post("/login", { email: uniqueEmail("spray"), password: "a guess at it" });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const elsewhere = createTestApp(clock, { clientAddress: () => "198.51.100.24" });
    expect((await new Agent(elsewhere).post("/login", { email: uniqueEmail("spray"), password: "a guess at it" })).status).toBe(401);
    const rows = await env.DB.prepare(
      "SELECT key, failures FROM sign_in_throttles WHERE key LIKE 'address:198.51.100.%' ORDER BY key",
    ).all();
    expect(rows.results).toEqual([
      { key: "address:198.51.100.23", failures: 100 },
      { key: "address:198.51.100.24", failures: 1 },
    ]);
  });

  it("sets the session cookie __Host-, Secure, HttpOnly, SameSite=Lax, Path=/", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agent = new Agent(app);
    await passwordStep(agent, user.email, user.password);
    const response = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith("__Host-gatehouse_session="));
    expect(cookie).toMatch(/^__Host-gatehouse_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("expires sessions after 30 idle minutes and after 12 hours whatever the activity", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const idle = await signInAs(app, clock, user);
    clock.advanceSeconds(29 * 60);
    expect((await idle.get("/admin")).status).toBe(200);
    clock.advanceSeconds(30 * 60);
    expect((await idle.get("/admin")).status).toBe(303);

    const busy = await signInAs(app, clock, user);
    for (let step = 1; step <= 28; step++) {
      clock.advanceSeconds(25 * 60);
      expect((await busy.get("/admin")).status, `after ${step * 25} minutes`).toBe(200);
    }
    clock.advanceSeconds(25 * 60);
    expect((await busy.get("/admin")).status, "after 725 minutes").toBe(303);
  });

  it("signs out with a POST that deletes the session server-side", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const agent = await signInAs(app, clock, user);
    const stolen = agent.sessionCookie() as string;
    expect((await agent.get("/logout")).status).toBe(404);
    expect((await agent.post("/logout", {})).status).toBe(303);
    const replayed = new Agent(app);
    replayed.cookies.set("__Host-gatehouse_session", stolen);
    expect((await replayed.get("/admin")).status).toBe(303);
  });

  it("returns to a same-origin ?next= path and ignores anything else", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const cases: Array<[string, string]> = [
      ["/admin/users?role=OPERATOR", "/admin/users?role=OPERATOR"],
      ["//evil.example/x", "/admin"],
      ["https://evil.example/", "/admin"],
      ["/\\evil.example", "/admin"],
      ["javascript:alert(1)", "/admin"],
      ["/login/..//evil.example", "/admin"],
      ["/admin/./..//evil.example/x", "/admin"],
    ];
    for (const [next, expected] of cases) {
      clock.advanceSeconds(30);
      const agent = new Agent(app);
      await agent.post("/login", { email: user.email, password: user.password, next });
      const response = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()), next });
      expect(response.headers.get("location"), next).toBe(expected);
    }
  });

  it("lands staff on the console and client users on the portal, after the code, at / and at /login", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const cases = [
      [await createActiveUser(clock, { role: "OPERATOR" }), "/admin"],
      [await createActiveUser(clock, { role: "CLIENT_USER" }), "/portal"],
    ] as const;
    for (const [user, landing] of cases) {
      clock.advanceSeconds(30);
      const agent = new Agent(app);
      await passwordStep(agent, user.email, user.password);
      const signedIn = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
      expect(signedIn.status, await describe(signedIn)).toBe(303);
      expect(signedIn.headers.get("location"), user.role).toBe(landing);
      expect((await agent.get("/")).headers.get("location"), user.role).toBe(landing);
      expect((await agent.get("/login")).headers.get("location"), user.role).toBe(landing);
    }
  });

  it("sends people who are not signed in to the sign-in page with the way back", async () => {
    const clock = new TestClock();
    const response = await new Agent(createTestApp(clock)).get("/admin/users?query=ana");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login?next=%2Fadmin%2Fusers%3Fquery%3Dana");
    const login = await new Agent(createTestApp(clock)).get("/login?next=%2Fadmin%2Fusers");
    expect(await login.text()).toContain('name="next" value="/admin/users"');
  });
});
