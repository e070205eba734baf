// Passkeys added during setup (docs/PASSKEYS.md "Credentials", "Challenges"). The challenge is bound
// to the setup link (the SHA-256 of its token, as the setup cookie carries it), so only the browser
// holding that link can answer it. A passkey added here carries the link's token hash
// (`pending_setup_token_hash`) and signs nobody in until the setup finishes with that same link:
// finishing clears the hash in the batch that consumes the link; a new link deletes the pending
// passkeys (setup-links.ts); an expired link leaves them pending, so unusable, for good.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { generateId } from "../../auth/crypto";
import { isUniqueViolation, runBatch } from "../../db/batch";
import { assertCondition, isBatchGuardFailure } from "../../db/guards";
import { passkeys, users } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import {
  buildCreationOptions,
  type CheckedRegistration,
  checkRegistration,
  insertPasskey,
  PasskeyCheckFailed,
} from "../passkeys/passkey-ceremonies";
import { issuePasskeyChallenge } from "../passkeys/passkey-challenges";
import { recordPasskeyFailure } from "../passkeys/passkey-failures";
import { passkeysPerUserLimit } from "../passkeys/passkeys-read";
import {
  type CompletedSetup,
  finishSetup,
  hasChosenPassword,
  linkInvalid,
  readSetupFactors,
  type SetupState,
  setupActor,
} from "./setup";

function requireSecondStep(state: SetupState): void {
  if (!hasChosenPassword(state)) throw linkInvalid();
}

/**
 * The options of "Add a passkey" at setup: a `setup` challenge for the invitee, bound to the link,
 * excluding the passkeys already added with this link (so one authenticator is not added twice).
 */
export async function startSetupPasskey(ctx: DomainContext, state: SetupState) {
  requireSecondStep(state);
  const added = await ctx.db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(and(eq(passkeys.userId, state.user.id), eq(passkeys.pendingSetupTokenHash, state.tokenHash)))
    .limit(passkeysPerUserLimit);
  const challenge = await issuePasskeyChallenge(ctx, {
    purpose: "setup",
    userId: state.user.id,
    bindingHash: state.tokenHash,
  });
  const { user } = state;
  return buildCreationOptions(
    ctx,
    { id: user.id, email: user.email, displayName: user.pendingDisplayName ?? user.displayName },
    challenge,
    added,
  );
}

async function refuseRegistration(ctx: DomainContext, state: SetupState, failure: PasskeyCheckFailed): Promise<never> {
  // The attempt's owner is known from the link: the audit event names them.
  await recordPasskeyFailure(ctx, new PasskeyCheckFailed(failure.reason, state.user, null), { throttleKey: null });
  throw new AppError("PASSKEY_REFUSED");
}

async function checkSetupRegistration(
  ctx: DomainContext,
  state: SetupState,
  credential: string,
): Promise<CheckedRegistration> {
  try {
    const registration = await checkRegistration(ctx, credential, { purpose: "setup", bindingHash: state.tokenHash });
    if (registration.userId !== state.user.id) throw new PasskeyCheckFailed("challenge_unknown", null, null);
    return registration;
  } catch (error) {
    if (error instanceof PasskeyCheckFailed) return refuseRegistration(ctx, state, error);
    throw error;
  }
}

/**
 * "Add a passkey" at setup: checks the registration against the link's challenge and stores the
 * passkey as pending for this link. The batch stands only while the link is still live (a link
 * replaced in between would leave a pending passkey nobody can finish) and the person is under
 * the passkey limit.
 */
export async function addSetupPasskey(
  ctx: DomainContext,
  state: SetupState,
  input: { name: string; credential: string },
): Promise<{ id: string }> {
  requireSecondStep(state);
  const registration = await checkSetupRegistration(ctx, state, input.credential);
  const { user } = state;
  const id = generateId("pk");
  try {
    await runBatch(ctx.db, [
      assertCondition(ctx.db, sql`EXISTS (SELECT 1 FROM ${users} WHERE ${liveLink(ctx, state)})`),
      insertPasskey(ctx, {
        id,
        userId: user.id,
        name: input.name,
        registration,
        pendingSetupTokenHash: state.tokenHash,
      }),
      // The insert counts itself: past the limit, the batch aborts.
      assertCondition(
        ctx.db,
        sql`(SELECT count(*) FROM ${passkeys} WHERE ${eq(passkeys.userId, user.id)}) <= ${passkeysPerUserLimit}`,
      ),
      insertAuditEvent(
        { ...ctx, actor: setupActor(user) },
        {
          action: "user.passkey_added",
          target: describeUser(user),
          details: { passkeyId: id, passkeyName: input.name },
        },
      ),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "passkeys.credential_id")) {
      return refuseRegistration(ctx, state, new PasskeyCheckFailed("already_registered", null, null));
    }
    if (!isBatchGuardFailure(error)) throw error;
    // Which guard: a link that is gone, or the limit (refusals only, so the extra read is off the budget).
    if (!(await isLinkLive(ctx, state))) throw linkInvalid();
    throw fieldError("name", `You can keep at most ${passkeysPerUserLimit} passkeys.`);
  }
  return { id };
}

async function isLinkLive(ctx: DomainContext, state: SetupState): Promise<boolean> {
  const [row] = await ctx.db.select({ id: users.id }).from(users).where(liveLink(ctx, state)).limit(1);
  return row !== undefined;
}

/** The user row while this link is still on it, unexpired, and the user not deactivated. */
function liveLink(ctx: DomainContext, state: SetupState) {
  return and(
    eq(users.id, state.user.id),
    eq(users.setupTokenHash, state.tokenHash),
    gt(users.setupTokenExpiresAt, ctx.now),
    isNull(users.deactivatedAt),
  );
}

/**
 * "Finish setup" with the passkeys added so far and no authenticator app: activates the account like
 * completeSetup and makes those passkeys usable in the same batch. At least one is required.
 */
export async function completeSetupWithPasskeys(
  ctx: DomainContext,
  state: SetupState,
  client: { ip: string | null; userAgent: string | null },
): Promise<CompletedSetup> {
  requireSecondStep(state);
  const factors = await readSetupFactors(ctx, state);
  if (factors.passkeys.length === 0) {
    throw new AppError("VALIDATION_FAILED", {
      detail: "Add a passkey or set up your authenticator app first: you need at least one to sign in.",
    });
  }
  return finishSetup(ctx, state, { totp: null, passkeyRequired: factors.passkeyRequired }, client);
}
