// Completing setup (docs/PRODUCT.md §2): password, then a second factor (passkeys, the authenticator
// app, or both; src/domain/invites/setup-passkeys.ts adds the passkeys), then recovery codes and a session.
//
// Opening a link never changes anything. The first step stores the chosen display name and
// password hash as *pending* on the row (re-doing it replaces them) and the link's one pending TOTP
// secret: the first step's write sets it, every later or parallel step of the same link gets that
// secret back, and only a new link (regenerated, or a new reset) clears it. So nobody scans a QR
// code that a parallel step has already made useless. The final step
// consumes the link in one batch: a conditional UPDATE that only matches while the token hash is
// still on the row, a guard that aborts the batch unless exactly that one row changed, then the
// recovery codes, the session and the audit event. Of N concurrent completions exactly one wins;
// no session exists before the password and a second factor are confirmed.
import { and, asc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { generateId } from "../../auth/crypto";
import { findPasswordProblems, hashPassword, verifyPassword } from "../../auth/password";
import { generateRecoveryCodes, hashRecoveryCode } from "../../auth/recovery-codes";
import { insertSession, type NewSession, prepareSession } from "../../auth/session";
import { forgetSetupTokenInKv, readSetupTokenHint } from "../../auth/setup-tokens";
import { accountThrottleKey, clearThrottle } from "../../auth/throttle";
import { findTotpStep, generateTotpSecret } from "../../auth/totp";
import { runBatch } from "../../db/batch";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { type GlobalRole, passkeys, recoveryCodes, users } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { supersedeSetupLinkEmails } from "../outbox";
import type { PasskeyRow } from "../passkeys/passkey-ceremonies";
import { isPasskeyRequiredFor, passkeysPerUserLimit, selectPasskeyRequiredRoles } from "../passkeys/passkeys-read";
import { enforceAccountThrottle, recordSignInFailure } from "../sign-in/sign-in-failures";
import type { UserRow } from "../users/users";

export interface SetupState {
  user: UserRow;
  tokenHash: string;
}

export function linkInvalid(): AppError {
  return new AppError("SETUP_LINK_INVALID");
}

/** The user a setup token belongs to while it is still valid, or null. Reads only. */
export async function findSetupState(ctx: DomainContext, token: string | undefined): Promise<SetupState | null> {
  const hint = await readSetupTokenHint(ctx.kv, token, ctx.now);
  if (hint.kind === "rejected") return null;
  // D1 decides: the hash must still be on the row (not used, not replaced) and not expired.
  const condition =
    hint.kind === "known"
      ? and(eq(users.id, hint.userId), eq(users.setupTokenHash, hint.hash))
      : eq(users.setupTokenHash, hint.hash);
  const [user] = await ctx.db
    .select()
    .from(users)
    .where(and(condition, gt(users.setupTokenExpiresAt, ctx.now), isNull(users.deactivatedAt), isNull(users.erasedAt)))
    .limit(1);
  if (!user) return null;
  const purposeFits = user.setupPurpose === "invite" ? user.activatedAt === null : user.activatedAt !== null;
  return purposeFits ? { user, tokenHash: hint.hash } : null;
}

/**
 * Stores a step's pending values while the link is valid and returns the link's pending TOTP secret.
 * The secret is written only where none is pending yet (COALESCE inside the one conditional UPDATE,
 * which the store runs one at a time), and RETURNING reads back whichever secret won (docs/SECURITY.md
 * "Setup links: one pending TOTP secret per link").
 */
async function storePendingSetup(
  ctx: DomainContext,
  state: SetupState,
  values: Pick<typeof users.$inferInsert, "pendingDisplayName" | "pendingPasswordHash">,
): Promise<string> {
  const [updated] = (await runBatch(ctx.db, [
    ctx.db
      .update(users)
      .set({
        ...values,
        pendingTotpSecret: sql`COALESCE(${users.pendingTotpSecret}, ${generateTotpSecret()})`,
        updatedAt: ctx.now,
      })
      .where(
        and(
          eq(users.id, state.user.id),
          eq(users.setupTokenHash, state.tokenHash),
          gt(users.setupTokenExpiresAt, ctx.now),
        ),
      )
      .returning({ pendingTotpSecret: users.pendingTotpSecret }),
    assertPreviousWriteChangedOneRow(ctx.db),
  ]).catch((error: unknown) => {
    throw isBatchGuardFailure(error) ? linkInvalid() : error;
  })) as [Array<{ pendingTotpSecret: string | null }>];
  const secret = updated[0]?.pendingTotpSecret;
  if (!secret) throw linkInvalid();
  return secret;
}

/** Invite, step 1: display name and password. Returns the link's TOTP secret to enroll. */
export async function choosePassword(
  ctx: DomainContext,
  state: SetupState,
  input: { displayName: string; password: string; passwordConfirmation: string },
): Promise<string> {
  if (state.user.setupPurpose !== "invite") throw linkInvalid();
  const problems = findPasswordProblems(input.password, state.user.email);
  if (problems.length > 0) {
    throw new AppError("VALIDATION_FAILED", {
      fieldErrors: problems.map((message) => ({ field: "password", message })),
    });
  }
  if (input.password !== input.passwordConfirmation) {
    throw fieldError("passwordConfirmation", "The two passwords are not the same.");
  }
  return storePendingSetup(ctx, state, {
    pendingDisplayName: input.displayName,
    pendingPasswordHash: await hashPassword(input.password),
  });
}

/**
 * Two-factor reset, step 1: the current password proves the person holding the link owns the
 * account (the password is kept). Failures count toward the account's sign-in lock.
 */
export async function confirmCurrentPassword(ctx: DomainContext, state: SetupState, password: string): Promise<string> {
  if (state.user.setupPurpose !== "reset_two_factor" || !state.user.passwordHash) throw linkInvalid();
  const throttleKey = accountThrottleKey(state.user.email);
  const accountRow = await enforceAccountThrottle(ctx, throttleKey);
  if (!(await verifyPassword(state.user.passwordHash, password))) {
    await recordSignInFailure(ctx, {
      email: state.user.email,
      user: state.user,
      factor: "password",
      throttleKey,
      accountRow,
    });
    throw fieldError("password", "That password is not right.");
  }
  return storePendingSetup(ctx, state, {});
}

export interface CompletedSetup {
  user: UserRow;
  session: NewSession;
  recoveryCodes: string[];
}

/** The second step reached: the first step stored its pending values (and the link's TOTP secret). */
export function hasChosenPassword(state: SetupState): boolean {
  const { user } = state;
  return user.pendingTotpSecret !== null && (user.setupPurpose !== "invite" || user.pendingPasswordHash !== null);
}

/** What the second step needs to know: the passkeys added with this link so far, and the role's policy. */
export interface SetupFactors {
  passkeys: Array<Pick<PasskeyRow, "id" | "name" | "credentialId" | "transports" | "createdAt">>;
  passkeyRequired: boolean;
}

/** One query (a batch of two reads). */
export async function readSetupFactors(ctx: DomainContext, state: SetupState): Promise<SetupFactors> {
  const [pending, policy] = (await runBatch(ctx.db, [
    ctx.db
      .select({
        id: passkeys.id,
        name: passkeys.name,
        credentialId: passkeys.credentialId,
        transports: passkeys.transports,
        createdAt: passkeys.createdAt,
      })
      .from(passkeys)
      .where(and(eq(passkeys.userId, state.user.id), eq(passkeys.pendingSetupTokenHash, state.tokenHash)))
      .orderBy(asc(passkeys.createdAt), asc(passkeys.id))
      .limit(passkeysPerUserLimit),
    selectPasskeyRequiredRoles(ctx.db),
  ])) as [SetupFactors["passkeys"], Array<{ role: GlobalRole }>];
  return { passkeys: pending, passkeyRequired: isPasskeyRequiredFor(policy, state.user.role) };
}

/** Final step with the authenticator app: a current TOTP code. Passkeys added with this link come along. */
export async function completeSetup(
  ctx: DomainContext,
  state: SetupState,
  code: string,
  client: { ip: string | null; userAgent: string | null },
): Promise<CompletedSetup> {
  const totpSecret = state.user.pendingTotpSecret;
  if (!totpSecret || !hasChosenPassword(state)) throw linkInvalid();
  const step = findTotpStep(totpSecret, code, ctx.now, null);
  if (step === null) {
    throw fieldError("code", "That code is not right. Check the time on your phone and enter the code it shows now.");
  }
  const factors = await readSetupFactors(ctx, state);
  if (factors.passkeyRequired && factors.passkeys.length === 0) {
    throw fieldError(
      "code",
      "Your role requires a passkey. Add a passkey first, then finish (the app can come along).",
    );
  }
  return finishSetup(
    ctx,
    state,
    { totp: { secret: totpSecret, step }, passkeyRequired: factors.passkeyRequired },
    client,
  );
}

/**
 * Consumes the link exactly once, in one batch: a conditional UPDATE that only matches while the
 * token hash is still on the row, a guard that aborts unless exactly that row changed, the passkeys
 * added with this link made usable, a guard that at least one was when no TOTP comes along (or the
 * role requires one), then the recovery codes, the session and the audit event.
 */
export async function finishSetup(
  ctx: DomainContext,
  state: SetupState,
  factors: { totp: { secret: string; step: number } | null; passkeyRequired: boolean },
  client: { ip: string | null; userAgent: string | null },
): Promise<CompletedSetup> {
  const { user } = state;
  const { totp } = factors;
  const codes = generateRecoveryCodes();
  const session = prepareSession(ctx.now);
  const enrolledAction = user.setupPurpose === "invite" ? "user.setup_completed" : "user.two_factor_enrolled";
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({
          passwordHash: sql`COALESCE(${users.pendingPasswordHash}, ${users.passwordHash})`,
          displayName: sql`COALESCE(${users.pendingDisplayName}, ${users.displayName})`,
          ...(totp ? { totpSecret: totp.secret, totpLastStep: totp.step } : {}),
          pendingDisplayName: null,
          pendingPasswordHash: null,
          pendingTotpSecret: null,
          setupTokenHash: null,
          setupTokenExpiresAt: null,
          setupPurpose: null,
          activatedAt: sql`COALESCE(${users.activatedAt}, ${ctx.now.getTime()})`,
          lastLoginAt: ctx.now,
          updatedAt: ctx.now,
        })
        .where(
          and(
            eq(users.id, user.id),
            eq(users.setupTokenHash, state.tokenHash),
            gt(users.setupTokenExpiresAt, ctx.now),
            totp ? eq(users.pendingTotpSecret, totp.secret) : isNotNull(users.pendingTotpSecret),
            isNull(users.deactivatedAt),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      ctx.db
        .update(passkeys)
        .set({ pendingSetupTokenHash: null })
        .where(and(eq(passkeys.userId, user.id), eq(passkeys.pendingSetupTokenHash, state.tokenHash))),
      ...(totp && !factors.passkeyRequired ? [] : [assertCondition(ctx.db, sql`changes() >= 1`)]),
      supersedeSetupLinkEmails(ctx.db, user.id),
      ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
      ctx.db.insert(recoveryCodes).values(
        codes.map((value) => ({
          id: generateId("rc"),
          userId: user.id,
          codeHash: hashRecoveryCode(value),
          createdAt: ctx.now,
        })),
      ),
      insertSession(ctx.db, session, user.id, ctx.now, client, {
        signInMethod: "setup",
        passkeyEnrolmentRequired: false,
      }),
      clearThrottle(ctx.db, accountThrottleKey(user.email)),
      insertAuditEvent(
        { ...ctx, actor: setupActor(user) },
        { action: enrolledAction, target: describeUser(user), details: { role: user.role } },
      ),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw linkInvalid();
    throw error;
  }
  await forgetSetupTokenInKv(ctx.kv, state.tokenHash);
  const displayName = user.pendingDisplayName ?? user.displayName;
  return { user: { ...user, displayName, activatedAt: user.activatedAt ?? ctx.now }, session, recoveryCodes: codes };
}

/** The invitee acting on their own account before a session exists, under the name they chose. */
export function setupActor(user: UserRow) {
  const displayName = user.pendingDisplayName ?? user.displayName;
  return { kind: "account" as const, user: { id: user.id, email: user.email, displayName } };
}
