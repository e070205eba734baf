// Sign-in (docs/PRODUCT.md §2, docs/SECURITY.md "Authenticators and assurance"): email + password,
// then a TOTP code, a recovery code or a passkey (the passkey step: passkey-sign-in.ts).
//
// Step 1 answers every failure (unknown email, wrong password, pending, deactivated, no second
// factor) with the same error after the same argon2id work, and issues no session: only a
// challenge (a random token, stored hashed) that lives 10 minutes and allows 5 guesses.
// Step 2 consumes the challenge, records the TOTP step (refusing a step at or below the last one)
// and creates the session in one batch guarded by conditional writes, so a code submitted twice,
// even concurrently, yields one session at most. The passkey policy decides what the step takes
// and whether the session must first add a passkey (sign-in-attempts.ts).
import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { generateToken, hashToken } from "../../auth/crypto";
import { spendPasswordVerificationWork, verifyPassword } from "../../auth/password";
import { hashRecoveryCode, normalizeRecoveryCode } from "../../auth/recovery-codes";
import { deleteSession, prepareSession } from "../../auth/session";
import { accountThrottleKey, addressThrottleKey, selectThrottles, type ThrottleRow } from "../../auth/throttle";
import { findTotpStep } from "../../auth/totp";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { passkeys, recoveryCodes, signInChallenges, users } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import type { Principal } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { normalizeEmail, type UserRow } from "../users/users";
import {
  assertAttemptNotThrottled,
  type Client,
  canSignIn,
  challengeLifetimeSeconds,
  completeAttemptStatements,
  countFailedTry,
  offersTotp,
  requireLiveAttempt,
  type SignedIn,
  type SignInAttempt,
} from "./sign-in-attempts";
import { assertNotThrottled, recordSignInFailure } from "./sign-in-failures";

export { type Client, challengeLifetimeSeconds, challengeMaxAttempts, type SignedIn } from "./sign-in-attempts";

/** Step 1. Returns the challenge token for the second factor, or throws SIGN_IN_FAILED / THROTTLED. */
export async function verifyPasswordStep(
  ctx: DomainContext,
  input: { email: string; password: string },
): Promise<string> {
  const email = normalizeEmail(input.email);
  const accountKey = accountThrottleKey(email);
  const [throttles, found, passkeyRows] = await ctx.db.batch([
    selectThrottles(ctx.db, [accountKey, addressThrottleKey(ctx.ip)]),
    ctx.db.select().from(users).where(eq(users.email, email)).limit(1),
    // A person who set up with passkeys only has no authenticator app: a passkey is their second factor.
    ctx.db
      .select({ id: passkeys.id })
      .from(passkeys)
      .where(
        and(
          inArray(passkeys.userId, ctx.db.select({ id: users.id }).from(users).where(eq(users.email, email))),
          isNull(passkeys.pendingSetupTokenHash),
        ),
      )
      .limit(1),
  ]);
  // The throttle check runs before any KDF work and answers the same for unknown emails.
  assertNotThrottled(throttles, ctx.now);
  const user = found[0];
  const able = canSignIn(user, passkeyRows.length > 0);
  const passwordMatches = able
    ? await verifyPassword(user.passwordHash, input.password)
    : await spendPasswordVerificationWork(input.password);
  if (!able || !passwordMatches) {
    await recordSignInFailure(ctx, {
      email,
      user: user ?? null,
      factor: "password",
      accountRow: throttles.find((row) => row.key === accountKey),
      reason: !user ? "unknown_email" : !able ? "account_cannot_sign_in" : "wrong_password",
    });
    throw new AppError("SIGN_IN_FAILED");
  }
  const token = generateToken();
  await ctx.db.insert(signInChallenges).values({
    id: hashToken(token),
    userId: user.id,
    purpose: "sign_in",
    createdAt: ctx.now,
    expiresAt: new Date(ctx.now.getTime() + challengeLifetimeSeconds * 1000),
    failedAttempts: 0,
  });
  return token;
}

/**
 * Step 2 with a code: a TOTP code (while offersTotp) or a recovery code. Creates the session, or
 * throws SIGN_IN_CODE_REFUSED / SIGN_IN_EXPIRED / THROTTLED, or a field error when the policy wants
 * the person's passkey instead of their authenticator app.
 */
export async function verifySecondFactor(
  ctx: DomainContext,
  found: SignInAttempt | null,
  code: string,
  client: Client,
): Promise<SignedIn> {
  const attempt = requireLiveAttempt(found, ctx.now);
  const accountRow = assertAttemptNotThrottled(attempt, ctx.now);
  const { user } = attempt;
  const classified = classifyCode(user, offersTotp(attempt), code, ctx.now);
  // Not a guess at anything (the app is simply not accepted): refused without counting a try.
  if (classified.kind === "totp_withdrawn") throw fieldError("code", passkeyInsteadOfTotp, "SIGN_IN_CODE_REFUSED");
  if (classified.kind === "totp" || classified.kind === "recovery_code") {
    const session = prepareSession(ctx.now);
    // Under the policy without a passkey, or back by a recovery code (break glass), the session
    // must add a passkey before anything else.
    const passkeyEnrolmentRequired = attempt.passkeyRequired;
    try {
      await runBatch(
        ctx.db,
        completeAttemptStatements(ctx, attempt, {
          claim: claimFactorStatements(ctx, user, classified),
          session,
          client,
          proof: {
            signInMethod: classified.kind === "totp" ? "password_totp" : "password_recovery_code",
            passkeyEnrolmentRequired,
          },
          details: { factor: classified.kind },
        }),
      );
      return { user: { ...user, lastLoginAt: ctx.now }, session, passkeyEnrolmentRequired };
    } catch (error) {
      if (!isBatchGuardFailure(error)) throw error;
      // The step or the recovery code was claimed by a concurrent request: this one is a replay.
    }
  }
  await recordSecondFactorFailure(ctx, attempt, classified, accountRow);
  // Wrong or already used: the person knows the password, so the refusal may say what to do next.
  throw new AppError("SIGN_IN_CODE_REFUSED");
}

const passkeyInsteadOfTotp =
  "Your role requires a passkey: the authenticator app no longer signs you in. Use your passkey, or enter one of your recovery codes.";

type CodeAttempt =
  | { kind: "totp"; step: number }
  | { kind: "totp_withdrawn" }
  | { kind: "recovery_code"; codeHash: string }
  | { kind: "wrong"; factor: "totp" | "recovery_code"; replay: boolean };

function classifyCode(user: UserRow, totpOffered: boolean, input: string, now: Date): CodeAttempt {
  const code = input.trim();
  const recovery = normalizeRecoveryCode(code);
  if ((/^\d[\d\s]*$/.test(code) || code === "") && !(recovery && !totpOffered)) {
    if (!user.totpSecret) return { kind: "wrong", factor: "recovery_code", replay: false };
    if (!totpOffered) return { kind: "totp_withdrawn" };
    const step = findTotpStep(user.totpSecret, code, now, user.totpLastStep);
    if (step !== null) return { kind: "totp", step };
    const replay = user.totpLastStep !== null && findTotpStep(user.totpSecret, code, now, null) !== null;
    return { kind: "wrong", factor: "totp", replay };
  }
  if (recovery) return { kind: "recovery_code", codeHash: hashRecoveryCode(recovery) };
  return { kind: "wrong", factor: "recovery_code", replay: false };
}

function claimFactorStatements(
  ctx: DomainContext,
  user: UserRow,
  attempt: CodeAttempt & { kind: "totp" | "recovery_code" },
): Statement[] {
  if (attempt.kind === "totp") {
    return [
      ctx.db
        .update(users)
        .set({ totpLastStep: attempt.step, lastLoginAt: ctx.now })
        .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, attempt.step)))),
      assertPreviousWriteChangedOneRow(ctx.db),
    ];
  }
  return [
    ctx.db
      .update(recoveryCodes)
      .set({ usedAt: ctx.now })
      .where(
        and(
          eq(recoveryCodes.userId, user.id),
          eq(recoveryCodes.codeHash, attempt.codeHash),
          isNull(recoveryCodes.usedAt),
        ),
      ),
    assertPreviousWriteChangedOneRow(ctx.db),
    ctx.db.update(users).set({ lastLoginAt: ctx.now }).where(eq(users.id, user.id)),
    insertAuditEvent(
      { ...ctx, actor: { kind: "account", user } },
      { action: "session.recovery_code_used", target: describeUser(user), details: {} },
    ),
  ];
}

async function recordSecondFactorFailure(
  ctx: DomainContext,
  attempt: SignInAttempt,
  classified: Exclude<CodeAttempt, { kind: "totp_withdrawn" }>,
  accountRow: ThrottleRow | undefined,
): Promise<void> {
  const { user } = attempt;
  const factor = classified.kind === "wrong" ? classified.factor : classified.kind;
  const replay = classified.kind === "totp" || (classified.kind === "wrong" && classified.replay);
  const extra = countFailedTry(ctx, attempt.challengeId);
  if (replay) {
    extra.push(
      insertAuditEvent(
        { ...ctx, actor: { kind: "anonymous", email: user.email } },
        { action: "session.totp_replay_refused", target: describeUser(user), details: {} },
      ),
    );
  }
  await recordSignInFailure(ctx, {
    email: user.email,
    user,
    factor,
    accountRow,
    extra,
    ...(replay ? { reason: "replayed_code" } : {}),
  });
}

/** Ends the caller's session server-side (sign-out is a POST; the cookie alone proves nothing). */
export async function signOut(ctx: DomainContext, principal: Principal): Promise<void> {
  if (principal.credential.kind !== "session") return;
  await runBatch(ctx.db, [
    deleteSession(ctx.db, principal.credential.sessionId),
    insertAuditEvent(ctx, { action: "session.signed_out", target: describeUser(principal.user), details: {} }),
  ]);
}
