// The one format of every secret Gatehouse hands out to be kept by someone else (personal API
// tokens now; SCIM tokens and webhook secrets later), docs/SECURITY.md "Token format":
//
//   gth<kind>_<43 base62 random characters><6 base62 characters of CRC32>     e.g. gthp_…
//
// - "gth" + a kind letter + "_" is a prefix no well-known service uses (GitHub has gh?_ and
//   github_pat_, GitLab gl*-, Slack xox?-, Stripe sk_/rk_/pk_, npm npm_, PyPI pypi-, Hugging Face
//   hf_, Shopify shp*_…), so a secret scanner can tell a leaked Gatehouse token from theirs and
//   name its kind. base62 has no "-" or "_", so the whole token is one word for scanners and
//   double-click selection: /\bgth[a-z]_[0-9A-Za-z]{49}\b/.
// - 43 base62 characters drawn uniformly from the CSPRNG carry 43 × log2(62) ≈ 256 bits.
// - The checksum (CRC32 of the random part, as in GitHub's token format) is not a secret and not
//   a MAC: it lets scanners drop look-alikes and lets us refuse a mistyped or truncated token
//   without a database read. The stored digest is SHA-256 of the whole token (auth/crypto.ts).
//
// Tokens issued before this format ("gh_" + 43 base64url characters, stored as SHA-256 of the 43
// characters) keep working until they expire or are revoked: readApiTokenLookupKey still reads them.
import { generateRandomBytes } from "./crypto";

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const randomLength = 43;
const checksumLength = 6;

/** The kinds of secret, each with its letter: p = personal API token, s = SCIM directory token, w = webhook signing secret. */
export const secretKinds = { personalApiToken: "p", directoryToken: "s", webhookSecret: "w" } as const;
export type SecretKind = keyof typeof secretKinds;

/** What a scanner looks for; the kind is the letter after "gth". */
export const secretTokenPattern = /\bgth[a-z]_[0-9A-Za-z]{49}\b/;

const legacyApiTokenPattern = /^gh_([A-Za-z0-9_-]{43})$/;

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, the one of zip and PNG) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = base62Alphabet[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** Uniform base62 characters: bytes of 248 and above are drawn again, so no character is likelier. */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of generateRandomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += base62Alphabet[byte % 62];
    }
  }
  return out;
}

function prefixOf(kind: SecretKind): string {
  return `gth${secretKinds[kind]}_`;
}

/** A new secret of this kind, in the one format. */
export function generateSecretToken(kind: SecretKind): string {
  const random = randomBase62(randomLength);
  return `${prefixOf(kind)}${random}${toBase62(crc32(random), checksumLength)}`;
}

/** Whether a string is a well-formed secret of this kind: prefix, length, alphabet and checksum. */
export function isWellFormedSecretToken(kind: SecretKind, value: string): boolean {
  const prefix = prefixOf(kind);
  if (!value.startsWith(prefix) || value.length !== prefix.length + randomLength + checksumLength) return false;
  const body = value.slice(prefix.length);
  if (!/^[0-9A-Za-z]+$/.test(body)) return false;
  const random = body.slice(0, randomLength);
  return body.slice(randomLength) === toBase62(crc32(random), checksumLength);
}

/**
 * What a presented API token is looked up by (its SHA-256 is the stored digest), or null when it
 * cannot be one we issued: a typo, a truncation, someone else's token. Null is refused like any
 * unknown token, and without a database read.
 */
export function readApiTokenLookupKey(value: string): string | null {
  if (isWellFormedSecretToken("personalApiToken", value)) return value;
  return legacyApiTokenPattern.exec(value)?.[1] ?? null;
}
