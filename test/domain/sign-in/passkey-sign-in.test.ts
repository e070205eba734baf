// Passkeys at sign-in below HTTP, on both stores (docs/PASSKEYS.md "Sign-in"): the attempt read in
// one batch, the races of concurrent answers, the passkey throttle apart from the password's, and
// what the policy makes of each way in. The pages' side is test/pages/passkey-sign-in.test.ts.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../src/auth/crypto";
import { accountThrottleKey, recordAccountFailure } from "../../../src/auth/throttle";
import { runBatch } from "../../../src/db/batch";
import type { DomainContext } from "../../../src/domain/context";
import { passkeyThrottleKey } from "../../../src/domain/passkeys/passkey-failures";
import {
  signInWithPasskey,
  startPasskeySecondFactor,
  startPasskeySignIn,
  verifyPasskeySecondFactor,
} from "../../../src/domain/sign-in/passkey-sign-in";
import { verifyPasswordStep, verifySecondFactor } from "../../../src/domain/sign-in/sign-in";
import { findSignInAttempt, offersTotp } from "../../../src/domain/sign-in/sign-in-attempts";
import { TestClock } from "../../helpers/clock";
import { type ActiveTestUser, createActiveUser, testContext, uniqueAddress } from "../../helpers/factories";
import { registerTestPasskey } from "../../helpers/passkeys";
import { type CeremonyOverrides, SoftwareAuthenticator } from "../../helpers/software-authenticator";
import { rawDb } from "../../helpers/store";
import { totpCode } from "../../helpers/totp";

const client = { ip: null, userAgent: "vitest" };

function requestContext(clock: TestClock, ip: string): DomainContext {
  return { ...testContext(clock), ip };
}

async function countRows(sql: string, ...values: unknown[]): Promise<number> {
  const row = await rawDb
    .prepare(sql)
    .bind(...values)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const countSessions = (userId: string) => countRows("SELECT count(*) AS n FROM sessions WHERE user_id = ?", userId);

async function setUp(clock: TestClock, options: { syncedCounter?: boolean; role?: ActiveTestUser["role"] } = {}) {
  const user = await createActiveUser(clock, { role: options.role ?? "OPERATOR" });
  const authenticator = new SoftwareAuthenticator({ syncedCounter: options.syncedCounter ?? false });
  const passkey = await registerTestPasskey(clock, user, { authenticator });
  clock.advanceSeconds(30);
  return { user, authenticator, passkey, ctx: requestContext(clock, uniqueAddress()) };
}

/** A "Sign in with a passkey" ceremony answered, not yet submitted: the browser's binding token and the credential. */
async function answerSignIn(
  ctx: DomainContext,
  authenticator: SoftwareAuthenticator,
  overrides: CeremonyOverrides = {},
) {
  const { bindingToken, options } = await startPasskeySignIn(ctx);
  const credential = await authenticator.authenticate(options as never, overrides);
  return { bindingToken, credential };
}

async function requirePasskeys(role: string): Promise<void> {
  await rawDb
    .prepare(
      "INSERT INTO passkey_required_roles (role, required_at, required_by) VALUES (?, 0, NULL) ON CONFLICT DO NOTHING",
    )
    .bind(role)
    .run();
}

describe("Sign in with a passkey, below HTTP", () => {
  it("signs in once when two requests answer the same challenge at the same moment", async () => {
    const clock = new TestClock();
    const { user, authenticator, ctx } = await setUp(clock);
    const { bindingToken, credential } = await answerSignIn(ctx, authenticator);
    const sessionsBefore = await countSessions(user.id);

    const results = await Promise.allSettled(
      [1, 2].map(() => signInWithPasskey(ctx, bindingToken, credential, client)),
    );

    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = results.find((result) => result.status === "rejected");
    expect(rejected?.reason).toMatchObject({ code: "PASSKEY_REFUSED" });
    expect(await countSessions(user.id)).toBe(sessionsBefore + 1);
    expect(
      await countRows(
        "SELECT count(*) AS n FROM sessions WHERE user_id = ? AND sign_in_method = 'passkey' AND passkey_enrolment_required = 0",
        user.id,
      ),
    ).toBe(1);
  });

  it("moves the stored counter once when two ceremonies of one passkey race with the same counter", async () => {
    const clock = new TestClock();
    const { user, authenticator, passkey, ctx } = await setUp(clock);
    const first = await answerSignIn(ctx, authenticator, { signCount: 1 });
    const second = await answerSignIn(ctx, authenticator, { signCount: 1 });

    const results = await Promise.allSettled([
      signInWithPasskey(ctx, first.bindingToken, first.credential, client),
      signInWithPasskey(ctx, second.bindingToken, second.credential, client),
    ]);

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await countRows("SELECT sign_count AS n FROM passkeys WHERE id = ?", passkey.id)).toBe(1);
    expect(
      await countRows(
        "SELECT count(*) AS n FROM audit_events WHERE action = 'session.passkey_counter_regressed' AND target_id = ?",
        user.id,
      ),
    ).toBe(1);
  });

  it("counts refusals on the passkey throttle, not the password's, and locks only passkey sign-in", async () => {
    const clock = new TestClock();
    const { user, authenticator, ctx } = await setUp(clock);
    for (let attempt = 0; attempt < 10; attempt++) {
      const { bindingToken, credential } = await answerSignIn(ctx, authenticator, { userVerified: false });
      await expect(signInWithPasskey(ctx, bindingToken, credential, client)).rejects.toMatchObject({
        code: "PASSKEY_REFUSED",
      });
    }
    expect(
      await countRows("SELECT failures AS n FROM sign_in_throttles WHERE key = ?", passkeyThrottleKey(user.email)),
    ).toBe(10);
    expect(
      await countRows("SELECT count(*) AS n FROM sign_in_throttles WHERE key = ?", accountThrottleKey(user.email)),
    ).toBe(0);
    const { bindingToken, credential } = await answerSignIn(ctx, authenticator);
    await expect(signInWithPasskey(ctx, bindingToken, credential, client)).rejects.toMatchObject({
      code: "THROTTLED",
      retryAfterSeconds: 900,
    });
    await expect(verifyPasswordStep(ctx, { email: user.email, password: user.password })).resolves.toBeTypeOf("string");
  });

  it("ignores a locked password throttle and clears its own after a success", async () => {
    const clock = new TestClock();
    const { user, authenticator, ctx } = await setUp(clock);
    await runBatch(
      ctx.db,
      Array.from({ length: 10 }, () => recordAccountFailure(ctx.db, accountThrottleKey(user.email), clock.now())),
    );
    await runBatch(ctx.db, [recordAccountFailure(ctx.db, passkeyThrottleKey(user.email), clock.now())]);
    const { bindingToken, credential } = await answerSignIn(ctx, authenticator);

    await expect(signInWithPasskey(ctx, bindingToken, credential, client)).resolves.toMatchObject({
      passkeyEnrolmentRequired: false,
    });
    expect(
      await countRows("SELECT count(*) AS n FROM sign_in_throttles WHERE key = ?", passkeyThrottleKey(user.email)),
    ).toBe(0);
  });
});

describe("the sign-in attempt and the passkey step after the password, below HTTP", () => {
  it("reads the attempt's user, usable passkeys, policy and both throttles in one batch", async () => {
    const clock = new TestClock();
    const { user, passkey, ctx } = await setUp(clock, { role: "CONTRACTOR" });
    await registerTestPasskey(clock, user, { pendingSetupTokenHash: hashToken("unfinished setup") });
    await runBatch(ctx.db, [recordAccountFailure(ctx.db, accountThrottleKey(user.email), clock.now())]);
    await requirePasskeys("CONTRACTOR");
    try {
      const token = await verifyPasswordStep(ctx, { email: user.email, password: user.password });
      const attempt = await findSignInAttempt(ctx, token);

      expect(attempt?.user.id).toBe(user.id);
      expect(attempt?.passkeys.map((row) => row.id)).toEqual([passkey.id]);
      expect(attempt?.passkeyRequired).toBe(true);
      expect(attempt?.throttles.map((row) => row.key)).toEqual([accountThrottleKey(user.email)]);
      expect(attempt && offersTotp(attempt)).toBe(false);
      expect(await findSignInAttempt(ctx, "A".repeat(43))).toBeNull();
      expect(await findSignInAttempt(ctx, undefined)).toBeNull();
    } finally {
      await rawDb.prepare("DELETE FROM passkey_required_roles WHERE role = 'CONTRACTOR'").run();
    }
  });

  it("lets a person with a passkey and no authenticator app past the password, but not one whose only passkey awaits setup", async () => {
    const clock = new TestClock();
    const { user, ctx } = await setUp(clock);
    const pending = await createActiveUser(clock);
    await registerTestPasskey(clock, pending, { pendingSetupTokenHash: hashToken("unfinished setup") });
    await rawDb.prepare("UPDATE users SET totp_secret = NULL WHERE id IN (?, ?)").bind(user.id, pending.id).run();

    await expect(verifyPasswordStep(ctx, { email: user.email, password: user.password })).resolves.toBeTypeOf("string");
    await expect(verifyPasswordStep(ctx, { email: pending.email, password: pending.password })).rejects.toMatchObject({
      code: "SIGN_IN_FAILED",
    });
  });

  it("completes the attempt once when a passkey and a TOTP code answer it at the same moment", async () => {
    const clock = new TestClock();
    const { user, authenticator, ctx } = await setUp(clock);
    const token = await verifyPasswordStep(ctx, { email: user.email, password: user.password });
    const options = await startPasskeySecondFactor(ctx, await findSignInAttempt(ctx, token));
    const credential = await authenticator.authenticate(options as never);
    const sessionsBefore = await countSessions(user.id);

    const attempt = await findSignInAttempt(ctx, token);
    const results = await Promise.allSettled([
      verifyPasskeySecondFactor(ctx, attempt, credential, client),
      verifySecondFactor(ctx, attempt, totpCode(user.totpSecret, clock.now()), client),
    ]);

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await countSessions(user.id)).toBe(sessionsBefore + 1);
    expect(await countRows("SELECT count(*) AS n FROM sign_in_challenges WHERE user_id = ?", user.id)).toBe(0);
  });

  it("marks the session for passkey enrolment exactly when the policy covers the role and the way in was not a passkey", async () => {
    const clock = new TestClock();
    const withPasskey = await setUp(clock, { role: "CONTRACTOR" });
    const withoutPasskey = await createActiveUser(clock, { role: "CONTRACTOR" });
    clock.advanceSeconds(30);
    await requirePasskeys("CONTRACTOR");
    try {
      const { ctx } = withPasskey;
      const signInWith = async (user: ActiveTestUser, code: string) =>
        verifySecondFactor(
          ctx,
          await findSignInAttempt(ctx, await verifyPasswordStep(ctx, { email: user.email, password: user.password })),
          code,
          client,
        );
      await expect(
        signInWith(withPasskey.user, totpCode(withPasskey.user.totpSecret, clock.now())),
      ).rejects.toMatchObject({
        code: "SIGN_IN_CODE_REFUSED",
        fieldErrors: [expect.objectContaining({ field: "code" })],
      });
      await expect(signInWith(withPasskey.user, withPasskey.user.recoveryCodes[0] as string)).resolves.toMatchObject({
        passkeyEnrolmentRequired: true,
      });
      await expect(signInWith(withoutPasskey, totpCode(withoutPasskey.totpSecret, clock.now()))).resolves.toMatchObject(
        { passkeyEnrolmentRequired: true },
      );
      const token = await verifyPasswordStep(ctx, {
        email: withPasskey.user.email,
        password: withPasskey.user.password,
      });
      const options = await startPasskeySecondFactor(ctx, await findSignInAttempt(ctx, token));
      const credential = await withPasskey.authenticator.authenticate(options as never);
      await expect(
        verifyPasskeySecondFactor(ctx, await findSignInAttempt(ctx, token), credential, client),
      ).resolves.toMatchObject({ passkeyEnrolmentRequired: false });
      // The refused app code counted no try of the attempt and no failure of the account.
      expect(
        await countRows(
          "SELECT count(*) AS n FROM sign_in_throttles WHERE key = ?",
          accountThrottleKey(withPasskey.user.email),
        ),
      ).toBe(0);
    } finally {
      await rawDb.prepare("DELETE FROM passkey_required_roles WHERE role = 'CONTRACTOR'").run();
    }
  });
});
