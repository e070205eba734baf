// Passkeys at sign-in through the pages (docs/PASSKEYS.md "Sign-in"): "Sign in with a passkey" on
// /login, a passkey as the step after the password, and the passkey policy at sign-in. The
// software authenticator answers as a browser would, and misbehaves where Chromium will not
// (a replayed answer, another browser, another origin or RP id, a counter going back).
import { describe, expect, it } from "vitest";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { type ActiveTestUser, createActiveUser, createTestApp, uniqueAddress } from "../helpers/factories";
import {
  answerPasskeyCeremony,
  fetchPasskeyOptions,
  registerTestPasskey,
  requirePasskeysFor,
} from "../helpers/passkeys";
import { challengeOf, SoftwareAuthenticator } from "../helpers/software-authenticator";
import { rawDb } from "../helpers/store";
import { totpCode } from "../helpers/totp";

const refused = "That passkey was not accepted. Try again, or use another way to sign in.";
const signInPaths = { options: "/login/passkey/options", submit: "/login/passkey" };
const secondStepPaths = { options: "/login/verify/passkey/options", submit: "/login/verify/passkey" };
const passkeyCookie = "__Host-gatehouse_passkey";

let currentAddress = "";

/** The app from a client address of this test's own, so throttles and audit rows of other tests stay apart. */
function testApp(clock: TestClock) {
  const address = uniqueAddress();
  currentAddress = address;
  return createTestApp(clock, { clientAddress: () => address });
}

async function latestSession(userId: string) {
  return rawDb
    .prepare(
      "SELECT sign_in_method, passkey_enrolment_required FROM sessions WHERE user_id = ? ORDER BY rowid DESC LIMIT 1",
    )
    .bind(userId)
    .first<{ sign_in_method: string; passkey_enrolment_required: number }>();
}

async function auditDetails(action: string, userId: string): Promise<Array<Record<string, unknown>>> {
  const rows = await rawDb
    .prepare("SELECT details FROM audit_events WHERE action = ? AND target_id = ? ORDER BY id")
    .bind(action, userId)
    .all<{ details: string }>();
  return rows.results.map((row) => JSON.parse(row.details) as Record<string, unknown>);
}

/** Refused passkeys of this reason from the current test's address (audit rows, with or without a target). */
async function countFailuresFor(reason: string): Promise<number> {
  const row = await rawDb
    .prepare(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'session.sign_in_failed' AND json_extract(details, '$.reason') = ? AND ip = ?",
    )
    .bind(reason, currentAddress)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function passwordStep(agent: Agent, user: ActiveTestUser): Promise<void> {
  const response = await agent.post("/login", { email: user.email, password: user.password });
  expect(response.status, await summarizeResponse(response)).toBe(303);
  expect(response.headers.get("location")).toBe("/login/verify");
}

async function expectRefusedOnLogin(response: Response): Promise<void> {
  const html = await response.text();
  expect(response.status, html).toBe(401);
  expect(html).toContain(refused);
}

/** A user with a passkey, the authenticator holding it, and the app; the clock a TOTP step past setup. */
async function userWithPasskey(clock: TestClock, options: { syncedCounter?: boolean } = {}) {
  const user = await createActiveUser(clock);
  const authenticator = new SoftwareAuthenticator(options);
  const passkey = await registerTestPasskey(clock, user, { name: "Work laptop", authenticator });
  clock.advanceSeconds(30);
  return { user, authenticator, passkey, app: testApp(clock) };
}

describe("Sign in with a passkey", () => {
  it("offers the passkey form below the password form, with an 'or' between them", async () => {
    const clock = new TestClock();
    const html = await (await new Agent(testApp(clock)).get("/login?next=%2Fadmin%2Fusers")).text();
    const passwordForm = html.indexOf('action="/login"');
    const separator = html.indexOf('class="or-separator"');
    const passkeyForm = html.indexOf('id="passkey-sign-in"');
    expect(passwordForm).toBeGreaterThan(0);
    expect(separator).toBeGreaterThan(passwordForm);
    expect(passkeyForm).toBeGreaterThan(separator);
    expect(html).toContain('data-passkey-options="/login/passkey/options"');
    expect(html).toContain("Sign in with a passkey");
  });

  it("issues request options that need user verification and name no credential, bound to a new passkey cookie", async () => {
    const clock = new TestClock();
    const agent = new Agent(testApp(clock));
    const { status, body } = await fetchPasskeyOptions(agent, signInPaths.options, { next: "" });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ rpId: "localhost", allowCredentials: [], userVerification: "required" });
    expect(agent.cookies.get(passkeyCookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await rawDb
      .prepare("SELECT purpose, user_id FROM passkey_challenges ORDER BY created_at DESC, rowid DESC LIMIT 1")
      .first();
    expect(stored).toEqual({ purpose: "sign_in", user_id: null });
  });

  it("signs in with a passkey alone, as method passkey, audited with the passkey's name, and drops the passkey cookie", async () => {
    const clock = new TestClock();
    const { user, authenticator, passkey, app } = await userWithPasskey(clock);
    const agent = new Agent(app);
    const response = await answerPasskeyCeremony(agent, signInPaths, authenticator, { form: { next: "/admin/users" } });
    expect(response.status, await summarizeResponse(response)).toBe(303);
    expect(response.headers.get("location")).toBe("/admin/users");
    expect(agent.sessionCookie()).toBeDefined();
    expect(agent.cookies.has(passkeyCookie)).toBe(false);
    expect(await latestSession(user.id)).toEqual({ sign_in_method: "passkey", passkey_enrolment_required: 0 });
    expect(await auditDetails("session.signed_in", user.id)).toContainEqual({
      method: "passkey",
      factor: "passkey",
      passkeyId: passkey.id,
      passkeyName: "Work laptop",
    });
    const row = await rawDb
      .prepare("SELECT sign_count, last_used_at FROM passkeys WHERE id = ?")
      .bind(passkey.id)
      .first();
    expect(row).toEqual({ sign_count: 1, last_used_at: clock.now().getTime() });
    expect((await agent.get("/admin")).status).toBe(200);
  });

  it("refuses an assertion without user verification", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    const agent = new Agent(app);
    await expectRefusedOnLogin(
      await answerPasskeyCeremony(agent, signInPaths, authenticator, { overrides: { userVerified: false } }),
    );
    expect(agent.sessionCookie()).toBeUndefined();
    expect(await auditDetails("session.sign_in_failed", user.id)).toContainEqual(
      expect.objectContaining({ factor: "passkey", reason: "user_not_verified" }),
    );
  });

  it("refuses the same credential JSON twice: the challenge is gone after the first answer", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    const agent = new Agent(app);
    const { body } = await fetchPasskeyOptions(agent, signInPaths.options);
    const binding = agent.cookies.get(passkeyCookie) as string;
    const credential = await authenticator.authenticate(body as never);
    expect((await agent.post(signInPaths.submit, { credential })).status).toBe(303);

    const replay = new Agent(app);
    replay.cookies.set(passkeyCookie, binding);
    await expectRefusedOnLogin(await replay.post(signInPaths.submit, { credential }));
    expect(replay.sessionCookie()).toBeUndefined();
    expect(await countFailuresFor("challenge_unknown")).toBe(1);
    expect(await auditDetails("session.signed_in", user.id)).toHaveLength(1);
  });

  it("refuses an answer to a challenge issued to another browser", async () => {
    const clock = new TestClock();
    const { authenticator, app } = await userWithPasskey(clock);
    const victim = new Agent(app);
    const { body } = await fetchPasskeyOptions(victim, signInPaths.options);
    const credential = await authenticator.authenticate(body as never);
    const attacker = new Agent(app);
    await fetchPasskeyOptions(attacker, signInPaths.options);
    await expectRefusedOnLogin(await attacker.post(signInPaths.submit, { credential }));
    const withoutCookie = new Agent(app);
    await expectRefusedOnLogin(await withoutCookie.post(signInPaths.submit, { credential }));
    expect(attacker.sessionCookie() ?? withoutCookie.sessionCookie()).toBeUndefined();
    // The challenge was not consumed by the wrong browser: its own browser still signs in with it.
    expect((await victim.post(signInPaths.submit, { credential })).status).toBe(303);
    expect(challengeOf(credential)).toBe(body.challenge);
  });

  it("refuses an assertion made for another origin or another RP id", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    for (const overrides of [{ origin: "https://gatehouse.evil.example" }, { rpId: "evil.example" }]) {
      const agent = new Agent(app);
      await expectRefusedOnLogin(await answerPasskeyCeremony(agent, signInPaths, authenticator, { overrides }));
      expect(agent.sessionCookie()).toBeUndefined();
    }
    const reasons = (await auditDetails("session.sign_in_failed", user.id)).map((details) => details.reason);
    expect(reasons).toEqual(["wrong_relying_party"]);
    // Another origin is refused before the challenge names anyone: audited without a target.
    expect(await countFailuresFor("wrong_origin")).toBe(1);
  });

  it("refuses a counter that went backwards and audits a suspected clone", async () => {
    const clock = new TestClock();
    const { user, authenticator, passkey, app } = await userWithPasskey(clock);
    const first = new Agent(app);
    expect(
      (await answerPasskeyCeremony(first, signInPaths, authenticator, { overrides: { signCount: 5 } })).status,
    ).toBe(303);
    const clone = new Agent(app);
    await expectRefusedOnLogin(
      await answerPasskeyCeremony(clone, signInPaths, authenticator, { overrides: { signCount: 3 } }),
    );
    expect(clone.sessionCookie()).toBeUndefined();
    expect(await auditDetails("session.passkey_counter_regressed", user.id)).toEqual([
      { passkeyId: passkey.id, passkeyName: "Work laptop", storedCount: 5 },
    ]);
  });

  it("accepts a synced passkey's counter of 0 again and again", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock, { syncedCounter: true });
    for (let round = 0; round < 2; round++) {
      const agent = new Agent(app);
      const response = await answerPasskeyCeremony(agent, signInPaths, authenticator);
      expect(response.status, await summarizeResponse(response)).toBe(303);
    }
    expect(await auditDetails("session.signed_in", user.id)).toHaveLength(2);
  });

  it("refuses a credential Gatehouse does not know", async () => {
    const clock = new TestClock();
    const app = testApp(clock);
    const stranger = new SoftwareAuthenticator();
    await stranger.register({ challenge: "AAAA", rp: { id: "localhost" }, user: { id: "dXNyX25vYm9keQ" } });
    const agent = new Agent(app);
    await expectRefusedOnLogin(await answerPasskeyCeremony(agent, signInPaths, stranger));
    expect(agent.sessionCookie()).toBeUndefined();
  });

  it("refuses a deactivated person's passkey, audited as an account that cannot sign in", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    await rawDb.prepare("UPDATE users SET deactivated_at = ? WHERE id = ?").bind(clock.now().getTime(), user.id).run();
    const agent = new Agent(app);
    await expectRefusedOnLogin(await answerPasskeyCeremony(agent, signInPaths, authenticator));
    expect(agent.sessionCookie()).toBeUndefined();
    expect(await auditDetails("session.sign_in_failed", user.id)).toContainEqual(
      expect.objectContaining({ factor: "passkey", reason: "account_cannot_sign_in" }),
    );
  });

  it("still signs in with a passkey while too many wrong passwords lock the password", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    for (let attempt = 0; attempt < 10; attempt++) {
      await new Agent(app).post("/login", { email: user.email, password: `wrong password ${attempt}` });
    }
    expect((await new Agent(app).post("/login", { email: user.email, password: user.password })).status).toBe(429);
    const response = await answerPasskeyCeremony(new Agent(app), signInPaths, authenticator);
    expect(response.status, await summarizeResponse(response)).toBe(303);
  });

  it("locks passkey sign-in for the account after ten refused passkeys, and only passkey sign-in", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    for (let attempt = 0; attempt < 10; attempt++) {
      const agent = new Agent(app);
      const response = await answerPasskeyCeremony(agent, signInPaths, authenticator, {
        overrides: { userVerified: false },
      });
      expect(response.status).toBe(401);
    }
    const locked = await answerPasskeyCeremony(new Agent(app), signInPaths, authenticator);
    const html = await locked.text();
    expect(locked.status, html).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("900");
    expect(html).toContain("Too many attempts");
    expect(await auditDetails("session.account_locked", user.id)).toHaveLength(1);
    // The password and the authenticator app still work: the passkey lock guards only passkey guessing.
    const agent = new Agent(app);
    await passwordStep(agent, user);
    expect((await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) })).status).toBe(303);
  });
});

describe("a passkey as the step after the password", () => {
  it("offers 'Use a passkey' above the authenticator app's code to a person who has both", async () => {
    const clock = new TestClock();
    const { user, app } = await userWithPasskey(clock);
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const html = await (await agent.get("/login/verify")).text();
    expect(html).toContain('id="passkey-second-factor"');
    expect(html).toContain("Use a passkey");
    expect(html).toContain("Code from your authenticator app");
    expect(html.indexOf('id="passkey-second-factor"')).toBeLessThan(html.indexOf('name="code"'));
  });

  it("shows no passkey form to a person without a passkey", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    clock.advanceSeconds(30);
    const agent = new Agent(testApp(clock));
    await passwordStep(agent, user);
    const html = await (await agent.get("/login/verify")).text();
    expect(html).not.toContain("passkey-second-factor");
    expect(html).toContain("Code from your authenticator app");
  });

  it("signs in with the passkey after the password, user verification or not, as method password_passkey", async () => {
    const clock = new TestClock();
    const { user, authenticator, passkey, app } = await userWithPasskey(clock);
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const options = await fetchPasskeyOptions(agent, secondStepPaths.options);
    expect(options.body).toMatchObject({
      userVerification: "preferred",
      allowCredentials: [expect.objectContaining({ type: "public-key" })],
    });
    const credential = await authenticator.authenticate(options.body as never, { userVerified: false });
    const response = await agent.post(secondStepPaths.submit, { credential });
    expect(response.status, await summarizeResponse(response)).toBe(303);
    expect(response.headers.get("location")).toBe("/admin");
    expect(agent.cookies.has("__Host-gatehouse_challenge")).toBe(false);
    expect(await latestSession(user.id)).toEqual({ sign_in_method: "password_passkey", passkey_enrolment_required: 0 });
    expect(await auditDetails("session.signed_in", user.id)).toContainEqual({
      method: "password_passkey",
      factor: "passkey",
      passkeyId: passkey.id,
      passkeyName: "Work laptop",
    });
  });

  it("refuses another person's passkey, counting a try of the attempt and a failure of the account", async () => {
    const clock = new TestClock();
    const { user, app } = await userWithPasskey(clock);
    const other = await createActiveUser(clock);
    const othersKey = new SoftwareAuthenticator();
    await registerTestPasskey(clock, other, { authenticator: othersKey });
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const { body } = await fetchPasskeyOptions(agent, secondStepPaths.options);
    const credential = await othersKey.authenticate(body as never, { credential: othersKey.credentials[0] });
    const response = await agent.post(secondStepPaths.submit, { credential });
    const html = await response.text();
    expect(response.status, html).toBe(401);
    expect(html).toContain(refused);
    expect(html).toContain('id="passkey-second-factor"');
    expect(agent.sessionCookie()).toBeUndefined();
    const attempt = await rawDb
      .prepare("SELECT failed_attempts FROM sign_in_challenges WHERE user_id = ?")
      .bind(user.id)
      .first<{ failed_attempts: number }>();
    expect(attempt?.failed_attempts).toBe(1);
    const throttle = await rawDb
      .prepare("SELECT failures FROM sign_in_throttles WHERE key = ?")
      .bind(`account:${user.email}`)
      .first<{ failures: number }>();
    expect(throttle?.failures).toBe(1);
    expect(await auditDetails("session.sign_in_failed", user.id)).toContainEqual(
      expect.objectContaining({ factor: "passkey", reason: "unknown_credential" }),
    );
    expect(await auditDetails("session.signed_in", other.id)).toEqual([]);
  });

  it("refuses an answer to the step of another sign-in attempt", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    const first = new Agent(app);
    await passwordStep(first, user);
    const { body } = await fetchPasskeyOptions(first, secondStepPaths.options);
    const credential = await authenticator.authenticate(body as never);
    const second = new Agent(app);
    await passwordStep(second, user);
    expect((await second.post(secondStepPaths.submit, { credential })).status).toBe(401);
    expect(second.sessionCookie()).toBeUndefined();
  });

  it("sends the options request without a sign-in attempt back with the attempt's end", async () => {
    const clock = new TestClock();
    const { status, body } = await fetchPasskeyOptions(new Agent(testApp(clock)), secondStepPaths.options);
    expect(status).toBe(400);
    expect(body.title).toContain("This sign-in attempt has ended");
  });
});

describe("a person with passkeys and no authenticator app", () => {
  it("asks for a recovery code, not an app's code, after the password; a passkey or a recovery code signs in", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    await rawDb.prepare("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = ?").bind(user.id).run();
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const html = await (await agent.get("/login/verify")).text();
    expect(html).toContain("Recovery code");
    expect(html).not.toContain("Code from your authenticator app");
    expect(html).toContain("Use a passkey");
    const digits = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(digits.status).toBe(401);
    const response = await answerPasskeyCeremony(agent, secondStepPaths, authenticator);
    expect(response.status, await summarizeResponse(response)).toBe(303);

    const again = new Agent(app);
    await passwordStep(again, user);
    const recovery = await again.post("/login/verify", { code: user.recoveryCodes[0] as string });
    expect(recovery.status, await summarizeResponse(recovery)).toBe(303);
    expect(await latestSession(user.id)).toEqual({
      sign_in_method: "password_recovery_code",
      passkey_enrolment_required: 0,
    });
  });
});

describe("the passkey policy at sign-in", () => {
  it("refuses the authenticator app of a person with a passkey under the policy, and labels the field 'Recovery code'", async () => {
    const clock = new TestClock();
    const { user, app } = await userWithPasskey(clock);
    await requirePasskeysFor(clock, [user.role]);
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const page = await (await agent.get("/login/verify")).text();
    expect(page).toContain("Recovery code");
    expect(page).not.toContain("Code from your authenticator app");
    expect(page).toContain("Use a passkey");
    const response = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    const html = await response.text();
    expect(response.status, html).toBe(401);
    expect(html).toContain("Use your passkey, or enter one of your recovery codes.");
    expect(agent.sessionCookie()).toBeUndefined();
  });

  it("lets a recovery code in under the policy, to a session confined to adding a passkey", async () => {
    const clock = new TestClock();
    const { user, app } = await userWithPasskey(clock);
    await requirePasskeysFor(clock, [user.role]);
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const response = await agent.post("/login/verify", { code: user.recoveryCodes[0] as string, next: "/admin/users" });
    expect(response.status, await summarizeResponse(response)).toBe(303);
    expect(response.headers.get("location")).toBe("/enrol-passkey");
    expect(await latestSession(user.id)).toEqual({
      sign_in_method: "password_recovery_code",
      passkey_enrolment_required: 1,
    });
    const elsewhere = await agent.get("/admin/users");
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get("location")).toBe("/enrol-passkey");
  });

  it("lets the authenticator app in under the policy when the person has no passkey yet, confined to adding one", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    await requirePasskeysFor(clock, ["CONTRACTOR"]);
    clock.advanceSeconds(30);
    const agent = new Agent(testApp(clock));
    await passwordStep(agent, user);
    const page = await (await agent.get("/login/verify")).text();
    expect(page).toContain("Code from your authenticator app");
    const response = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(response.status, await summarizeResponse(response)).toBe(303);
    expect(response.headers.get("location")).toBe("/enrol-passkey");
    expect(await latestSession(user.id)).toEqual({ sign_in_method: "password_totp", passkey_enrolment_required: 1 });
  });

  it("signs a person under the policy in by passkey, after the password or alone, without confinement", async () => {
    const clock = new TestClock();
    const { user, authenticator, app } = await userWithPasskey(clock);
    await requirePasskeysFor(clock, [user.role]);
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const second = await answerPasskeyCeremony(agent, secondStepPaths, authenticator);
    expect(second.headers.get("location"), await summarizeResponse(second)).toBe("/admin");
    const alone = await answerPasskeyCeremony(new Agent(app), signInPaths, authenticator);
    expect(alone.headers.get("location"), await summarizeResponse(alone)).toBe("/admin");
    expect(await latestSession(user.id)).toEqual({ sign_in_method: "passkey", passkey_enrolment_required: 0 });
  });

  it("leaves roles outside the policy with their authenticator app", async () => {
    const clock = new TestClock();
    const { user, app } = await userWithPasskey(clock);
    await requirePasskeysFor(clock, ["SUPER_ADMIN"]);
    const agent = new Agent(app);
    await passwordStep(agent, user);
    const response = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
    expect(response.headers.get("location"), await summarizeResponse(response)).toBe("/admin");
    expect(await latestSession(user.id)).toEqual({ sign_in_method: "password_totp", passkey_enrolment_required: 0 });
  });
});
