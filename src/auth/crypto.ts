// Random tokens and their digests. Every bearer secret Gatehouse hands out (setup links, sessions,
// sign-in challenges) is 32 bytes from the CSPRNG, base64url, and only its SHA-256 is stored: a
// leaked database reveals no usable token. Secrets people keep elsewhere (API tokens) have the
// same strength in the scannable format of token-format.ts, and are stored the same way.
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

export const tokenByteLength = 32;

export function generateRandomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

export function generateToken(): string {
  return encodeBase64urlNoPadding(generateRandomBytes(tokenByteLength));
}

export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export function generateId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Tokens arrive from URLs and cookies: anything but the exact base64url shape is refused unread. */
export function isWellFormedToken(value: string | undefined | null): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function stringsEqualInConstantTime(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}
