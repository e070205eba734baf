// Finishing setup (docs/PRODUCT.md §2, docs/PASSKEYS.md "Credentials"): what the second step reads
// (the passkeys added with this link, the role's passkey policy) and the one batch that consumes
// the link, with the authenticator app (setup.ts completeSetup) or with passkeys alone
// (setup-passkeys.ts completeSetupWithPasskeys).
import { and, asc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { generateRecoveryCodes, replaceRecoveryCodeRows } from "../../auth/recovery-codes";
import { insertSession, type NewSession, prepareSession } from "../../auth/session";
import { forgetSetupTokenInKv } from "../../auth/setup-tokens";
import { accountThrottleKey, clearThrottle } from "../../auth/throttle";
import { runBatch } from "../../db/batch";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { type GlobalRole, passkeys, users } from "../../db/schema";
import { AppError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { supersedeSetupLinkEmails } from "../outbox";
import type { PasskeyRow } from "../passkeys/passkey-ceremonies";
import { isPasskeyRequiredFor, passkeysPerUserLimit, selectPasskeyRequiredRoles } from "../passkeys/passkeys-read";
import type { UserRow } from "../users/users";
import type { SetupState } from "./setup";

export interface CompletedSetup {
  user: UserRow;
  session: NewSession;
  recoveryCodes: string[];
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
      ...replaceRecoveryCodeRows(ctx.db, user.id, codes, ctx.now),
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
    if (isBatchGuardFailure(error)) throw new AppError("SETUP_LINK_INVALID");
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
