// Reads of passkeys and of the passkey policy, to run alone or inside a caller's db.batch().
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type GlobalRole, passkeyRequiredRoles, passkeys } from "../../db/schema";

/** How many passkeys one person may hold: enough for every device and a spare key or two. */
export const passkeysPerUserLimit = 20;

/** A user's passkeys that sign in (not those of an unfinished setup), oldest first; at most the limit. */
export function selectUsablePasskeys(db: Db, userId: string) {
  return db
    .select()
    .from(passkeys)
    .where(and(eq(passkeys.userId, userId), isNull(passkeys.pendingSetupTokenHash)))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id))
    .limit(passkeysPerUserLimit);
}

export function selectPasskeyRequiredRoles(db: Db) {
  return db.select().from(passkeyRequiredRoles).orderBy(asc(passkeyRequiredRoles.role));
}

export function isPasskeyRequiredFor(rows: ReadonlyArray<{ role: GlobalRole }>, role: GlobalRole): boolean {
  return rows.some((row) => row.role === role);
}
