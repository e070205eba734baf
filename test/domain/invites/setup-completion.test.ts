// Completing setup below HTTP (docs/PRODUCT.md §2): no session before both the password and a TOTP
// code are confirmed, opening a link changes nothing, and of N concurrent completions of one link
// exactly one wins. What only HTTP shows stays in test/pages/setup-link.test.ts.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../src/auth/crypto";
import { setupTokenKvKey } from "../../../src/auth/setup-tokens";
import { choosePassword, completeSetup, findSetupState, type SetupState } from "../../../src/domain/invites/setup";
import { TestClock } from "../../helpers/clock";
import { inviteTestUser, testContext, testPassword } from "../../helpers/factories";
import { env, rawDb } from "../../helpers/store";
import { totpCode } from "../../helpers/totp";

const noClient = { ip: null, userAgent: null };

async function requireSetupState(clock: TestClock, token: string): Promise<SetupState> {
  const state = await findSetupState(testContext(clock), token);
  if (!state) throw new Error("the setup link is not valid");
  return state;
}

function readUser(id: string) {
  return rawDb.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function countSessions(userId: string): Promise<number> {
  const row = await rawDb
    .prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** An invited user past the password step, with the state the final step reads. */
async function invitedPastPassword(clock: TestClock) {
  const invited = await inviteTestUser(clock);
  const secret = await choosePassword(testContext(clock), await requireSetupState(clock, invited.token), {
    displayName: "Pat Person",
    password: testPassword,
    passwordConfirmation: testPassword,
  });
  return { invited, secret, state: await requireSetupState(clock, invited.token) };
}

describe("setup completion", () => {
  it("changes nothing when a link is only opened", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const before = await readUser(invited.user.id);

    for (let opened = 0; opened < 3; opened++) await requireSetupState(clock, invited.token);

    expect(await readUser(invited.user.id)).toEqual(before);
  });

  it("creates no session before both the password and a right TOTP code are confirmed", async () => {
    const clock = new TestClock();
    const { invited, secret, state } = await invitedPastPassword(clock);
    expect(await countSessions(invited.user.id)).toBe(0);

    await expect(completeSetup(testContext(clock), state, "000000", noClient)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await countSessions(invited.user.id)).toBe(0);
    expect(await readUser(invited.user.id)).toMatchObject({
      activated_at: null,
      password_hash: null,
      totp_secret: null,
    });

    const completed = await completeSetup(testContext(clock), state, totpCode(secret, clock.now()), noClient);

    expect(await countSessions(invited.user.id)).toBe(1);
    const session = await rawDb
      .prepare("SELECT user_id FROM sessions WHERE id = ?")
      .bind(hashToken(completed.session.token))
      .first();
    expect(session).toEqual({ user_id: invited.user.id });
    expect(await readUser(invited.user.id)).toMatchObject({
      display_name: "Pat Person",
      activated_at: clock.now().getTime(),
      totp_secret: secret,
      setup_token_hash: null,
      pending_password_hash: null,
    });
  });

  it("lets exactly one of six concurrent completions of one link win, and the link is dead afterwards", async () => {
    const clock = new TestClock();
    const { invited, secret, state } = await invitedPastPassword(clock);
    const code = totpCode(secret, clock.now());

    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => completeSetup(testContext(clock), state, code, noClient)),
    );

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results.filter((result) => result.status === "rejected")) {
      expect(result.reason).toMatchObject({ code: "SETUP_LINK_INVALID" });
    }
    const counts = await rawDb
      .prepare(
        `SELECT (SELECT count(*) FROM sessions WHERE user_id = ?1) AS sessions,
          (SELECT count(*) FROM recovery_codes WHERE user_id = ?1) AS codes,
          (SELECT count(*) FROM audit_events WHERE target_id = ?1 AND action = 'user.setup_completed') AS audits`,
      )
      .bind(invited.user.id)
      .first();
    expect(counts).toEqual({ sessions: 1, codes: 10, audits: 1 });
    expect(await findSetupState(testContext(clock), invited.token)).toBeNull();
    expect(await env.KV.get(setupTokenKvKey(hashToken(invited.token)))).toBeNull();
    await expect(completeSetup(testContext(clock), state, code, noClient)).rejects.toMatchObject({
      code: "SETUP_LINK_INVALID",
    });
  });

  it("refuses a link past its expiry, at the injected clock's time", async () => {
    const clock = new TestClock();
    const { invited, secret, state } = await invitedPastPassword(clock);

    clock.set(invited.setupLinkExpiresAt);

    expect(await findSetupState(testContext(clock), invited.token)).toBeNull();
    const late = completeSetup(testContext(clock), state, totpCode(secret, clock.now()), noClient);
    await expect(late).rejects.toMatchObject({ code: "SETUP_LINK_INVALID" });
    expect(await countSessions(invited.user.id)).toBe(0);
  });
});
