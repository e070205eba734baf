// A person's own passkeys (docs/PASSKEYS.md): adding one from /account or /enrol-passkey, renaming
// and removing it. The model: a ceremony is bound to the session that asked for it (the SHA-256 of
// the session id), so a credential carried to another browser answers nothing. Never the last
// second factor, and under the role's policy never the last passkey: the removal's own conditional
// delete re-checks both, so two removals racing cannot leave the person with nothing.
import { and, eq, exists, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import { generateId, hashToken } from "../../auth/crypto";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { passkeys, sessions, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { Principal } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { assertRecentSignIn } from "../users/user-security";
import type { UserRow } from "../users/users";
import {
  buildCreationOptions,
  type CheckedRegistration,
  checkRegistration,
  insertPasskey,
  PasskeyCheckFailed,
} from "./passkey-ceremonies";
import { issuePasskeyChallenge } from "./passkey-challenges";
import { recordPasskeyFailure } from "./passkey-failures";
import {
  isPasskeyRequiredFor,
  passkeysPerUserLimit,
  selectPasskeyRequiredRoles,
  selectUsablePasskeys,
} from "./passkeys-read";

/** What binds a ceremony to the session that asked for it (docs/PASSKEYS.md "Challenges"). */
export function sessionBindingHash(sessionId: string): string {
  return hashToken(sessionId);
}

/** The caller's session id: passkeys are managed from a browser session, never with an API token. */
export function sessionIdOf(principal: Principal): string {
  if (principal.credential.kind !== "session") throw new AppError("FORBIDDEN");
  return principal.credential.sessionId;
}

/**
 * The failure a refused ceremony records, naming the caller when the ceremony could not: only the
 * identity fields (id, email, names) are read by recordPasskeyFailure.
 */
export function failureOfCaller(failure: PasskeyCheckFailed, principal: Principal): PasskeyCheckFailed {
  if (failure.user) return failure;
  return new PasskeyCheckFailed(failure.reason, principal.user as unknown as UserRow, failure.passkey);
}

/** Whether the user has an authenticator app (TOTP secret), never the secret; alone or in a batch. */
export function selectHasTotp(db: DomainContext["db"], userId: string) {
  return db
    .select({ hasTotp: isNotNull(users.totpSecret) })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
}

/** The caller's second factors and the policy, in one batch: usable passkeys, a TOTP secret or not, passkey required or not. */
export async function readOwnFactors(ctx: DomainContext, principal: Principal) {
  const [passkeyRows, userRows, policyRows] = await ctx.db.batch([
    selectUsablePasskeys(ctx.db, principal.user.id),
    selectHasTotp(ctx.db, principal.user.id),
    selectPasskeyRequiredRoles(ctx.db),
  ]);
  return {
    passkeys: passkeyRows,
    hasTotp: Boolean(userRows[0]?.hasTotp),
    passkeyRequired: isPasskeyRequiredFor(policyRows, principal.user.role),
  };
}

/**
 * From /account a passkey is added after a recent sign-in; from /enrol-passkey (`enrolment`) the
 * person has just signed in and the policy confines the session to this one thing.
 */
export interface RegistrationSource {
  enrolment: boolean;
}

/** The creation options for a new passkey of the caller, with a `register` challenge bound to their session. */
export async function startPasskeyRegistration(ctx: DomainContext, principal: Principal, source: RegistrationSource) {
  const sessionId = sessionIdOf(principal);
  if (!source.enrolment) assertRecentSignIn(ctx);
  const existing = await selectUsablePasskeys(ctx.db, principal.user.id);
  if (existing.length >= passkeysPerUserLimit) throw tooManyPasskeys();
  const challenge = await issuePasskeyChallenge(ctx, {
    purpose: "register",
    userId: principal.user.id,
    bindingHash: sessionBindingHash(sessionId),
  });
  return buildCreationOptions(ctx, principal.user, challenge, existing);
}

function tooManyPasskeys(): AppError {
  return new AppError("STATE_CONFLICT", {
    detail: `You already have ${passkeysPerUserLimit} passkeys, the most one person may have. Remove one you no longer use first.`,
  });
}

/**
 * Adds the passkey the browser created for the caller's `register` challenge. From /enrol-passkey,
 * the session the policy confined (passkeyEnrolmentRequired) is released in the same batch.
 */
export async function addPasskey(
  ctx: DomainContext,
  principal: Principal,
  input: { name: string; credential: string },
  source: RegistrationSource,
): Promise<{ id: string; name: string }> {
  const sessionId = sessionIdOf(principal);
  if (!source.enrolment) assertRecentSignIn(ctx);
  const registration = await checkOwnRegistration(ctx, principal, input.credential, sessionId);
  const id = generateId("pk");
  const statements: Statement[] = [
    insertPasskey(ctx, { id, userId: principal.user.id, name: input.name, registration }),
    insertAuditEvent(ctx, {
      action: "user.passkey_added",
      target: describeUser(principal.user),
      details: { passkeyId: id, passkeyName: input.name },
    }),
  ];
  if (source.enrolment) {
    statements.push(ctx.db.update(sessions).set({ passkeyEnrolmentRequired: false }).where(eq(sessions.id, sessionId)));
  }
  await runBatch(ctx.db, statements);
  return { id, name: input.name };
}

async function checkOwnRegistration(
  ctx: DomainContext,
  principal: Principal,
  credential: string,
  sessionId: string,
): Promise<CheckedRegistration> {
  try {
    const registration = await checkRegistration(ctx, credential, {
      purpose: "register",
      bindingHash: sessionBindingHash(sessionId),
    });
    // One read: the caller's passkeys (for the limit) and any passkey with this credential id.
    const rows = await ctx.db
      .select({ userId: passkeys.userId, credentialId: passkeys.credentialId })
      .from(passkeys)
      .where(or(eq(passkeys.userId, principal.user.id), eq(passkeys.credentialId, registration.credentialId)))
      .limit(passkeysPerUserLimit + 2);
    if (rows.some((row) => row.credentialId === registration.credentialId))
      throw new PasskeyCheckFailed("already_registered", null, null);
    if (rows.filter((row) => row.userId === principal.user.id).length >= passkeysPerUserLimit) throw tooManyPasskeys();
    return registration;
  } catch (error) {
    if (!(error instanceof PasskeyCheckFailed)) throw error;
    await recordPasskeyFailure(ctx, failureOfCaller(error, principal), { throttleKey: null });
    throw new AppError("PASSKEY_REFUSED");
  }
}

/** One of the caller's usable passkeys; another person's (or an unknown) id is NOT_FOUND. */
export function findOwnPasskey(factors: Awaited<ReturnType<typeof readOwnFactors>>, passkeyId: string) {
  const passkey = factors.passkeys.find((row) => row.id === passkeyId);
  if (!passkey) throw new AppError("NOT_FOUND");
  return passkey;
}

export async function renamePasskey(
  ctx: DomainContext,
  principal: Principal,
  passkeyId: string,
  name: string,
): Promise<void> {
  assertRecentSignIn(ctx);
  const [passkey] = await ctx.db
    .select({ id: passkeys.id, name: passkeys.name })
    .from(passkeys)
    .where(
      and(eq(passkeys.id, passkeyId), eq(passkeys.userId, principal.user.id), isNull(passkeys.pendingSetupTokenHash)),
    )
    .limit(1);
  if (!passkey) throw new AppError("NOT_FOUND");
  if (passkey.name === name) return;
  await runBatch(ctx.db, [
    ctx.db.update(passkeys).set({ name }).where(eq(passkeys.id, passkey.id)),
    insertAuditEvent(ctx, {
      action: "user.passkey_renamed",
      target: describeUser(principal.user),
      details: { passkeyId: passkey.id, passkeyName: name, from: passkey.name },
    }),
  ]);
}

/** Why this passkey cannot go, or null: it is the last second factor, or the last passkey under the policy. */
export function refusalToRemovePasskey(factors: Awaited<ReturnType<typeof readOwnFactors>>): string | null {
  if (factors.passkeys.length > 1) return null;
  if (factors.passkeyRequired)
    return "Your role requires a passkey, so your last passkey cannot be removed. Add another passkey first.";
  if (!factors.hasTotp)
    return "This is your last way to confirm it's you after your password. Add another passkey or an authenticator app first.";
  return null;
}

export async function removePasskey(ctx: DomainContext, principal: Principal, passkeyId: string): Promise<void> {
  assertRecentSignIn(ctx);
  const factors = await readOwnFactors(ctx, principal);
  const passkey = findOwnPasskey(factors, passkeyId);
  const refusal = refusalToRemovePasskey(factors);
  if (refusal) throw new AppError("STATE_CONFLICT", { detail: refusal });
  const userId = principal.user.id;
  // Re-checked by the delete itself: another usable passkey, or (without the policy) a TOTP secret.
  const another = exists(
    ctx.db
      .select({ one: sql`1` })
      .from(passkeys)
      .where(and(eq(passkeys.userId, userId), ne(passkeys.id, passkey.id), isNull(passkeys.pendingSetupTokenHash))),
  );
  const totp = exists(
    ctx.db
      .select({ one: sql`1` })
      .from(users)
      .where(and(eq(users.id, userId), isNotNull(users.totpSecret))),
  );
  try {
    await runBatch(ctx.db, [
      ctx.db
        .delete(passkeys)
        .where(
          and(
            eq(passkeys.id, passkey.id),
            eq(passkeys.userId, userId),
            factors.passkeyRequired ? another : or(another, totp),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "user.passkey_removed",
        target: describeUser(principal.user),
        details: { passkeyId: passkey.id, passkeyName: passkey.name },
      }),
    ]);
  } catch (error) {
    if (!isBatchGuardFailure(error)) throw error;
    throw new AppError("STATE_CONFLICT", {
      detail: "Your second factors changed meanwhile: this passkey is now your last one. Add another first.",
    });
  }
}
