// Regenerating (= resending) a pending user's setup link: a new token replaces the old one on the
// row, so the old link dies at once whatever KV still holds; the invite email is queued again. The
// passkeys added with the old link (still pending: a pending user has no other) go with it
// (docs/PASSKEYS.md "Credentials").
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { forgetSetupTokenInKv, prepareSetupToken, storeSetupTokenInKv } from "../../auth/setup-tokens";
import { runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { passkeys, users } from "../../db/schema";
import { AppError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { insertOutboxMessage, supersedeSetupLinkEmails } from "../outbox";
import { findManageableUser } from "../users/user-guards";
import { buildSetupUrl, deriveUserStatus, type UserRow } from "../users/users";
import { buildInviteEmailFor, freshInviteLink, type InviteResult } from "./invites";

/**
 * Issues a new setup link for a PENDING user and kills the old one at once (the row holds only
 * the new hash). The console's one "Send a new setup link" and the API's POST …/setup-link; both queue the email.
 */
export async function regenerateSetupLink(ctx: DomainContext, userId: string): Promise<InviteResult> {
  return issueNewSetupLink(ctx, await findManageableUser(ctx, userId));
}

/** The regeneration itself, for callers that already decided the actor may do it. */
export async function issueNewSetupLink(ctx: DomainContext, user: UserRow): Promise<InviteResult> {
  if (deriveUserStatus(user) !== "PENDING") {
    throw new AppError("STATE_CONFLICT", { detail: "Setup links can only be regenerated while the user is pending." });
  }
  const prepared = prepareSetupToken(ctx.now, ctx.config.SETUP_TOKEN_TTL_SECONDS);
  const setupUrl = buildSetupUrl(ctx.config.APP_ORIGIN, prepared.token);
  const email = await buildInviteEmailFor(ctx, user, setupUrl, prepared.expiresAt, true);
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({ ...freshInviteLink(prepared), updatedAt: ctx.now })
        .where(and(eq(users.id, user.id), isNull(users.activatedAt), isNull(users.deactivatedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      ctx.db.delete(passkeys).where(and(eq(passkeys.userId, user.id), isNotNull(passkeys.pendingSetupTokenHash))),
      insertAuditEvent(ctx, {
        action: "user.setup_link_regenerated",
        target: describeUser(user),
        details: { setupLinkExpiresAt: prepared.expiresAt.toISOString() },
      }),
      supersedeSetupLinkEmails(ctx.db, user.id),
      insertOutboxMessage(ctx.db, email, ctx.now, { userId: user.id, setupTokenHash: prepared.hash }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("STATE_CONFLICT", { detail: "The user is no longer pending." });
    throw error;
  }
  await forgetSetupTokenInKv(ctx.kv, user.setupTokenHash);
  await storeSetupTokenInKv(ctx.kv, prepared, user.id, "invite", ctx.now);
  return {
    user: { ...user, setupTokenHash: prepared.hash, setupTokenExpiresAt: prepared.expiresAt },
    setupUrl,
    setupLinkExpiresAt: prepared.expiresAt,
  };
}
