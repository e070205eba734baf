// Recovery codes: ten single-use codes of 50 random bits each, shown once, stored as SHA-256.
// Their entropy makes a fast hash adequate; consumption is a conditional write ("only if unused").
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { recoveryCodes } from "../db/schema";
import { generateId, generateRandomBytes, hashToken } from "./crypto";

export const recoveryCodeCount = 10;

export function generateRecoveryCodes(): string[] {
  return Array.from({ length: recoveryCodeCount }, () => {
    const raw = encodeBase32LowerCaseNoPadding(generateRandomBytes(10)).slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

/** Accepts what people type: any case, with or without the dash or spaces. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, "");
  if (!/^[a-z2-7]{10}$/.test(compact)) return null;
  return `${compact.slice(0, 5)}-${compact.slice(5)}`;
}

export function hashRecoveryCode(normalizedCode: string): string {
  return hashToken(`recovery:${normalizedCode}`);
}

/** The statements that replace a user's recovery codes with these (stored hashed), for the caller's batch. */
export function replaceRecoveryCodeRows(db: Db, userId: string, codes: string[], now: Date) {
  return [
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db
      .insert(recoveryCodes)
      .values(
        codes.map((code) => ({ id: generateId("rc"), userId, codeHash: hashRecoveryCode(code), createdAt: now })),
      ),
  ] as const;
}
