import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addressThrottleKey, recordAddressFailure } from "../../src/auth/throttle";
import { runBatch } from "../../src/db/batch";
import { createDbFromEnv } from "../../src/db/connect";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  inviteTestUser,
  signInAs,
  testPassword,
  uniqueEmail,
} from "../helpers/factories";
import { totpCode } from "../helpers/totp";

const genericFailure = "The email, password or code is not right, or this account cannot sign in.";
const refusedCode = "That code was not accepted: it is wrong or was already used.";
const refusedCodeAdvice = [
  "wait for the next code in your app (a new one every 30 seconds)",
  "if you just used it (to finish setting up or to sign in)",
  "one of your recovery codes",
];

async function passwordStep(agent: Agent, email: string, password: string) {
  const response = await agent.post("/login", { email, password });
  return { status: response.status, html: await response.text(), retryAfter: response.headers.get("retry-after") };
}

describe("sign-in", () => {
  it("answers wrong password, unknown email, pending and deactivated accounts identically", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const active = await createActiveUser(clock);
    const deactivated = await createActiveUser(clock);
    await env.DB.prepare("UPDATE users SET deactivated_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), deactivated.id)
      .run();
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
      expect(result.html).not.toContain(refusedCode);
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
  });

  it("answers a replayed TOTP code 401, with no session cookie", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const code = totpCode(user.totpSecret, clock.now());
    const first = new Agent(app);
    await passwordStep(first, user.email, user.password);
    expect((await first.post("/login/verify", { code })).status).toBe(303);

    const replay = new Agent(app);
    await passwordStep(replay, user.email, user.password);
    const refused = await replay.post("/login/verify", { code });

    expect(refused.status, await summarizeResponse(refused)).toBe(401);
    const html = await refused.text();
    expect(html).toContain(refusedCode);
    for (const advice of refusedCodeAdvice) expect(html).toContain(advice);
    expect(html).not.toContain(genericFailure);
    expect(replay.sessionCookie()).toBeUndefined();
  });

  it("tells a wrong code to wait for the next one or use a recovery code, not the password step's message", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agent = new Agent(app);
    await passwordStep(agent, user.email, user.password);
    const wrong = await agent.post("/login/verify", { code: "123456" });
    const html = await wrong.text();
    expect(wrong.status, html).toBe(401);
    expect(html).toContain(refusedCode);
    for (const advice of refusedCodeAdvice) expect(html).toContain(advice);
    expect(html).not.toContain(genericFailure);
    expect(agent.cookies.has("__Host-gatehouse_challenge")).toBe(true);
  });

  it("refuses the code that just finished setup, in the same 30 seconds, with the advice to wait for the next", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const agent = new Agent(app);
    await passwordStep(agent, user.email, user.password);
    const reused = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    const html = await reused.text();
    expect(reused.status, html).toBe(401);
    expect(html).toContain(refusedCode);
    expect(agent.sessionCookie()).toBeUndefined();
    clock.advanceSeconds(30);
    const next = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(next.status, await summarizeResponse(next)).toBe(303);
  });

  it("ends the challenge after five wrong codes", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agent = new Agent(app);
    await passwordStep(agent, user.email, user.password);
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await agent.post("/login/verify", { code: "000000" })).status).toBe(401);
    const sixth = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(sixth.status).toBe(400);
    expect(await sixth.text()).toContain("This sign-in attempt has ended");
    expect(agent.sessionCookie()).toBeUndefined();
    expect(agent.cookies.has("__Host-gatehouse_challenge")).toBe(false);
  });

  it("answers 429 with Retry-After to a locked account, even with the right password", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await passwordStep(new Agent(app), user.email, `wrong password ${attempt}`)).status).toBe(401);
    }
    const agent = new Agent(app);

    const locked = await passwordStep(agent, user.email, user.password);

    expect(locked.status, locked.html).toBe(429);
    expect(locked.retryAfter).toBe("900");
    expect(locked.html).toContain("Too many attempts");
    expect(agent.cookies.size).toBe(0);
  });

  it("counts failures against the request's client address and answers 429 once it is blocked", async () => {
    const clock = new TestClock();
    const [blocked, other] = ["198.51.100.23", "198.51.100.24"];
    const db = createDbFromEnv(env);
    await runBatch(
      db,
      Array.from({ length: 100 }, () => recordAddressFailure(db, addressThrottleKey(blocked), clock.now())),
    );

    const refused = await new Agent(createTestApp(clock, { clientAddress: () => blocked })).post("/login", {
      email: uniqueEmail("spray"),
      password: "a guess at it",
    });
    const counted = await new Agent(createTestApp(clock, { clientAddress: () => other })).post("/login", {
      email: uniqueEmail("spray"),
      password: "a guess at it",
    });

    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("900");
    expect(counted.status).toBe(401);
    const rows = await env.DB.prepare("SELECT key, failures FROM sign_in_throttles WHERE key IN (?, ?) ORDER BY key")
      .bind(addressThrottleKey(blocked), addressThrottleKey(other))
      .all();
    expect(rows.results).toEqual([
      { key: addressThrottleKey(blocked), failures: 100 },
      { key: addressThrottleKey(other), failures: 1 },
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
    expect(cookie).toMatch(
      /^__Host-gatehouse_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("sends a session that timed out to sign in, with the way back, and drops its cookie", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const agent = await signInAs(app, clock, user);
    clock.advanceSeconds(30 * 60);

    const response = await agent.get("/admin/users");

    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login?next=%2Fadmin%2Fusers");
    expect(agent.sessionCookie()).toBeUndefined();
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
      expect(signedIn.status, await summarizeResponse(signedIn)).toBe(303);
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
