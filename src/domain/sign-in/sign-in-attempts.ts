// A sign-in attempt between the password and the second step (docs/PRODUCT.md §2, docs/PASSKEYS.md
// "The policy"): the challenge the password step issued, its user, their usable passkeys, the
// passkey policy and the throttles, read in ONE batch keyed by the challenge cookie's hash, so the
// code step, the passkey step and the page between them cost one read. What the step may accept
// follows from it: a TOTP code only while the person has an authenticator app and the policy does
// not want their passkey instead; a recovery code always; a passkey when they have one.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { hashToken, isWellFormedToken } from "../../auth/crypto";
import { insertSession, type NewSession, type SessionProof } from "../../auth/session";
import { accountThrottleKey, clearThrottle, selectThrottlesWithAccountOf, type ThrottleRow } from "../../auth/throttle";
import type { Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow } from "../../db/guards";
import { passkeys, signInChallenges, users } from "../../db/schema";
import { AppError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import type { PasskeyRow } from "../passkeys/passkey-ceremonies";
import { isPasskeyRequiredFor, passkeysPerUserLimit, selectPasskeyRequiredRoles } from "../passkeys/passkeys-read";
import type { UserRow } from "../users/users";
import { assertNotThrottled } from "./sign-in-failures";

export const challengeLifetimeSeconds = 10 * 60;
export const challengeMaxAttempts = 5;

export interface Client {
  ip: string | null;
  userAgent: string | null;
}

export interface SignedIn {
  user: UserRow;
  session: NewSession;
  /** The role's policy wants a passkey first: the session reaches only /enrol-passkey and sign-out. */
  passkeyEnrolmentRequired: boolean;
}

/** Activated, not deactivated or erased, with a password and a second factor (an authenticator app or a passkey). */
export function canSignIn(user: UserRow | undefined, hasPasskey: boolean): user is UserRow & { passwordHash: string } {
  return Boolean(
    user?.activatedAt && !user.deactivatedAt && !user.erasedAt && user.passwordHash && (user.totpSecret || hasPasskey),
  );
}

export interface SignInAttempt {
  /** SHA-256 of the challenge cookie's token: the attempt's id, and the binding of its passkey challenges. */
  challengeId: string;
  expiresAt: Date;
  failedAttempts: number;
  user: UserRow;
  passkeys: PasskeyRow[];
  /** The user's role is in passkey_required_roles. */
  passkeyRequired: boolean;
  /** The account's throttle and the client address's. */
  throttles: ThrottleRow[];
}

/** The attempt the challenge cookie names, with everything its step needs, in one batch; null when there is none. */
export async function findSignInAttempt(
  ctx: DomainContext,
  challengeToken: string | undefined,
): Promise<SignInAttempt | null> {
  if (!isWellFormedToken(challengeToken)) return null;
  const challengeId = hashToken(challengeToken);
  const userIdOfAttempt = ctx.db
    .select({ userId: signInChallenges.userId })
    .from(signInChallenges)
    .where(eq(signInChallenges.id, challengeId));
  // Single-table reads keyed by subqueries: D1 batch rows are mapped by column name, so no read
  // here may join two tables whose columns share names.
  const [challenges, userRows, passkeyRows, policy, throttles] = await ctx.db.batch([
    ctx.db.select().from(signInChallenges).where(eq(signInChallenges.id, challengeId)).limit(1),
    ctx.db.select().from(users).where(inArray(users.id, userIdOfAttempt)).limit(1),
    ctx.db
      .select()
      .from(passkeys)
      .where(and(inArray(passkeys.userId, userIdOfAttempt), isNull(passkeys.pendingSetupTokenHash)))
      .orderBy(passkeys.createdAt, passkeys.id)
      .limit(passkeysPerUserLimit),
    selectPasskeyRequiredRoles(ctx.db),
    selectThrottlesWithAccountOf(
      ctx.db,
      accountThrottleKey,
      ctx.db.select({ email: users.email }).from(users).where(inArray(users.id, userIdOfAttempt)),
      ctx.ip,
    ),
  ]);
  const [challenge] = challenges;
  const [user] = userRows;
  if (!challenge || !user) return null;
  return {
    challengeId,
    expiresAt: challenge.expiresAt,
    failedAttempts: challenge.failedAttempts,
    user,
    passkeys: passkeyRows,
    passkeyRequired: isPasskeyRequiredFor(policy, user.role),
    throttles,
  };
}

/** The attempt, if it can still take a second step: live, tries left, the account still able to sign in; else SIGN_IN_EXPIRED. */
export function requireLiveAttempt(attempt: SignInAttempt | null, now: Date): SignInAttempt {
  if (
    !attempt ||
    attempt.expiresAt.getTime() <= now.getTime() ||
    attempt.failedAttempts >= challengeMaxAttempts ||
    !canSignIn(attempt.user, attempt.passkeys.length > 0)
  ) {
    throw new AppError("SIGN_IN_EXPIRED");
  }
  return attempt;
}

/** THROTTLED while the account or the address is locked; otherwise the account's throttle row, if any. */
export function assertAttemptNotThrottled(attempt: SignInAttempt, now: Date): ThrottleRow | undefined {
  assertNotThrottled(attempt.throttles, now);
  return attempt.throttles.find((row) => row.key === accountThrottleKey(attempt.user.email));
}

/**
 * Whether the authenticator app may answer this attempt: the person has one, and the policy does
 * not want their passkey instead (with a passkey under the policy, TOTP no longer signs them in).
 */
export function offersTotp(attempt: Pick<SignInAttempt, "user" | "passkeys" | "passkeyRequired">): boolean {
  return Boolean(attempt.user.totpSecret) && !(attempt.passkeyRequired && attempt.passkeys.length > 0);
}

/** What the step after the password offers, for its page. */
export interface SecondStepChoices {
  passkey: boolean;
  totp: boolean;
  /** The policy took the authenticator app away from this person (they have a passkey and an app). */
  totpWithdrawn: boolean;
}

export function secondStepChoicesOf(attempt: SignInAttempt): SecondStepChoices {
  const totp = offersTotp(attempt);
  return { passkey: attempt.passkeys.length > 0, totp, totpWithdrawn: !totp && Boolean(attempt.user.totpSecret) };
}

/** A wrong answer to the attempt: one try fewer; the fifth ends it (the person starts again from the password). */
export function countFailedTry(ctx: DomainContext, challengeId: string): Statement[] {
  return [
    ctx.db
      .update(signInChallenges)
      .set({ failedAttempts: sql`${signInChallenges.failedAttempts} + 1` })
      .where(eq(signInChallenges.id, challengeId)),
    ctx.db
      .delete(signInChallenges)
      .where(
        and(eq(signInChallenges.id, challengeId), sql`${signInChallenges.failedAttempts} >= ${challengeMaxAttempts}`),
      ),
  ];
}

/**
 * The batch that ends an attempt in a session, whatever answered it: the factor's own conditional
 * claim (a TOTP step, a recovery code, a passkey's counter), the attempt consumed (only if still
 * there: of two concurrent answers one wins), the session, the account's throttle reset, the audit.
 */
export function completeAttemptStatements(
  ctx: DomainContext,
  attempt: SignInAttempt,
  completion: {
    claim: Statement[];
    session: NewSession;
    client: Client;
    proof: SessionProof;
    details: Record<string, unknown>;
  },
): Statement[] {
  const { user } = attempt;
  return [
    ...completion.claim,
    ctx.db.delete(signInChallenges).where(eq(signInChallenges.id, attempt.challengeId)),
    assertPreviousWriteChangedOneRow(ctx.db),
    insertSession(ctx.db, completion.session, user.id, ctx.now, completion.client, completion.proof),
    clearThrottle(ctx.db, accountThrottleKey(user.email)),
    insertAuditEvent(
      { ...ctx, actor: { kind: "account", user } },
      {
        action: "session.signed_in",
        target: describeUser(user),
        details: { method: completion.proof.signInMethod, ...completion.details },
      },
    ),
  ];
}
