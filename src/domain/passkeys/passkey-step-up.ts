// Proving it is you again with a passkey, inside a session (docs/PASSKEYS.md): the step-up before
// sensitive actions and the proof before new recovery codes. User verification is required, so the
// passkey alone stands for the password and the code. The challenge (`reauthenticate`) is bound to
// the session and names the caller, so only the caller's own passkeys answer it; a refusal counts on
// the account's throttle like a wrong code would. The assertion's counter update rides in the batch
// of the action it proves, so one assertion proves one action.
import { eq } from "drizzle-orm";
import { accountThrottleKey } from "../../auth/throttle";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { sessions } from "../../db/schema";
import { AppError } from "../../errors";
import type { Principal } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { buildRequestOptions, type CheckedAssertion, checkAssertion, PasskeyCheckFailed } from "./passkey-ceremonies";
import { issuePasskeyChallenge } from "./passkey-challenges";
import { recordPasskeyFailure } from "./passkey-failures";
import { failureOfCaller, sessionBindingHash, sessionIdOf } from "./passkey-management";
import { selectUsablePasskeys } from "./passkeys-read";

/** The request options of a step-up: the caller's passkeys only, user verification required. */
export async function startPasskeyStepUp(ctx: DomainContext, principal: Principal) {
  const sessionId = sessionIdOf(principal);
  const allow = await selectUsablePasskeys(ctx.db, principal.user.id);
  if (allow.length === 0)
    throw new AppError("STATE_CONFLICT", { detail: "You have no passkey yet. Confirm with your password and code." });
  const challenge = await issuePasskeyChallenge(ctx, {
    purpose: "reauthenticate",
    userId: principal.user.id,
    bindingHash: sessionBindingHash(sessionId),
  });
  return buildRequestOptions(ctx, challenge, allow, "required");
}

/** A verified assertion of one of the caller's passkeys, or PASSKEY_REFUSED (recorded, counted on the account). */
export async function checkStepUpAssertion(
  ctx: DomainContext,
  principal: Principal,
  credential: string,
): Promise<CheckedAssertion> {
  try {
    return await checkAssertion(ctx, credential, {
      purpose: "reauthenticate",
      bindingHash: sessionBindingHash(sessionIdOf(principal)),
      requireUserVerification: true,
    });
  } catch (error) {
    if (!(error instanceof PasskeyCheckFailed)) throw error;
    await recordPasskeyFailure(ctx, failureOfCaller(error, principal), {
      throttleKey: accountThrottleKey(principal.user.email),
    });
    throw new AppError("PASSKEY_REFUSED");
  }
}

/** Runs the action's statements with the assertion's claim; losing the counter's race is a refusal. */
export async function runWithAssertion(
  ctx: DomainContext,
  assertion: CheckedAssertion,
  statements: Statement[],
): Promise<void> {
  try {
    await runBatch(ctx.db, [...assertion.claimStatements, ...statements]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("PASSKEY_REFUSED");
    throw error;
  }
}

/** Step-up by passkey: this session's sign-in is "recent" again, as after the password and a code. */
export async function confirmRecentSignInWithPasskey(
  ctx: DomainContext,
  principal: Principal,
  credential: string,
): Promise<void> {
  const sessionId = sessionIdOf(principal);
  const assertion = await checkStepUpAssertion(ctx, principal, credential);
  await runWithAssertion(ctx, assertion, [
    ctx.db.update(sessions).set({ authenticatedAt: ctx.now, lastSeenAt: ctx.now }).where(eq(sessions.id, sessionId)),
    assertPreviousWriteChangedOneRow(ctx.db),
    insertAuditEvent(ctx, {
      action: "session.reauthenticated",
      target: describeUser(principal.user),
      details: { method: "passkey", passkeyId: assertion.passkey.id, passkeyName: assertion.passkey.name },
    }),
  ]);
}
