// A user's sign-in factors as administrators see them (the Security tab and
// GET /api/v1/users/:id/factors): whether an authenticator app is set up, their passkeys by name
// and time, how many recovery codes are left, and whether their role's policy requires a passkey.
// Never a secret, a public key or a credential id: the reads below select only what is shown.
import { and, asc, count, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { passkeys, recoveryCodes, users } from "../../db/schema";
import type { DomainContext } from "../context";
import { isPasskeyRequiredFor, passkeysPerUserLimit, selectPasskeyRequiredRoles } from "../passkeys/passkeys-read";
import type { UserRow } from "./users";

export interface UserFactors {
  authenticatorApp: { enrolled: boolean };
  passkeys: Array<{ id: string; name: string; createdAt: Date; lastUsedAt: Date | null }>;
  recoveryCodesRemaining: number;
  passkeyRequired: boolean;
}

/** The three reads behind UserFactors, to run inside the caller's db.batch(). */
export function selectUserFactors(db: Db, userId: string) {
  return [
    db
      .select({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt })
      .from(passkeys)
      // A passkey of an unfinished setup signs nobody in yet: it is not a factor.
      .where(and(eq(passkeys.userId, userId), isNull(passkeys.pendingSetupTokenHash)))
      .orderBy(asc(passkeys.createdAt), asc(passkeys.id))
      .limit(passkeysPerUserLimit),
    db
      .select({ value: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
    selectPasskeyRequiredRoles(db),
  ] as const;
}

type FactorRows = [
  passkeyRows: UserFactors["passkeys"],
  codeCounts: Array<{ value: number }>,
  policyRows: Array<{ role: UserRow["role"] }>,
];

export function toUserFactors(
  user: Pick<UserRow, "role" | "totpSecret">,
  [passkeyRows, codeCounts, policyRows]: FactorRows,
): UserFactors {
  return {
    authenticatorApp: { enrolled: user.totpSecret !== null },
    passkeys: passkeyRows,
    recoveryCodesRemaining: codeCounts[0]?.value ?? 0,
    passkeyRequired: isPasskeyRequiredFor(policyRows, user.role),
  };
}

/** The user's factors in one query, or null when there is no such user (or only their tombstone). */
export async function readUserFactors(ctx: Pick<DomainContext, "db">, userId: string): Promise<UserFactors | null> {
  const [userRows, ...factorRows] = await ctx.db.batch([
    ctx.db
      .select({ role: users.role, totpSecret: users.totpSecret, erasedAt: users.erasedAt })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1),
    ...selectUserFactors(ctx.db, userId),
  ]);
  const user = userRows[0];
  if (!user || user.erasedAt) return null;
  return toUserFactors(user, factorRows);
}

/** The API's shape: times as ISO strings. */
export function toUserFactorsDto(factors: UserFactors) {
  return {
    authenticatorApp: factors.authenticatorApp,
    passkeys: factors.passkeys.map((passkey) => ({
      id: passkey.id,
      name: passkey.name,
      createdAt: passkey.createdAt.toISOString(),
      lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    })),
    recoveryCodesRemaining: factors.recoveryCodesRemaining,
    passkeyRequired: factors.passkeyRequired,
  };
}
