// Passkeys at sign-in (docs/PASSKEYS.md "Sign-in"). Two ceremonies:
//
// "Sign in with a passkey": no email typed; a discoverable credential answers a `sign_in` challenge
// bound to a fresh token in this browser's passkey cookie. User verification is required, so the
// passkey is both factors (signInMethod `passkey`). Failures count on the passkey's own throttle of
// the owner's account (passkeyThrottleKey), never on the password's: a password lock does not
// block it, and its own lock blocks only it. The owner is read by the credential id before the
// check, in the same read as the throttles, so a locked account is refused before any work.
//
// A passkey after the password: a `second_factor` challenge bound to the sign-in attempt (the hash
// of its challenge cookie) and issued for its user, so only their passkeys answer. User
// verification preferred; it completes the attempt exactly as a TOTP code does, and a refusal
// counts exactly like a wrong code (a try of the attempt, the account's throttle).
import { eq, inArray } from "drizzle-orm";
import { generateToken, hashToken, isWellFormedToken } from "../../auth/crypto";
import { insertSession, prepareSession } from "../../auth/session";
import {
  accountThrottleKey,
  addressThrottleKey,
  clearThrottle,
  selectThrottles,
  selectThrottlesWithAccountOf,
} from "../../auth/throttle";
import { runBatch } from "../../db/batch";
import { isBatchGuardFailure } from "../../db/guards";
import { passkeys, users } from "../../db/schema";
import { AppError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import {
  buildRequestOptions,
  type CheckedAssertion,
  checkAssertion,
  PasskeyCheckFailed,
} from "../passkeys/passkey-ceremonies";
import { issuePasskeyChallenge } from "../passkeys/passkey-challenges";
import { passkeyThrottleKey, recordPasskeyFailure } from "../passkeys/passkey-failures";
import { readAssertionResponse } from "../passkeys/passkey-responses";
import type { UserRow } from "../users/users";
import {
  assertAttemptNotThrottled,
  type Client,
  completeAttemptStatements,
  countFailedTry,
  requireLiveAttempt,
  type SignedIn,
  type SignInAttempt,
} from "./sign-in-attempts";
import { assertNotThrottled } from "./sign-in-failures";

/** Passkey sign-in needs no password, so no password or authenticator app: only an account in use. */
function canSignInWithPasskey(user: UserRow): boolean {
  return Boolean(user.activatedAt && !user.deactivatedAt && !user.erasedAt);
}

function passkeyDetails(checked: Pick<CheckedAssertion, "passkey">) {
  return { factor: "passkey", passkeyId: checked.passkey.id, passkeyName: checked.passkey.name };
}

/** Options for "Sign in with a passkey", and the token for the passkey cookie that binds them to this browser. */
export async function startPasskeySignIn(ctx: DomainContext): Promise<{ bindingToken: string; options: object }> {
  assertNotThrottled(await selectThrottles(ctx.db, [addressThrottleKey(ctx.ip)]), ctx.now);
  const bindingToken = generateToken();
  const challenge = await issuePasskeyChallenge(ctx, {
    purpose: "sign_in",
    userId: null,
    bindingHash: hashToken(bindingToken),
  });
  return { bindingToken, options: buildRequestOptions(ctx, challenge, [], "required") };
}

/** The credential id a posted assertion names, or null when it does not parse (checkAssertion then refuses it). */
function credentialIdOf(credential: string): string | null {
  try {
    return readAssertionResponse(credential).credentialId;
  } catch {
    return null;
  }
}

/** "Sign in with a passkey": the session, or PASSKEY_REFUSED / THROTTLED. */
export async function signInWithPasskey(
  ctx: DomainContext,
  bindingToken: string | undefined,
  credential: string,
  client: Client,
): Promise<SignedIn> {
  const credentialId = credentialIdOf(credential);
  const ownerEmail = ctx.db
    .select({ email: users.email })
    .from(users)
    .where(
      inArray(
        users.id,
        ctx.db
          .select({ userId: passkeys.userId })
          .from(passkeys)
          .where(eq(passkeys.credentialId, credentialId ?? "")),
      ),
    );
  const throttles = await selectThrottlesWithAccountOf(ctx.db, passkeyThrottleKey, ownerEmail, ctx.ip);
  assertNotThrottled(throttles, ctx.now);
  // No cookie: a binding no challenge carries (challenges are bound to hex digests), so it is refused and audited.
  const bindingHash = isWellFormedToken(bindingToken) ? hashToken(bindingToken) : "none";
  let checked: CheckedAssertion | undefined;
  try {
    checked = await checkAssertion(ctx, credential, { purpose: "sign_in", bindingHash, requireUserVerification: true });
    const { user, passkey } = checked;
    if (!canSignInWithPasskey(user)) throw new PasskeyCheckFailed("account_cannot_sign_in", user, passkey);
    const session = prepareSession(ctx.now);
    await runBatch(ctx.db, [
      ...checked.claimStatements,
      ctx.db.update(users).set({ lastLoginAt: ctx.now }).where(eq(users.id, user.id)),
      insertSession(ctx.db, session, user.id, ctx.now, client, {
        signInMethod: "passkey",
        passkeyEnrolmentRequired: false,
      }),
      clearThrottle(ctx.db, passkeyThrottleKey(user.email)),
      insertAuditEvent(
        { ...ctx, actor: { kind: "account", user } },
        {
          action: "session.signed_in",
          target: describeUser(user),
          details: { method: "passkey", ...passkeyDetails(checked) },
        },
      ),
    ]);
    return { user: { ...user, lastLoginAt: ctx.now }, session, passkeyEnrolmentRequired: false };
  } catch (error) {
    // The counter's conditional update is the batch's only guard: it lost to a concurrent assertion
    // of the same passkey, whose counter is now at or past this one.
    const failure =
      checked && isBatchGuardFailure(error)
        ? new PasskeyCheckFailed("counter_regressed", checked.user, checked.passkey)
        : error;
    if (!(failure instanceof PasskeyCheckFailed)) throw error;
    const throttleKey = failure.user ? passkeyThrottleKey(failure.user.email) : null;
    await recordPasskeyFailure(ctx, failure, {
      throttleKey,
      throttleRow: throttles.find((row) => row.key === throttleKey),
    });
    throw new AppError("PASSKEY_REFUSED");
  }
}

/** Options for a passkey as the step after the password: only the attempt's user's passkeys, user verification preferred. */
export async function startPasskeySecondFactor(ctx: DomainContext, found: SignInAttempt | null): Promise<object> {
  const attempt = requireLiveAttempt(found, ctx.now);
  assertAttemptNotThrottled(attempt, ctx.now);
  if (attempt.passkeys.length === 0) throw new AppError("PASSKEY_REFUSED");
  const challenge = await issuePasskeyChallenge(ctx, {
    purpose: "second_factor",
    userId: attempt.user.id,
    bindingHash: attempt.challengeId,
  });
  return buildRequestOptions(ctx, challenge, attempt.passkeys, "preferred");
}

/** The passkey step after the password: the session, or PASSKEY_REFUSED / SIGN_IN_EXPIRED / THROTTLED. */
export async function verifyPasskeySecondFactor(
  ctx: DomainContext,
  found: SignInAttempt | null,
  credential: string,
  client: Client,
): Promise<SignedIn> {
  const attempt = requireLiveAttempt(found, ctx.now);
  const accountRow = assertAttemptNotThrottled(attempt, ctx.now);
  const { user } = attempt;
  let checked: CheckedAssertion;
  try {
    checked = await checkAssertion(ctx, credential, {
      purpose: "second_factor",
      bindingHash: attempt.challengeId,
      requireUserVerification: false,
    });
  } catch (error) {
    if (!(error instanceof PasskeyCheckFailed)) throw error;
    // The attempt's user is known even when another person's passkey answered: the refusal is theirs.
    await recordPasskeyFailure(ctx, new PasskeyCheckFailed(error.reason, user, error.passkey), {
      throttleKey: accountThrottleKey(user.email),
      throttleRow: accountRow,
      extra: countFailedTry(ctx, attempt.challengeId),
    });
    throw new AppError("PASSKEY_REFUSED");
  }
  const session = prepareSession(ctx.now);
  try {
    await runBatch(
      ctx.db,
      completeAttemptStatements(ctx, attempt, {
        claim: [
          ...checked.claimStatements,
          ctx.db.update(users).set({ lastLoginAt: ctx.now }).where(eq(users.id, user.id)),
        ],
        session,
        client,
        proof: { signInMethod: "password_passkey", passkeyEnrolmentRequired: false },
        details: passkeyDetails(checked),
      }),
    );
  } catch (error) {
    // A concurrent answer completed the attempt (or moved the counter) first: this one is over.
    if (isBatchGuardFailure(error)) throw new AppError("SIGN_IN_EXPIRED");
    throw error;
  }
  return { user: { ...user, lastLoginAt: ctx.now }, session, passkeyEnrolmentRequired: false };
}
