// Sign-in throttling (NIST SP 800-63B 5.2.2, ASVS 2.2.1).
//
// Per account: keyed by the normalized email whether or not an account exists, so a lock says
// nothing about existence. 10 consecutive failures of any factor lock it for 15 minutes; during
// the lock even correct credentials get the same 429. Success resets the counter.
// Per client address: a coarse first filter, 100 failures in a 15-minute window.
// The counters live in D1 (consistent), and the check runs before any KDF work.
import { eq, inArray, or, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { signInThrottles } from "../db/schema";

export const accountFailureLimit = 10;
export const accountLockSeconds = 15 * 60;
export const addressFailureLimit = 100;
export const addressWindowSeconds = 15 * 60;

export function accountThrottleKey(normalizedEmail: string): string {
  return `account:${normalizedEmail}`;
}

export function addressThrottleKey(ip: string | null): string {
  return `address:${ip ?? "unknown"}`;
}

export type ThrottleRow = typeof signInThrottles.$inferSelect;

export function selectThrottles(db: Db, keys: string[]) {
  return db.select().from(signInThrottles).where(inArray(signInThrottles.key, keys));
}

/**
 * The client address's throttle and an account throttle (`keyOf(email)`) of the person a subquery
 * names by email, in one read that fits a caller's batch: at that point only the database knows
 * who it is (the sign-in attempt's user, the owner of the credential a passkey presents).
 * `keyOf` must build its key as a prefix followed by the email.
 */
export function selectThrottlesWithAccountOf(
  db: Db,
  keyOf: (normalizedEmail: string) => string,
  emailQuery: SQLWrapper,
  ip: string | null,
) {
  return db
    .select()
    .from(signInThrottles)
    .where(
      or(
        eq(signInThrottles.key, addressThrottleKey(ip)),
        eq(signInThrottles.key, sql`${keyOf("")} || (${emailQuery})`),
      ),
    );
}

/** Seconds until the earliest of the given throttles lets attempts through again, or 0. */
export function findThrottleDelaySeconds(rows: ThrottleRow[], now: Date): number {
  let delayMs = 0;
  for (const row of rows) {
    if (row.lockedUntil && row.lockedUntil.getTime() > now.getTime()) {
      delayMs = Math.max(delayMs, row.lockedUntil.getTime() - now.getTime());
    }
  }
  return Math.ceil(delayMs / 1000);
}

/** Counts one failed attempt; locks the account at the limit. An expired lock starts a new count. */
export function recordAccountFailure(db: Db, key: string, now: Date) {
  const nowMs = now.getTime();
  const lockUntilMs = nowMs + accountLockSeconds * 1000;
  const previous = sql`(CASE WHEN ${signInThrottles.lockedUntil} IS NOT NULL AND ${signInThrottles.lockedUntil} <= ${nowMs} THEN 0 ELSE ${signInThrottles.failures} END)`;
  return db
    .insert(signInThrottles)
    .values({ key, failures: 1, windowStartedAt: now, lockedUntil: null, updatedAt: now })
    .onConflictDoUpdate({
      target: signInThrottles.key,
      set: {
        failures: sql`${previous} + 1`,
        lockedUntil: sql`CASE WHEN ${previous} + 1 >= ${accountFailureLimit} THEN ${lockUntilMs}
          WHEN ${signInThrottles.lockedUntil} <= ${nowMs} THEN NULL ELSE ${signInThrottles.lockedUntil} END`,
        updatedAt: now,
      },
    });
}

/** Counts one failure from a client address within a fixed window; blocks the address at the limit. */
export function recordAddressFailure(db: Db, key: string, now: Date) {
  const nowMs = now.getTime();
  const windowStart = nowMs - addressWindowSeconds * 1000;
  const inWindow = sql`${signInThrottles.windowStartedAt} > ${windowStart}`;
  const failures = sql`(CASE WHEN ${inWindow} THEN ${signInThrottles.failures} + 1 ELSE 1 END)`;
  return db
    .insert(signInThrottles)
    .values({ key, failures: 1, windowStartedAt: now, lockedUntil: null, updatedAt: now })
    .onConflictDoUpdate({
      target: signInThrottles.key,
      set: {
        failures,
        windowStartedAt: sql`CASE WHEN ${inWindow} THEN ${signInThrottles.windowStartedAt} ELSE ${nowMs} END`,
        lockedUntil: sql`CASE WHEN ${failures} >= ${addressFailureLimit}
          THEN (CASE WHEN ${inWindow} THEN ${signInThrottles.windowStartedAt} ELSE ${nowMs} END) + ${addressWindowSeconds * 1000}
          ELSE NULL END`,
        updatedAt: now,
      },
    });
}

/** Whether the previous attempts already reached the lock (used to audit the lock once). */
export function failureLocksAccount(row: ThrottleRow | undefined, now: Date): boolean {
  const previous = row && !(row.lockedUntil && row.lockedUntil.getTime() <= now.getTime()) ? row.failures : 0;
  return previous + 1 === accountFailureLimit;
}

export function clearThrottle(db: Db, key: string) {
  return db.delete(signInThrottles).where(sql`${signInThrottles.key} = ${key}`);
}
