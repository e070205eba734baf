// A user's own account (docs/PRODUCT.md §9): display name and time zone, their sessions, password change
// (ends the other sessions), recovery codes, and the step-up that makes a sign-in "recent".
import { and, count, desc, eq, isNull } from "drizzle-orm";
import * as z from "zod";
import { findPasswordProblems, hashPassword, verifyPassword } from "../../auth/password";
import { generateRecoveryCodes, replaceRecoveryCodeRows } from "../../auth/recovery-codes";
import { deleteOtherUserSessions, deleteSession, isSessionLive } from "../../auth/session";
import { runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { recoveryCodes, sessions, users } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import type { Principal } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { buildSecurityNoticeEmail } from "../emails";
import { insertOutboxMessage } from "../outbox";
import { selectHasTotp } from "../passkeys/passkey-management";
import { checkStepUpAssertion, runWithAssertion } from "../passkeys/passkey-step-up";
import { selectUsablePasskeys } from "../passkeys/passkeys-read";
import { readOwnAccount, reauthenticate } from "../sign-in/reauthenticate";
import { recordSignInFailure } from "../sign-in/sign-in-failures";
import { displayNameSchema } from "../users/users";
import { selectOwnApiTokens } from "./api-tokens";

function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const profileSchema = z.strictObject({
  displayName: displayNameSchema,
  timeZone: z
    .string()
    .trim()
    .max(64)
    .refine(isKnownTimeZone, "Choose a time zone from the list, such as Europe/Berlin or UTC."),
});

export async function updateOwnProfile(
  ctx: DomainContext,
  principal: Principal,
  input: z.output<typeof profileSchema>,
): Promise<void> {
  const changed = (["displayName", "timeZone"] as const).filter((key) => input[key] !== principal.user[key]);
  if (changed.length === 0) return;
  await runBatch(ctx.db, [
    ctx.db
      .update(users)
      .set({ ...input, updatedAt: ctx.now })
      .where(eq(users.id, principal.user.id)),
    ...changed.map((field) =>
      insertAuditEvent(ctx, {
        action: field === "displayName" ? "user.display_name_changed" : "user.time_zone_changed",
        target: describeUser(principal.user),
        details: { from: principal.user[field], to: input[field] },
      }),
    ),
  ]);
}

/**
 * What the account page lists, in one batch: the caller's live sessions, their API tokens, how many
 * recovery codes are left, and their second factors (passkeys, an authenticator app or not).
 */
export async function readAccountOverview(ctx: DomainContext, principal: Principal) {
  const [sessionRows, tokens, codesLeft, passkeyRows, totpRows] = await ctx.db.batch([
    ctx.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, principal.user.id))
      .orderBy(desc(sessions.lastSeenAt))
      .limit(100),
    selectOwnApiTokens(ctx.db, principal.user.id),
    ctx.db
      .select({ value: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, principal.user.id), isNull(recoveryCodes.usedAt))),
    selectUsablePasskeys(ctx.db, principal.user.id),
    selectHasTotp(ctx.db, principal.user.id),
  ]);
  const current = principal.credential.kind === "session" ? principal.credential.sessionId : null;
  return {
    sessions: sessionRows
      .filter((row) => isSessionLive(row, ctx.now))
      .map((row) => ({ ...row, current: row.id === current })),
    tokens,
    recoveryCodesLeft: codesLeft[0]?.value ?? 0,
    passkeys: passkeyRows.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })),
    hasTotp: Boolean(totpRows[0]?.hasTotp),
  };
}

/** Ends one of the caller's sessions; returns where it was, for the message that confirms it. */
export async function endOwnSession(
  ctx: DomainContext,
  principal: Principal,
  sessionId: string,
): Promise<{ ip: string | null; userAgent: string | null }> {
  const [row] = await ctx.db
    .select({ id: sessions.id, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, principal.user.id)));
  if (!row) throw new AppError("NOT_FOUND");
  await runBatch(ctx.db, [
    deleteSession(ctx.db, row.id),
    insertAuditEvent(ctx, { action: "session.ended", target: describeUser(principal.user), details: { scope: "one" } }),
  ]);
  return { ip: row.ip, userAgent: row.userAgent };
}

export async function endOtherOwnSessions(ctx: DomainContext, principal: Principal): Promise<void> {
  if (principal.credential.kind !== "session") throw new AppError("FORBIDDEN");
  await runBatch(ctx.db, [
    deleteOtherUserSessions(ctx.db, principal.user.id, principal.credential.sessionId),
    insertAuditEvent(ctx, {
      action: "session.ended",
      target: describeUser(principal.user),
      details: { scope: "others" },
    }),
  ]);
}

export const changePasswordSchema = z.object({
  currentPassword: z.string().max(4096),
  newPassword: z.string().max(4096),
  newPasswordConfirmation: z.string().max(4096),
});

export async function changeOwnPassword(
  ctx: DomainContext,
  principal: Principal,
  input: z.output<typeof changePasswordSchema>,
): Promise<void> {
  if (principal.credential.kind !== "session") throw new AppError("FORBIDDEN");
  const { user, throttleKey, accountRow, administrators } = await readOwnAccount(ctx, principal);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordSignInFailure(ctx, {
      email: user.email,
      user,
      factor: "password",
      throttleKey,
      accountRow,
      reason: "password_change",
    });
    throw fieldError("currentPassword", "That is not your current password.");
  }
  const problems = findPasswordProblems(input.newPassword, user.email);
  if (problems.length > 0)
    throw new AppError("VALIDATION_FAILED", {
      fieldErrors: problems.map((message) => ({ field: "newPassword", message })),
    });
  if (input.newPassword !== input.newPasswordConfirmation)
    throw fieldError("newPasswordConfirmation", "The two passwords are not the same.");
  const app = ctx.config.APP_NAME;
  const notice = await buildSecurityNoticeEmail({
    appName: app,
    to: user.email,
    recipientName: user.firstName,
    timeZone: user.timeZone,
    subject: `Your ${app} password was changed`,
    message: `The password of your ${app} account was just changed, and your other sessions were signed out.`,
    reason: `the password of your ${app} account (${user.email}) was changed`,
    action: { label: "Review your account", url: `${ctx.config.APP_ORIGIN}/account` },
    administrators,
  });
  await runBatch(ctx.db, [
    ctx.db
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: ctx.now })
      .where(eq(users.id, user.id)),
    deleteOtherUserSessions(ctx.db, user.id, principal.credential.sessionId),
    insertAuditEvent(ctx, { action: "user.password_changed", target: describeUser(user), details: {} }),
    insertOutboxMessage(ctx.db, notice, ctx.now, { userId: user.id }),
  ]);
}

export const reauthenticationSchema = z.object({
  password: z.string().max(4096),
  code: z.string().max(64).default(""),
});

function replaceRecoveryCodes(
  ctx: DomainContext,
  user: { id: string; email: string; firstName: string; lastName: string },
  codes: string[],
) {
  return [
    ...replaceRecoveryCodeRows(ctx.db, user.id, codes, ctx.now),
    insertAuditEvent(ctx, { action: "user.recovery_codes_regenerated", target: describeUser(user), details: {} }),
  ];
}

/** New recovery codes after password + TOTP; the old ones stop working. Returns the codes, shown once. */
export async function regenerateRecoveryCodes(
  ctx: DomainContext,
  principal: Principal,
  input: z.output<typeof reauthenticationSchema>,
) {
  const { user, claimStatements } = await reauthenticate(ctx, principal, input);
  const codes = generateRecoveryCodes();
  try {
    await runBatch(ctx.db, [...claimStatements, ...replaceRecoveryCodes(ctx, user, codes)]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw fieldError("code", "That code was already used. Wait for the next one.");
    throw error;
  }
  return codes;
}

/** New recovery codes after a verified passkey assertion (the person's only proof when they have no TOTP). */
export async function regenerateRecoveryCodesWithPasskey(ctx: DomainContext, principal: Principal, credential: string) {
  const assertion = await checkStepUpAssertion(ctx, principal, credential);
  const codes = generateRecoveryCodes();
  await runWithAssertion(ctx, assertion, replaceRecoveryCodes(ctx, principal.user, codes));
  return codes;
}

/** Step-up: password + TOTP make this session's sign-in "recent" again (15 minutes). */
export async function confirmRecentSignIn(
  ctx: DomainContext,
  principal: Principal,
  input: z.output<typeof reauthenticationSchema>,
): Promise<void> {
  if (principal.credential.kind !== "session") throw new AppError("FORBIDDEN");
  const { user, claimStatements } = await reauthenticate(ctx, principal, input);
  try {
    await runBatch(ctx.db, [
      ...claimStatements,
      ctx.db
        .update(sessions)
        .set({ authenticatedAt: ctx.now, lastSeenAt: ctx.now })
        .where(eq(sessions.id, principal.credential.sessionId)),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, { action: "session.reauthenticated", target: describeUser(user), details: {} }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw fieldError("code", "That code was already used. Wait for the next one.");
    throw error;
  }
}
