// Security actions an administrator takes on another user (docs/PRODUCT.md §2 "Second factor reset and recovery codes", §9):
// reset two-factor (lost phone), end their sessions, clear a sign-in lock, and GDPR erasure.
import { and, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { deleteUserSessions, hasRecentSignIn } from "../../auth/session";
import { forgetSetupTokenInKv, prepareSetupToken, storeSetupTokenInKv } from "../../auth/setup-tokens";
import { accountThrottleKey, clearThrottle } from "../../auth/throttle";
import { runBatch } from "../../db/batch";
import type { Db } from "../../db/client";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import {
  accessGroupMembers,
  apiTokens,
  memberships,
  outbox,
  passkeyChallenges,
  passkeys,
  recoveryCodes,
  signInChallenges,
  users,
} from "../../db/schema";
import { AppError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import { type DomainContext, snapshotActor } from "../context";
import { buildTwoFactorResetEmail, emailPersonOf } from "../emails";
import type { InviteResult } from "../invites/invites";
import { insertOutboxMessage, supersedeSetupLinkEmails } from "../outbox";
import { selectUserWithPermissions, toUserWithPermissions } from "./permissions-of";
import { assertManageable, assertNotSelf, findManageableUser } from "./user-guards";
import { buildSetupUrl, deriveUserStatus, type UserRow } from "./users";

/** Sensitive actions need a sign-in proven in this session within the last 15 minutes (password and code, or a passkey). */
export function assertRecentSignIn(ctx: DomainContext): void {
  if (ctx.actor.kind === "system") return;
  const credential = ctx.actor.kind === "user" ? ctx.actor.principal.credential : null;
  if (credential?.kind !== "session" || !hasRecentSignIn(credential, ctx.now)) {
    throw new AppError("RECENT_SIGN_IN_REQUIRED", {
      detail:
        "For this action, confirm it's you again (your password and a code, or a passkey) within the last 15 minutes.",
    });
  }
}

/**
 * Deletes every passkey of the user (those of an unfinished setup too) and the challenges issued
 * for them. With `expected`, the batch aborts unless exactly that many passkeys went: the audit
 * event says how many were removed, and a passkey added since they were counted must not be missed.
 */
function deletePasskeysOf(db: Db, userId: string, expected?: number) {
  return [
    db.delete(passkeys).where(eq(passkeys.userId, userId)),
    ...(expected === undefined ? [] : [assertCondition(db, sql`changes() = ${expected}`)]),
    db.delete(passkeyChallenges).where(eq(passkeyChallenges.userId, userId)),
  ];
}

/**
 * Lost phone or lost passkeys: removes every second factor (the TOTP secret, every passkey, the
 * recovery codes), ends every session, and issues a setup link that enrols a new one (the password
 * is kept). The user stays ACTIVE but cannot sign in until they enrol; they are told by email.
 */
export async function resetTwoFactor(ctx: DomainContext, userId: string): Promise<InviteResult> {
  assertRecentSignIn(ctx);
  const [userRows, permissionRows, passkeyCounts] = await ctx.db.batch([
    ...selectUserWithPermissions(ctx.db, userId),
    ctx.db.select({ value: count() }).from(passkeys).where(eq(passkeys.userId, userId)),
  ]);
  const user = assertManageable(ctx, toUserWithPermissions(userRows, permissionRows));
  const passkeysRemoved = passkeyCounts[0]?.value ?? 0;
  assertNotSelf(ctx, user, "reset the two-factor authentication of");
  if (deriveUserStatus(user) !== "ACTIVE")
    throw new AppError("STATE_CONFLICT", { detail: "Only an active user's two-factor can be reset." });
  const prepared = prepareSetupToken(ctx.now, ctx.config.SETUP_TOKEN_TTL_SECONDS);
  const setupUrl = buildSetupUrl(ctx.config.APP_ORIGIN, prepared.token);
  const email = await buildTwoFactorResetEmail({
    appName: ctx.config.APP_NAME,
    to: user.email,
    recipientName: user.firstName,
    timeZone: user.timeZone,
    resetBy: emailPersonOf(ctx.actor),
    setupUrl,
    expiresAt: prepared.expiresAt,
  });
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({
          totpSecret: null,
          totpLastStep: null,
          setupTokenHash: prepared.hash,
          setupTokenExpiresAt: prepared.expiresAt,
          setupPurpose: "reset_two_factor",
          pendingDisplayName: null,
          pendingPasswordHash: null,
          pendingTotpSecret: null,
          updatedAt: ctx.now,
        })
        .where(and(eq(users.id, user.id), isNotNull(users.activatedAt), isNull(users.deactivatedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      deleteUserSessions(ctx.db, user.id),
      ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
      ctx.db.delete(signInChallenges).where(eq(signInChallenges.userId, user.id)),
      ...deletePasskeysOf(ctx.db, user.id, passkeysRemoved),
      insertAuditEvent(ctx, {
        action: "user.two_factor_reset",
        target: describeUser(user),
        details: { setupLinkExpiresAt: prepared.expiresAt.toISOString(), passkeysRemoved },
      }),
      supersedeSetupLinkEmails(ctx.db, user.id),
      insertOutboxMessage(ctx.db, email, ctx.now, { userId: user.id, setupTokenHash: prepared.hash }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error))
      throw new AppError("STATE_CONFLICT", {
        detail: "The user is no longer active, or added a passkey meanwhile. Reload the page and try again.",
      });
    throw error;
  }
  await forgetSetupTokenInKv(ctx.kv, user.setupTokenHash);
  await storeSetupTokenInKv(ctx.kv, prepared, user.id, "reset_two_factor", ctx.now);
  return { user, setupUrl, setupLinkExpiresAt: prepared.expiresAt };
}

/** Returns the user as read before, so the page can say whose sessions ended. */
export async function endUserSessions(ctx: DomainContext, userId: string): Promise<UserRow> {
  const user = await findManageableUser(ctx, userId);
  await runBatch(ctx.db, [
    deleteUserSessions(ctx.db, user.id),
    insertAuditEvent(ctx, { action: "user.sessions_ended", target: describeUser(user), details: {} }),
  ]);
  return user;
}

/** docs/SECURITY.md: a SUPER_ADMIN can clear an account's sign-in lock (audited). */
export async function clearSignInLock(ctx: DomainContext, userId: string): Promise<UserRow> {
  if (ctx.actor.kind !== "user" || ctx.actor.principal.user.role !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can clear a sign-in lock." });
  }
  const user = await findManageableUser(ctx, userId);
  await runBatch(ctx.db, [
    clearThrottle(ctx.db, accountThrottleKey(user.email)),
    insertAuditEvent(ctx, { action: "user.sign_in_lock_cleared", target: describeUser(user), details: {} }),
  ]);
  return user;
}

/**
 * GDPR erasure (SUPER_ADMIN, deactivated users only): the row becomes a tombstone, memberships are
 * revoked, credentials and mail copies go. Audit rows keep their snapshots: security logging is
 * retained by design and the database refuses to change it (docs/DECISIONS.md).
 */
export async function eraseUser(ctx: DomainContext, userId: string): Promise<UserRow> {
  assertRecentSignIn(ctx);
  if (ctx.actor.kind !== "user" || ctx.actor.principal.user.role !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can erase a user." });
  }
  const user = await findManageableUser(ctx, userId);
  assertNotSelf(ctx, user, "erase");
  if (!user.deactivatedAt)
    throw new AppError("STATE_CONFLICT", { detail: "Deactivate the user before erasing their personal data." });
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({
          email: `erased-${user.id}@erased.invalid`,
          firstName: "Erased",
          lastName: "user",
          displayName: "Erased user",
          slackId: null,
          passwordHash: null,
          totpSecret: null,
          totpLastStep: null,
          setupTokenHash: null,
          setupTokenExpiresAt: null,
          setupPurpose: null,
          pendingDisplayName: null,
          pendingPasswordHash: null,
          pendingTotpSecret: null,
          erasedAt: ctx.now,
          updatedAt: ctx.now,
        })
        .where(and(eq(users.id, user.id), isNotNull(users.deactivatedAt), isNull(users.erasedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      ctx.db
        .update(memberships)
        .set({
          revokedAt: ctx.now,
          revokeReason: "user_erased",
          revokedBy: snapshotActor(ctx.actor).id,
          updatedAt: ctx.now,
        })
        .where(and(eq(memberships.userId, user.id), isNull(memberships.revokedAt))),
      ctx.db.delete(accessGroupMembers).where(eq(accessGroupMembers.userId, user.id)),
      ctx.db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
      deleteUserSessions(ctx.db, user.id),
      ctx.db.delete(signInChallenges).where(eq(signInChallenges.userId, user.id)),
      ...deletePasskeysOf(ctx.db, user.id),
      ctx.db.delete(apiTokens).where(eq(apiTokens.userId, user.id)),
      clearThrottle(ctx.db, accountThrottleKey(user.email)),
      supersedeSetupLinkEmails(ctx.db, user.id),
      ctx.db
        .update(outbox)
        .set({ toAddress: "erased", subject: "[erased]", textBody: "[erased]", htmlBody: "[erased]" })
        .where(eq(outbox.userId, user.id)),
      insertAuditEvent(ctx, {
        action: "user.erased",
        target: { type: "user", id: user.id, label: `erased user ${user.id}` },
        details: { erasedFields: ["email", "names", "slackId", "credentials", "outbox copies"] },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error))
      throw new AppError("STATE_CONFLICT", { detail: "The user is not deactivated or was already erased." });
    throw error;
  }
  // The row as it was: the only place left that still knows whose data this was, for the page's message.
  return user;
}
