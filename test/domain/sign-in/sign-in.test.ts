// Sign-in below HTTP (docs/PRODUCT.md §2 "Sign in", docs/SECURITY.md "Authenticators and
// assurance"): the password step, the second factor, their races and the account lock, on both
// stores. What only HTTP shows (cookies, redirects, status codes) stays in test/pages/sign-in.test.ts.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../src/auth/crypto";
import { addressThrottleKey, recordAddressFailure } from "../../../src/auth/throttle";
import { totpStepAt } from "../../../src/auth/totp";
import { runBatch } from "../../../src/db/batch";
import type { DomainContext } from "../../../src/domain/context";
import { loadPrincipal } from "../../../src/domain/principal";
import { signOut, verifyPasswordStep, verifySecondFactor } from "../../../src/domain/sign-in/sign-in";
import { findSignInAttempt } from "../../../src/domain/sign-in/sign-in-attempts";
import { TestClock } from "../../helpers/clock";
import {
  type ActiveTestUser,
  createActiveUser,
  inviteTestUser,
  testContext,
  uniqueAddress,
  uniqueEmail,
} from "../../helpers/factories";
import { rawDb } from "../../helpers/store";
import { totpCode } from "../../helpers/totp";

const client = { ip: null, userAgent: "vitest" };

/** The context of one request from the test's own client address, at the clock's time. */
function requestContext(clock: TestClock, ip: string): DomainContext {
  return { ...testContext(clock), ip };
}

function passwordStep(clock: TestClock, ip: string, email: string, password: string): Promise<string> {
  return verifyPasswordStep(requestContext(clock, ip), { email, password });
}

async function codeStep(clock: TestClock, ip: string, challenge: string, code: string) {
  const ctx = requestContext(clock, ip);
  return verifySecondFactor(ctx, await findSignInAttempt(ctx, challenge), code, client);
}

async function countRows(sql: string, ...values: unknown[]): Promise<number> {
  const row = await rawDb
    .prepare(sql)
    .bind(...values)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const countSessions = (userId: string) => countRows("SELECT count(*) AS n FROM sessions WHERE user_id = ?", userId);
const countChallenges = (userId: string) =>
  countRows("SELECT count(*) AS n FROM sign_in_challenges WHERE user_id = ?", userId);
const countAudit = (action: string, targetId: string) =>
  countRows("SELECT count(*) AS n FROM audit_events WHERE action = ? AND target_id = ?", action, targetId);

/** A user whose setup was a TOTP step ago, so the current code has not been used yet. */
async function readyUser(clock: TestClock): Promise<ActiveTestUser> {
  const user = await createActiveUser(clock);
  clock.advanceSeconds(30);
  return user;
}

describe("sign-in: password, then a second factor", () => {
  it("issues a challenge for the password and a session only for a right code", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    const sessionsBefore = await countSessions(user.id);

    const challenge = await passwordStep(clock, ip, user.email, user.password);

    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await rawDb
      .prepare("SELECT * FROM sign_in_challenges WHERE id = ?")
      .bind(hashToken(challenge))
      .first();
    expect(stored).toMatchObject({ user_id: user.id, failed_attempts: 0, expires_at: clock.now().getTime() + 600_000 });
    expect(await countSessions(user.id)).toBe(sessionsBefore);

    await expect(codeStep(clock, ip, challenge, "123456")).rejects.toMatchObject({ code: "SIGN_IN_CODE_REFUSED" });
    expect(await countSessions(user.id)).toBe(sessionsBefore);

    const signedIn = await codeStep(clock, ip, challenge, totpCode(user.totpSecret, clock.now()));

    expect(
      await rawDb.prepare("SELECT user_id FROM sessions WHERE id = ?").bind(hashToken(signedIn.session.token)).first(),
    ).toEqual({
      user_id: user.id,
    });
    expect(await countChallenges(user.id)).toBe(0);
    const row = await rawDb
      .prepare("SELECT last_login_at, totp_last_step FROM users WHERE id = ?")
      .bind(user.id)
      .first();
    expect(row).toEqual({ last_login_at: clock.now().getTime(), totp_last_step: totpStepAt(clock.now()) });
    expect(await countAudit("session.signed_in", user.id)).toBe(1);
  });

  it("refuses a wrong password, an unknown email, a pending and a deactivated account alike, with no challenge", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const active = await readyUser(clock);
    const deactivated = await createActiveUser(clock);
    await rawDb
      .prepare("UPDATE users SET deactivated_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), deactivated.id)
      .run();
    const pending = await inviteTestUser(clock);
    const attempts = [
      [active.email, "wrong password entirely", "wrong_password"],
      [uniqueEmail("nobody"), active.password, "unknown_email"],
      [pending.user.email, active.password, "account_cannot_sign_in"],
      [deactivated.email, deactivated.password, "account_cannot_sign_in"],
    ] as const;

    const refusals = [];
    for (const [email, password, reason] of attempts) {
      const refusal = await passwordStep(clock, ip, email, password).catch((error: unknown) => error);
      expect(refusal, email).toMatchObject({ code: "SIGN_IN_FAILED" });
      refusals.push(JSON.stringify(refusal, ["code", "status", "message", "detail", "fieldErrors", "extensions"]));
      const failure = await rawDb
        .prepare("SELECT details FROM audit_events WHERE action = 'session.sign_in_failed' AND actor_email = ?")
        .bind(email)
        .first<{ details: string }>();
      expect(JSON.parse(String(failure?.details)), email).toEqual({ factor: "password", reason });
    }

    expect(new Set(refusals).size).toBe(1);
    for (const userId of [active.id, pending.user.id, deactivated.id]) expect(await countChallenges(userId)).toBe(0);
  });

  it("ends the challenge at the fifth wrong code: the right code is refused after it", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    const challenge = await passwordStep(clock, ip, user.email, user.password);

    for (let guess = 1; guess <= 5; guess++) {
      await expect(codeStep(clock, ip, challenge, "000000"), `guess ${guess}`).rejects.toMatchObject({
        code: "SIGN_IN_CODE_REFUSED",
      });
    }

    expect(await countChallenges(user.id)).toBe(0);
    await expect(codeStep(clock, ip, challenge, totpCode(user.totpSecret, clock.now()))).rejects.toMatchObject({
      code: "SIGN_IN_EXPIRED",
    });
  });

  it("ends the challenge ten minutes after the password", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    const challenge = await passwordStep(clock, ip, user.email, user.password);

    clock.advanceSeconds(600);

    await expect(codeStep(clock, ip, challenge, totpCode(user.totpSecret, clock.now()))).rejects.toMatchObject({
      code: "SIGN_IN_EXPIRED",
    });
    expect(await countSessions(user.id)).toBe(1); // the one from setup
  });

  it("accepts a TOTP code once: of three concurrent submissions one signs in, and every replay is refused and audited", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    const challenges = await Promise.all([1, 2, 3].map(() => passwordStep(clock, ip, user.email, user.password)));
    const code = totpCode(user.totpSecret, clock.now());

    const results = await Promise.allSettled(challenges.map((challenge) => codeStep(clock, ip, challenge, code)));

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results.filter((result) => result.status === "rejected")) {
      expect(result.reason).toMatchObject({ code: "SIGN_IN_CODE_REFUSED" });
    }
    expect(await countSessions(user.id)).toBe(2); // setup's and the winner's
    const later = await passwordStep(clock, ip, user.email, user.password);
    await expect(codeStep(clock, ip, later, code)).rejects.toMatchObject({ code: "SIGN_IN_CODE_REFUSED" });
    expect(await countSessions(user.id)).toBe(2);
    expect(await countAudit("session.totp_replay_refused", user.id)).toBe(3);
  });

  it("accepts a recovery code once, as people type it, even when two sign-ins submit it at the same moment", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    const typed = (user.recoveryCodes[0] as string).toUpperCase().replace("-", " ");
    const challenges = await Promise.all([1, 2].map(() => passwordStep(clock, ip, user.email, user.password)));

    const results = await Promise.allSettled(challenges.map((challenge) => codeStep(clock, ip, challenge, typed)));

    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await countSessions(user.id)).toBe(2);
    expect(
      await countRows("SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NOT NULL", user.id),
    ).toBe(1);
    expect(await countAudit("session.recovery_code_used", user.id)).toBe(1);
    const again = await passwordStep(clock, ip, user.email, user.password);
    await expect(codeStep(clock, ip, again, user.recoveryCodes[0] as string)).rejects.toMatchObject({
      code: "SIGN_IN_CODE_REFUSED",
    });
    expect(await countSessions(user.id)).toBe(2);
  });

  it("signs out by deleting the session, so its token no longer loads anyone", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    const challenge = await passwordStep(clock, ip, user.email, user.password);
    const { session } = await codeStep(clock, ip, challenge, totpCode(user.totpSecret, clock.now()));
    const ctx = requestContext(clock, ip);
    const principal = await loadPrincipal(ctx.db, { kind: "session", token: session.token }, clock.now());
    if (!principal) throw new Error("the new session does not load");

    await signOut({ ...ctx, actor: { kind: "user", principal } }, principal);

    expect(await countRows("SELECT count(*) AS n FROM sessions WHERE id = ?", hashToken(session.token))).toBe(0);
    expect(await loadPrincipal(ctx.db, { kind: "session", token: session.token }, clock.now())).toBeNull();
    expect(await countAudit("session.signed_out", user.id)).toBe(1);
  });
});

describe("sign-in: throttling", () => {
  it("locks the account after ten failures of any factor for 15 minutes, refusing even the right password", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const user = await readyUser(clock);
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(passwordStep(clock, ip, user.email, `wrong password ${attempt}`)).rejects.toMatchObject({
        code: "SIGN_IN_FAILED",
      });
    }
    const challenge = await passwordStep(clock, ip, user.email, user.password);
    for (let guess = 0; guess < 5; guess++) {
      await expect(codeStep(clock, ip, challenge, "000000")).rejects.toMatchObject({ code: "SIGN_IN_CODE_REFUSED" });
    }

    await expect(passwordStep(clock, ip, user.email, user.password)).rejects.toMatchObject({
      code: "THROTTLED",
      retryAfterSeconds: 900,
    });
    expect(await countAudit("session.account_locked", user.id)).toBe(1);
    clock.advanceSeconds(899);
    await expect(passwordStep(clock, ip, user.email, user.password)).rejects.toMatchObject({
      code: "THROTTLED",
      retryAfterSeconds: 1,
    });
    clock.advanceSeconds(1);
    const released = await passwordStep(clock, ip, user.email, user.password);
    await codeStep(clock, ip, released, totpCode(user.totpSecret, clock.now()));
    expect(await countRows("SELECT count(*) AS n FROM sign_in_throttles WHERE key = ?", `account:${user.email}`)).toBe(
      0,
    );
  });

  it("locks an unknown email exactly like a real one", async () => {
    const clock = new TestClock();
    const ip = uniqueAddress();
    const email = uniqueEmail("ghost");
    for (let attempt = 0; attempt < 10; attempt++) {
      await expect(passwordStep(clock, ip, email, "whatever it is")).rejects.toMatchObject({ code: "SIGN_IN_FAILED" });
    }

    await expect(passwordStep(clock, ip, email, "whatever it is")).rejects.toMatchObject({
      code: "THROTTLED",
      retryAfterSeconds: 900,
    });
  });

  it("refuses every account from a client address the address throttle blocked, and no other address", async () => {
    const clock = new TestClock();
    const [blocked, other] = [uniqueAddress(), uniqueAddress()];
    const user = await readyUser(clock);
    const db = testContext(clock).db;
    await runBatch(
      db,
      Array.from({ length: 100 }, () => recordAddressFailure(db, addressThrottleKey(blocked), clock.now())),
    );

    await expect(passwordStep(clock, blocked, user.email, user.password)).rejects.toMatchObject({
      code: "THROTTLED",
      retryAfterSeconds: 900,
    });
    const challenge = await passwordStep(clock, other, user.email, user.password);
    await codeStep(clock, other, challenge, totpCode(user.totpSecret, clock.now()));
  });
});
