// Sign-in (docs/PRODUCT.md §2, docs/SECURITY.md "Authenticators and assurance"): email + password, then a TOTP or recovery code.
//
// Step 1 answers every failure (unknown email, wrong password, pending, deactivated, no
// authenticator) with the same error after the same argon2id work, and issues no session: only
// a challenge (a random token, stored hashed) that lives 10 minutes and allows 5 guesses.
// Step 2 consumes the challenge, records the TOTP step (refusing a step at or below the last one)
// and creates the session in one batch guarded by conditional writes, so a code submitted twice,
// even concurrently, yields one session at most.
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { generateToken, hashToken, isWellFormedToken } from "../../auth/crypto";
import { spendPasswordVerificationWork, verifyPassword } from "../../auth/password";
import { hashRecoveryCode, normalizeRecoveryCode } from "../../auth/recovery-codes";
import { deleteSession, insertSession, type NewSession, prepareSession } from "../../auth/session";
import { accountThrottleKey, addressThrottleKey, clearThrottle, selectThrottles } from "../../auth/throttle";
import { findTotpStep } from "../../auth/totp";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { recoveryCodes, signInChallenges, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { Principal } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { normalizeEmail, type UserRow } from "../users/users";
import { assertNotThrottled, recordSignInFailure } from "./sign-in-failures";

export const challengeLifetimeSeconds = 10 * 60;
export const challengeMaxAttempts = 5;

export interface Client {
  ip: string | null;
  userAgent: string | null;
}

function canSignIn(user: UserRow | undefined): user is UserRow & { passwordHash: string; totpSecret: string } {
  return Boolean(user?.activatedAt && !user.deactivatedAt && !user.erasedAt && user.passwordHash && user.totpSecret);
}

/** Step 1. Returns the challenge token for the second factor, or throws SIGN_IN_FAILED / THROTTLED. */
export async function verifyPasswordStep(
  ctx: DomainContext,
  input: { email: string; password: string },
): Promise<string> {
  const email = normalizeEmail(input.email);
  const accountKey = accountThrottleKey(email);
  const [throttles, found] = await ctx.db.batch([
    selectThrottles(ctx.db, [accountKey, addressThrottleKey(ctx.ip)]),
    ctx.db.select().from(users).where(eq(users.email, email)).limit(1),
  ]);
  // The throttle check runs before any KDF work and answers the same for unknown emails.
  assertNotThrottled(throttles, ctx.now);
  const user = found[0];
  const passwordMatches = canSignIn(user)
    ? await verifyPassword(user.passwordHash, input.password)
    : await spendPasswordVerificationWork(input.password);
  if (!canSignIn(user) || !passwordMatches) {
    await recordSignInFailure(ctx, {
      email,
      user: user ?? null,
      factor: "password",
      accountRow: throttles.find((row) => row.key === accountKey),
      reason: !user ? "unknown_email" : !canSignIn(user) ? "account_cannot_sign_in" : "wrong_password",
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

export interface SignedIn {
  user: UserRow;
  session: NewSession;
}

/** Step 2. Accepts a TOTP code or a recovery code; creates the session, or throws SIGN_IN_CODE_REFUSED / SIGN_IN_EXPIRED / THROTTLED. */
export async function verifySecondFactor(
  ctx: DomainContext,
  challengeToken: string | undefined,
  code: string,
  client: Client,
): Promise<SignedIn> {
  if (!isWellFormedToken(challengeToken)) throw new AppError("SIGN_IN_EXPIRED");
  const challengeId = hashToken(challengeToken);
  const rows = await ctx.db
    .select({ challenge: signInChallenges, user: users })
    .from(signInChallenges)
    .innerJoin(users, eq(users.id, signInChallenges.userId))
    .where(eq(signInChallenges.id, challengeId))
    .limit(1);
  const row = rows[0];
  if (
    !row ||
    row.challenge.expiresAt.getTime() <= ctx.now.getTime() ||
    row.challenge.failedAttempts >= challengeMaxAttempts
  ) {
    throw new AppError("SIGN_IN_EXPIRED");
  }
  const { user } = row;
  if (!canSignIn(user)) throw new AppError("SIGN_IN_EXPIRED");
  const accountKey = accountThrottleKey(user.email);
  const throttles = await selectThrottles(ctx.db, [accountKey, addressThrottleKey(ctx.ip)]);
  assertNotThrottled(throttles, ctx.now);

  const attempt = classifyCode(user, code, ctx.now);
  if (attempt.kind === "totp" || attempt.kind === "recovery_code") {
    const session = prepareSession(ctx.now);
    try {
      await runBatch(ctx.db, [
        ...claimFactorStatements(ctx, user, attempt),
        ctx.db.delete(signInChallenges).where(eq(signInChallenges.id, challengeId)),
        assertPreviousWriteChangedOneRow(ctx.db),
        insertSession(ctx.db, session, user.id, ctx.now, client, {
          signInMethod: attempt.kind === "totp" ? "password_totp" : "password_recovery_code",
          passkeyEnrolmentRequired: false,
        }),
        clearThrottle(ctx.db, accountKey),
        insertAuditEvent(
          { ...ctx, actor: { kind: "account", user } },
          { action: "session.signed_in", target: describeUser(user), details: { factor: attempt.kind } },
        ),
      ]);
      return { user: { ...user, lastLoginAt: ctx.now }, session };
    } catch (error) {
      if (!isBatchGuardFailure(error)) throw error;
      // The step or the recovery code was claimed by a concurrent request: this one is a replay.
    }
  }
  await recordSecondFactorFailure(
    ctx,
    user,
    challengeId,
    attempt,
    throttles.find((r) => r.key === accountKey),
  );
  // Wrong or already used: the person knows the password, so the refusal may say what to do next.
  throw new AppError("SIGN_IN_CODE_REFUSED");
}

type CodeAttempt =
  | { kind: "totp"; step: number }
  | { kind: "recovery_code"; codeHash: string }
  | { kind: "wrong"; factor: "totp" | "recovery_code"; replay: boolean };

function classifyCode(user: UserRow & { totpSecret: string }, input: string, now: Date): CodeAttempt {
  const code = input.trim();
  if (/^\d[\d\s]*$/.test(code) || code === "") {
    const step = findTotpStep(user.totpSecret, code, now, user.totpLastStep);
    if (step !== null) return { kind: "totp", step };
    const replay = user.totpLastStep !== null && findTotpStep(user.totpSecret, code, now, null) !== null;
    return { kind: "wrong", factor: "totp", replay };
  }
  const recovery = normalizeRecoveryCode(code);
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
  user: UserRow,
  challengeId: string,
  attempt: CodeAttempt,
  accountRow: Awaited<ReturnType<typeof selectThrottles>>[number] | undefined,
): Promise<void> {
  const factor = attempt.kind === "wrong" ? attempt.factor : attempt.kind;
  const replay = attempt.kind === "totp" || (attempt.kind === "wrong" && attempt.replay);
  const extra: Statement[] = [
    ctx.db
      .update(signInChallenges)
      .set({ failedAttempts: sql`${signInChallenges.failedAttempts} + 1` })
      .where(eq(signInChallenges.id, challengeId)),
    // The fifth wrong guess ends the challenge: the person starts again from the password.
    ctx.db
      .delete(signInChallenges)
      .where(
        and(eq(signInChallenges.id, challengeId), sql`${signInChallenges.failedAttempts} >= ${challengeMaxAttempts}`),
      ),
  ];
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
