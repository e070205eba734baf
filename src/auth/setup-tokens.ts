// Setup links (docs/PRODUCT.md §2, docs/SECURITY.md "Setup links").
//
// The token (32 random bytes, base64url) is shown once; only its SHA-256 is kept: on the user row
// in D1, which decides, and in KV with an expirationTtl. KV is eventually consistent, so it never
// decides anything: a KV entry whose expiresAt has passed rejects early, anything else is confirmed
// against D1, and a KV miss (not yet replicated, or evicted) falls back to D1. Consuming the token
// is a conditional D1 write in the domain (domain/invites/setup.ts); regenerating replaces the hash on the
// row, which kills the old link at once whatever KV still holds.
import type { SetupPurpose } from "../db/schema";
import { generateToken, hashToken, isWellFormedToken } from "./crypto";

// KV refuses expirationTtl below 60 seconds.
const kvMinimumTtlSeconds = 60;

export interface PreparedSetupToken {
  token: string;
  hash: string;
  expiresAt: Date;
}

interface SetupTokenKvValue {
  userId: string;
  purpose: SetupPurpose;
  expiresAt: number;
}

export function setupTokenKvKey(hash: string): string {
  return `setup-token:${hash}`;
}

export function prepareSetupToken(now: Date, ttlSeconds: number): PreparedSetupToken {
  const token = generateToken();
  return { token, hash: hashToken(token), expiresAt: new Date(now.getTime() + ttlSeconds * 1000) };
}

export async function storeSetupTokenInKv(
  kv: KVNamespace,
  prepared: PreparedSetupToken,
  userId: string,
  purpose: SetupPurpose,
  now: Date,
): Promise<void> {
  const value: SetupTokenKvValue = { userId, purpose, expiresAt: prepared.expiresAt.getTime() };
  const ttl = Math.max(kvMinimumTtlSeconds, Math.ceil((prepared.expiresAt.getTime() - now.getTime()) / 1000));
  await kv.put(setupTokenKvKey(prepared.hash), JSON.stringify(value), { expirationTtl: ttl });
}

export async function forgetSetupTokenInKv(kv: KVNamespace, hash: string | null): Promise<void> {
  if (hash) await kv.delete(setupTokenKvKey(hash));
}

export type SetupTokenHint =
  | { kind: "rejected" }
  | { kind: "unknown"; hash: string }
  | { kind: "known"; hash: string; userId: string };

/**
 * What KV knows about a token: rejected (malformed, or expired by the injected clock), or a hint
 * that D1 must confirm. Never an acceptance on its own.
 */
export async function readSetupTokenHint(
  kv: KVNamespace,
  token: string | undefined,
  now: Date,
): Promise<SetupTokenHint> {
  if (!isWellFormedToken(token)) return { kind: "rejected" };
  const hash = hashToken(token);
  const value = await kv.get<SetupTokenKvValue>(setupTokenKvKey(hash), "json");
  if (!value) return { kind: "unknown", hash };
  if (value.expiresAt <= now.getTime()) return { kind: "rejected" };
  return { kind: "known", hash, userId: value.userId };
}
