// Passwords: NIST SP 800-63B 5.1.1.2 rules and argon2id storage.
//
// Rules: 12..128 code points after NFKC normalization, any characters, no composition rules, no
// truncation; refused when it is a common password (bundled list), or contains "gatehouse" or the
// email's local part. Storage: argon2id at OWASP's minimum (m=19 MiB, t=2, p=1) with a 16-byte
// salt, as a standard PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so parameters can be raised
// later and any argon2 library can read it. The implementation is the reference C code compiled to
// WebAssembly with SIMD (@phi-ag/argon2), imported statically because Workers refuse to compile
// WebAssembly at run time; its verify compares in constant time. Cost inside workerd: docs/PASSWORDS.md.
import Argon2, { Argon2Type, Argon2Version } from "@phi-ag/argon2";
import argon2Module from "@phi-ag/argon2/argon2.wasm";
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
  if (length < passwordMinimumLength)
    return [`Use at least ${passwordMinimumLength} characters (this one has ${length}).`];
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

let argon2Promise: Promise<Argon2> | undefined;

function loadArgon2(): Promise<Argon2> {
  argon2Promise ??= WebAssembly.instantiate(argon2Module).then((instance) => new Argon2(instance));
  return argon2Promise;
}

export async function hashPassword(password: string): Promise<string> {
  const argon2 = await loadArgon2();
  const { memoryKiB, passes, parallelism, tagLength, saltLength } = argon2idParameters;
  return argon2.hash(normalizePassword(password), {
    salt: generateRandomBytes(saltLength),
    hashLength: tagLength,
    timeCost: passes,
    memoryCost: memoryKiB,
    parallelism,
    type: Argon2Type.Argon2id,
    version: Argon2Version.Version13,
  }).encoded;
}

export interface PasswordHashParameters {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

export function parsePasswordHash(encoded: string): PasswordHashParameters | null {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(encoded);
  if (!match) return null;
  return { memoryKiB: Number(match[1]), passes: Number(match[2]), parallelism: Number(match[3]) };
}

export async function verifyPassword(encodedHash: string, password: string): Promise<boolean> {
  if (!parsePasswordHash(encodedHash)) return false;
  const argon2 = await loadArgon2();
  return argon2.tryVerify(encodedHash, normalizePassword(password), Argon2Type.Argon2id).success;
}

// A real hash, at the current parameters, of a random password nobody knows: unknown, pending and
// deactivated accounts are checked against it so every failure costs the same KDF work.
const unknownAccountPasswordHash =
  "$argon2id$v=19$m=19456,t=2,p=1$/BZByGaslkaNivhPRB3HpA$3PCDvKbYriaynLuZTwB3q7xalkxLWLfSol1CAACiT24";

export async function spendPasswordVerificationWork(password: string): Promise<false> {
  await verifyPassword(unknownAccountPasswordHash, password);
  return false;
}
