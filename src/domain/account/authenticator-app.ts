// An authenticator app (TOTP) added or removed later, from /account (docs/PRODUCT.md §9). The new
// secret waits in KV, keyed by the session, until a code from it is confirmed: it never touches
// users.pending_totp_secret, which belongs to a setup link (an active user has none, and a two-factor
// reset would otherwise have to reason about two meanings). The secret is set only if the person
// still has none, and removed only while a usable passkey remains: never the last second factor.
import { and, eq, exists, isNotNull, isNull, sql } from "drizzle-orm";
import { findTotpStep, generateTotpSecret } from "../../auth/totp";
import { runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { passkeys, users } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import type { Principal } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { readOwnFactors, selectHasTotp, sessionIdOf } from "../passkeys/passkey-management";
import { assertRecentSignIn } from "../users/user-security";

/** Long enough to scan a code and type it twice; KV's shortest TTL is 60 seconds. */
export const pendingTotpSecretTtlSeconds = 10 * 60;

function pendingSecretKey(sessionId: string): string {
  return `account-totp:${sessionId}`;
}

function alreadyHasApp(): AppError {
  return new AppError("STATE_CONFLICT", {
    detail: "You already have an authenticator app. Remove it first to set up another one.",
  });
}

async function assertNoApp(ctx: DomainContext, userId: string): Promise<void> {
  const [row] = await selectHasTotp(ctx.db, userId);
  if (row?.hasTotp) throw alreadyHasApp();
}

/** The secret the caller's session is setting up: the one waiting in KV, or a new one stored there. */
export async function startAuthenticatorApp(ctx: DomainContext, principal: Principal): Promise<string> {
  assertRecentSignIn(ctx);
  const key = pendingSecretKey(sessionIdOf(principal));
  await assertNoApp(ctx, principal.user.id);
  const waiting = await ctx.kv.get(key);
  if (waiting) return waiting;
  const secret = generateTotpSecret();
  await ctx.kv.put(key, secret, { expirationTtl: pendingTotpSecretTtlSeconds });
  return secret;
}

/** A code from the waiting secret makes it the caller's TOTP secret; the code's step is spent. */
export async function confirmAuthenticatorApp(ctx: DomainContext, principal: Principal, code: string): Promise<void> {
  assertRecentSignIn(ctx);
  const key = pendingSecretKey(sessionIdOf(principal));
  const secret = await ctx.kv.get(key);
  if (!secret)
    throw fieldError("code", "This QR code has expired. Scan the new one below and enter the code it shows.");
  const step = findTotpStep(secret, code, ctx.now, null);
  if (step === null)
    throw fieldError("code", "That code is not right. Enter the six digits your app shows now for Gatehouse.");
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({ totpSecret: secret, totpLastStep: step, updatedAt: ctx.now })
        .where(and(eq(users.id, principal.user.id), isNull(users.totpSecret))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, { action: "user.authenticator_app_added", target: describeUser(principal.user) }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw alreadyHasApp();
    throw error;
  }
  await ctx.kv.delete(key);
}

/** Why the authenticator app cannot go (it is the last second factor), or null. */
export function refusalToRemoveAuthenticatorApp(factors: { passkeys: readonly unknown[] }): string | null {
  if (factors.passkeys.length > 0) return null;
  return "Your authenticator app is your only way to confirm it's you after your password. Add a passkey before you remove it.";
}

/** Removes the caller's TOTP secret, only while a usable passkey remains (re-checked by the write). */
export async function removeAuthenticatorApp(ctx: DomainContext, principal: Principal): Promise<void> {
  assertRecentSignIn(ctx);
  sessionIdOf(principal);
  const factors = await readOwnFactors(ctx, principal);
  if (!factors.hasTotp) throw new AppError("NOT_FOUND");
  const refusal = refusalToRemoveAuthenticatorApp(factors);
  if (refusal) throw new AppError("STATE_CONFLICT", { detail: refusal });
  const userId = principal.user.id;
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({ totpSecret: null, totpLastStep: null, updatedAt: ctx.now })
        .where(
          and(
            eq(users.id, userId),
            isNotNull(users.totpSecret),
            exists(
              ctx.db
                .select({ one: sql`1` })
                .from(passkeys)
                .where(and(eq(passkeys.userId, userId), isNull(passkeys.pendingSetupTokenHash))),
            ),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, { action: "user.authenticator_app_removed", target: describeUser(principal.user) }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error))
      throw new AppError("STATE_CONFLICT", { detail: refusalToRemoveAuthenticatorApp({ passkeys: [] }) ?? "" });
    throw error;
  }
}
