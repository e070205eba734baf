// A refused passkey ceremony (docs/PASSKEYS.md "Throttling"): counted on the client address and,
// when the passkey's owner is known, on the throttle the flow names: its own key for "Sign in with a
// passkey" (the password lock guards password guessing and does not block it), the account's for a
// passkey as the second step. Audited with the reason; a counter that went backwards is audited on
// its own as well, since it means a cloned authenticator.
import {
  addressThrottleKey,
  failureLocksAccount,
  recordAccountFailure,
  recordAddressFailure,
  type ThrottleRow,
} from "../../auth/throttle";
import { runBatch, type Statement } from "../../db/batch";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import type { PasskeyCheckFailed } from "./passkey-ceremonies";

/** The throttle of "Sign in with a passkey" for one account, apart from the password's. */
export function passkeyThrottleKey(normalizedEmail: string): string {
  return `passkey:${normalizedEmail}`;
}

export async function recordPasskeyFailure(
  ctx: DomainContext,
  failure: PasskeyCheckFailed,
  options: { throttleKey: string | null; throttleRow?: ThrottleRow | undefined; extra?: Statement[] },
): Promise<void> {
  const user = failure.user;
  const auditCtx = { ...ctx, actor: { kind: "anonymous" as const, email: user?.email ?? null } };
  const target = user ? { target: describeUser(user) } : {};
  const statements: Statement[] = [
    ...(options.extra ?? []),
    recordAddressFailure(ctx.db, addressThrottleKey(ctx.ip), ctx.now),
    insertAuditEvent(auditCtx, {
      action: "session.sign_in_failed",
      ...target,
      details: {
        factor: "passkey",
        reason: failure.reason,
        ...(failure.passkey ? { passkeyId: failure.passkey.id } : {}),
      },
    }),
  ];
  if (options.throttleKey && user) {
    statements.push(recordAccountFailure(ctx.db, options.throttleKey, ctx.now));
    if (failureLocksAccount(options.throttleRow, ctx.now)) {
      statements.push(
        insertAuditEvent(auditCtx, { action: "session.account_locked", ...target, details: { minutes: 15 } }),
      );
    }
  }
  if (failure.reason === "counter_regressed" && failure.passkey) {
    statements.push(
      insertAuditEvent(auditCtx, {
        action: "session.passkey_counter_regressed",
        ...target,
        details: {
          passkeyId: failure.passkey.id,
          passkeyName: failure.passkey.name,
          storedCount: failure.passkey.signCount,
        },
      }),
    );
  }
  await runBatch(ctx.db, statements);
}
