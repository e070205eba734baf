// Passwords: NIST SP 800-63B 5.1.1.2 rules and argon2id storage.
//
// Rules: 12..128 code points after NFKC normalization, any characters, no composition rules, no
// truncation; refused when it is a common password (bundled list), or contains "gatehouse" or the
// email's local part. Storage: argon2id at OWASP's minimum (m=19 MiB, t=2, p=1) with a 16-byte
// salt, encoded as a PHC string so parameters can be raised later. The WASM module is imported
// statically because Workers refuse to compile WebAssembly at run time.
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64IgnorePadding, encodeBase64NoPadding } from "@oslojs/encoding";
import nonSimdModule from "argon2id/dist/no-simd.wasm";
import simdModule from "argon2id/dist/simd.wasm";
import setupWasm, { type computeHash } from "argon2id/lib/setup.js";
import { commonLongPasswords } from "./common-passwords";
import { generateRandomBytes } from "./crypto";

export const passwordMinimumLength = 12;
export const passwordMaximumLength = 128;

export const argon2idParameters = { memoryKiB: 19456, passes: 2, parallelism: 1, tagLength: 32, saltLength: 16 };

const commonPasswordSet = new Set(commonLongPasswords);

export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** The reasons a password is refused, in words meant for the person choosing it; empty when fine. */
export function findPasswordProblems(password: string, email: string): string[] {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < passwordMinimumLength) return [`Use at least ${passwordMinimumLength} characters (this one has ${length}).`];
  if (length > passwordMaximumLength) return [`Use at most ${passwordMaximumLength} characters.`];
  const lowered = normalized.toLowerCase();
  const problems: string[] = [];
  if (commonPasswordSet.has(lowered)) {
    problems.push("This password is on a list of commonly used passwords that attackers try first.");
  }
  if (lowered.includes("gatehouse")) problems.push('Do not use the word "gatehouse" in your password.');
  const localPart = email.split("@")[0]?.toLowerCase() ?? "";
  // Very short local parts ("a@…") would refuse half the alphabet; three characters is where it starts to mean something.
  if (localPart.length >= 3 && lowered.includes(localPart)) {
    problems.push("Do not use your email address (or its first part) in your password.");
  }
  return problems;
}

let argon2idPromise: Promise<computeHash> | undefined;

function loadArgon2id(): Promise<computeHash> {
  argon2idPromise ??= setupWasm(
    async (imports) => ({ instance: await WebAssembly.instantiate(simdModule, imports), module: simdModule }),
    async (imports) => ({ instance: await WebAssembly.instantiate(nonSimdModule, imports), module: nonSimdModule }),
  );
  return argon2idPromise;
}

interface Argon2idHash {
  memoryKiB: number;
  passes: number;
  parallelism: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

async function deriveArgon2id(password: string, parameters: Omit<Argon2idHash, "hash">, tagLength: number) {
  const argon2id = await loadArgon2id();
  return argon2id({
    password: new TextEncoder().encode(normalizePassword(password)),
    salt: parameters.salt,
    parallelism: parameters.parallelism,
    passes: parameters.passes,
    memorySize: parameters.memoryKiB,
    tagLength,
  });
}

export async function hashPassword(password: string): Promise<string> {
  const { memoryKiB, passes, parallelism, tagLength, saltLength } = argon2idParameters;
  const salt = generateRandomBytes(saltLength);
  const hash = await deriveArgon2id(password, { memoryKiB, passes, parallelism, salt }, tagLength);
  return `$argon2id$v=19$m=${memoryKiB},t=${passes},p=${parallelism}$${encodeBase64NoPadding(salt)}$${encodeBase64NoPadding(hash)}`;
}

export function parsePasswordHash(encoded: string): Argon2idHash | null {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!match) return null;
  const [, memory, passes, parallelism, salt, hash] = match as unknown as [string, string, string, string, string, string];
  return {
    memoryKiB: Number(memory),
    passes: Number(passes),
    parallelism: Number(parallelism),
    salt: decodeBase64IgnorePadding(salt),
    hash: decodeBase64IgnorePadding(hash),
  };
}

export async function verifyPassword(encodedHash: string, password: string): Promise<boolean> {
  const stored = parsePasswordHash(encodedHash);
  if (!stored) return false;
  const candidate = await deriveArgon2id(password, stored, stored.hash.length);
  return constantTimeEqual(candidate, stored.hash);
}

// A well-formed hash of a random password nobody knows, at the current parameters: unknown,
// pending and deactivated accounts are checked against it so every failure costs the same KDF work.
const unknownAccountPasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRmb3JkdW1teQ$0eO8ZjR0pyuThSbhGjfAfX0Zs3dxG6ZpQHgmYiOoHPE";

export async function spendPasswordVerificationWork(password: string): Promise<false> {
  await verifyPassword(unknownAccountPasswordHash, password);
  return false;
}
