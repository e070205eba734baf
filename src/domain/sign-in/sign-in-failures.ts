// Failed attempts of any factor: count them per account and per client address, lock at the
// limits, and audit each failure (and the lock) with the failing factor, never the secret.
import {
  accountThrottleKey,
  addressThrottleKey,
  failureLocksAccount,
  findThrottleDelaySeconds,
  recordAccountFailure,
  recordAddressFailure,
  selectThrottles,
  type ThrottleRow,
} from "../../auth/throttle";
import { runBatch, type Statement } from "../../db/batch";
import { AppError } from "../../errors";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import type { UserRow } from "../users/users";

export type SignInFactor = "password" | "totp" | "recovery_code" | "setup_password";

export function throttledError(retryAfterSeconds: number): AppError {
  return new AppError("THROTTLED", { retryAfterSeconds });
}

/** Throws THROTTLED while the account or the client address is locked. Returns the account row. */
export function assertNotThrottled(rows: ThrottleRow[], now: Date): void {
  const delay = findThrottleDelaySeconds(rows, now);
  if (delay > 0) throw throttledError(delay);
}

/** The throttles of an account and of the client's address, to run alone or inside a db.batch(). */
export function selectAccountThrottles(ctx: DomainContext, throttleKey: string) {
  return selectThrottles(ctx.db, [throttleKey, addressThrottleKey(ctx.ip)]);
}

/** THROTTLED while the account or the address is locked; otherwise the account's row, if any. */
export function checkAccountThrottle(rows: ThrottleRow[], throttleKey: string, now: Date): ThrottleRow | undefined {
  assertNotThrottled(rows, now);
  return rows.find((row) => row.key === throttleKey);
}

export async function enforceAccountThrottle(
  ctx: DomainContext,
  throttleKey: string,
): Promise<ThrottleRow | undefined> {
  return checkAccountThrottle(await selectAccountThrottles(ctx, throttleKey), throttleKey, ctx.now);
}

export async function recordSignInFailure(
  ctx: DomainContext,
  failure: {
    email: string;
    user: UserRow | null;
    factor: SignInFactor;
    throttleKey?: string;
    accountRow?: ThrottleRow | undefined;
    reason?: string;
    extra?: Statement[];
  },
): Promise<void> {
  const throttleKey = failure.throttleKey ?? accountThrottleKey(failure.email);
  const auditCtx = { ...ctx, actor: { kind: "anonymous" as const, email: failure.email } };
  const target = failure.user ? describeUser(failure.user) : undefined;
  const statements: Statement[] = [
    ...(failure.extra ?? []),
    recordAccountFailure(ctx.db, throttleKey, ctx.now),
    recordAddressFailure(ctx.db, addressThrottleKey(ctx.ip), ctx.now),
    insertAuditEvent(auditCtx, {
      action: "session.sign_in_failed",
      ...(target ? { target } : {}),
      details: { factor: failure.factor, ...(failure.reason ? { reason: failure.reason } : {}) },
    }),
  ];
  if (failureLocksAccount(failure.accountRow, ctx.now)) {
    statements.push(
      insertAuditEvent(auditCtx, {
        action: "session.account_locked",
        ...(target ? { target } : {}),
        details: { minutes: 15 },
      }),
    );
  }
  await runBatch(ctx.db, statements);
}
