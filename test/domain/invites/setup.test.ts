// One pending TOTP secret per setup link: the first password step makes it, every later or parallel
// step of the same link gets it back, and only a new link starts over (docs/SECURITY.md "Setup
// links: one pending TOTP secret per link").
import { describe, expect, it } from "vitest";
import { prepareSetupToken } from "../../../src/auth/setup-tokens";
import {
  choosePassword,
  completeSetup,
  confirmCurrentPassword,
  findSetupState,
  type SetupState,
} from "../../../src/domain/invites/setup";
import { regenerateSetupLink } from "../../../src/domain/invites/setup-links";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import { createActiveUser, inviteTestUser, testContext, testPassword } from "../../helpers/factories";
import { extractEmbeddedToken } from "../../helpers/links";
import { rawDb } from "../../helpers/store";
import { totpCode } from "../../helpers/totp";

const noClient = { ip: null, userAgent: null };

async function requireSetupState(clock: TestClock, token: string): Promise<SetupState> {
  const state = await findSetupState(testContext(clock), token);
  if (!state) throw new Error("the setup link is not valid");
  return state;
}

function passwordStep(clock: TestClock, state: SetupState): Promise<string> {
  return choosePassword(testContext(clock), state, {
    displayName: "Pat",
    password: testPassword,
    passwordConfirmation: testPassword,
  });
}

function readSecrets(userId: string) {
  return rawDb
    .prepare("SELECT pending_totp_secret, totp_secret, activated_at FROM users WHERE id = ?")
    .bind(userId)
    .first<{ pending_totp_secret: string | null; totp_secret: string | null; activated_at: number | null }>();
}

/** What resetTwoFactor writes (it needs a recently signed-in admin; its page tests cover that part). */
async function issueResetLink(clock: TestClock, userId: string): Promise<string> {
  const prepared = prepareSetupToken(clock.now(), 3600);
  await rawDb
    .prepare(
      `UPDATE users SET totp_secret = NULL, totp_last_step = NULL, setup_token_hash = ?, setup_token_expires_at = ?,
        setup_purpose = 'reset_two_factor', pending_totp_secret = NULL WHERE id = ?`,
    )
    .bind(prepared.hash, prepared.expiresAt.getTime(), userId)
    .run();
  return prepared.token;
}

describe("setup: one pending TOTP secret per link", () => {
  it("gives ten parallel password steps of one link the same secret, and a code for it completes setup", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const state = await requireSetupState(clock, invited.token);

    const secrets = await Promise.all(Array.from({ length: 10 }, () => passwordStep(clock, state)));

    expect(new Set(secrets).size).toBe(1);
    const [secret] = secrets as [string];
    expect((await readSecrets(invited.user.id))?.pending_totp_secret).toBe(secret);
    const completed = await completeSetup(
      testContext(clock),
      await requireSetupState(clock, invited.token),
      totpCode(secret, clock.now()),
      noClient,
    );
    expect(completed.recoveryCodes).toHaveLength(10);
    expect(await readSecrets(invited.user.id)).toEqual({
      pending_totp_secret: null,
      totp_secret: secret,
      activated_at: clock.now().getTime(),
    });
  });

  it("keeps the secret when the password step is repeated, and a regenerated link makes a new one", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const first = await passwordStep(clock, await requireSetupState(clock, invited.token));
    clock.advanceSeconds(120);
    expect(await passwordStep(clock, await requireSetupState(clock, invited.token))).toBe(first);

    const renewed = await regenerateSetupLink(testContext(clock), invited.user.id);
    const newToken = extractEmbeddedToken(renewed.setupUrl);
    expect((await readSecrets(invited.user.id))?.pending_totp_secret).toBeNull();
    const second = await passwordStep(clock, await requireSetupState(clock, newToken));

    expect(second).not.toBe(first);
    expect((await readSecrets(invited.user.id))?.pending_totp_secret).toBe(second);
    const stale = completeSetup(
      testContext(clock),
      await requireSetupState(clock, newToken),
      totpCode(first, clock.now()),
      noClient,
    );
    await expect(stale).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(stale).rejects.toBeInstanceOf(AppError);
  });

  it("gives parallel current-password steps of a two-factor reset link the same secret", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await issueResetLink(clock, user.id);
    const state = await requireSetupState(clock, token);

    const secrets = await Promise.all(
      Array.from({ length: 5 }, () => confirmCurrentPassword(testContext(clock), state, testPassword)),
    );

    expect(new Set(secrets).size).toBe(1);
    const [secret] = secrets as [string];
    expect(secret).not.toBe(user.totpSecret);
    clock.advanceSeconds(30);
    await completeSetup(
      testContext(clock),
      await requireSetupState(clock, token),
      totpCode(secret, clock.now()),
      noClient,
    );
    expect((await readSecrets(user.id))?.totp_secret).toBe(secret);
  });
});
