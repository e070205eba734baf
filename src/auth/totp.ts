// TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, 20-byte secrets from the CSPRNG.
// Codes are checked against the server clock only, for steps T-1..T+1. The step of every accepted
// code is remembered on the user (totp_last_step) and a code at or below it is refused: the
// conditional write that records the step is what makes a replay, even a concurrent one, fail.

import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { generateRandomBytes } from "./crypto";

export const totpPeriodSeconds = 30;
export const totpDigits = 6;
export const totpSecretByteLength = 20;
export const totpAcceptedDriftSteps = 1;
export const totpIssuer = "Gatehouse";

export function generateTotpSecret(): string {
  return encodeBase32UpperCaseNoPadding(generateRandomBytes(totpSecretByteLength));
}

export function buildTotpUri(secret: string, email: string): string {
  const label = `${encodeURIComponent(totpIssuer)}:${encodeURIComponent(email)}`;
  const params = new URLSearchParams({
    secret,
    issuer: totpIssuer,
    algorithm: "SHA1",
    digits: String(totpDigits),
    period: String(totpPeriodSeconds),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}

export function totpStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / totpPeriodSeconds);
}

export function generateTotpCodeForStep(secret: Uint8Array, step: number | bigint, digits = totpDigits): string {
  return generateHOTP(secret, BigInt(step), digits);
}

/** The code an authenticator shows at `unixSeconds` (used by RFC 6238 vectors and tests). */
export function generateTotpCodeAt(secret: Uint8Array, unixSeconds: number, digits = totpDigits): string {
  return generateTotpCodeForStep(secret, BigInt(Math.floor(unixSeconds / totpPeriodSeconds)), digits);
}

export function decodeTotpSecret(secret: string): Uint8Array {
  return decodeBase32IgnorePadding(secret);
}

/**
 * Returns the time step the code belongs to, or null. Steps at or below `lastAcceptedStep` are
 * never matched, so a code that was used once cannot be used again.
 */
export function findTotpStep(secret: string, code: string, now: Date, lastAcceptedStep: number | null): number | null {
  const normalized = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(normalized)) return null;
  const key = decodeTotpSecret(secret);
  const current = totpStepAt(now);
  let match: number | null = null;
  // Check every step in the window even after a match, so the time taken does not depend on where
  // the code matched.
  for (let step = current - totpAcceptedDriftSteps; step <= current + totpAcceptedDriftSteps; step++) {
    const matches = generateTotpCodeForStep(key, step) === normalized;
    if (matches && match === null && (lastAcceptedStep === null || step > lastAcceptedStep)) match = step;
  }
  return match;
}
