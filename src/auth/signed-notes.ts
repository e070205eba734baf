// Ed25519 signed notes (c2sp.org/signed-note), the envelope of the audit log's checkpoints
// (docs/AUDIT.md "Checkpoints"; docs/SECURITY.md "The audit log's signing key"). Keys come from
// the AUDIT_SIGNING_KEYS Worker secret, in the text forms of golang.org/x/mod/sumdb/note that
// transparency-log tools read:
//   signer   PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || 32-byte seed)>
//   verifier <name>+<key id hex>+<base64(0x01 || 32-byte public key)>
// where the key id is SHA-256(name || 0x0A || 0x01 || public key)[0:4]. The first entry signs;
// later entries (signer or verifier form) are earlier keys, published so that checkpoints they
// signed stay verifiable after a rotation. Ed25519 is WebCrypto's; nothing here is hand-made crypto.
import { decodeBase64, decodeBase64urlIgnorePadding, encodeBase64, encodeHexLowerCase } from "@oslojs/encoding";

const ed25519 = { name: "Ed25519" } as const;
const ed25519Type = 0x01;
// A PKCS #8 Ed25519 private key is this fixed DER header followed by the 32-byte seed (RFC 8410 §7).
const pkcs8Ed25519Header = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);

export interface NoteSigner {
  name: string;
  keyId: Uint8Array;
  privateKey: CryptoKey;
  verifierKey: string;
}

export interface NoteKeys {
  /** Signs every new checkpoint. */
  signer: NoteSigner;
  /** Every key's verifier form, the signer's first: what the well-known path publishes. */
  verifierKeys: readonly string[];
}

const keyNamePattern = /^[^\s+\p{Cc}]+$/u;

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** c2sp.org/signed-note: the key id of an Ed25519 key. */
export async function computeNoteKeyId(name: string, publicKey: Uint8Array): Promise<Uint8Array> {
  const input = concatBytes(new TextEncoder().encode(name), Uint8Array.of(0x0a, ed25519Type), publicKey);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input)).slice(0, 4);
}

export function formatVerifierKey(name: string, keyId: Uint8Array, publicKey: Uint8Array): string {
  return `${name}+${encodeHexLowerCase(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(ed25519Type), publicKey))}`;
}

export class NoteKeyError extends Error {}

function decodeTypedKey(encoded: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(encoded);
  } catch {
    throw new NoteKeyError(`${what}: the key is not base64`);
  }
  if (bytes.length !== 33 || bytes[0] !== ed25519Type) throw new NoteKeyError(`${what}: not an Ed25519 key`);
  return bytes.slice(1);
}

async function importSeed(seed: Uint8Array): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  const privateKey = await crypto.subtle.importKey("pkcs8", concatBytes(pkcs8Ed25519Header, seed), ed25519, true, [
    "sign",
  ]);
  // The JWK export of a private key carries its public half as "x" (RFC 8037 §2).
  const jwk = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!jwk.x) throw new NoteKeyError("the private key has no public half");
  return { privateKey, publicKey: decodeBase64urlIgnorePadding(jwk.x) };
}

interface ParsedEntry {
  name: string;
  verifierKey: string;
  signer: NoteSigner | null;
}

async function parseEntry(entry: string, position: number): Promise<ParsedEntry> {
  const what = `entry ${position}`;
  // The base64 key may itself hold "+": split off the fields before it only, as the note tools do.
  const isSigner = entry.startsWith("PRIVATE+KEY+");
  const fields = isSigner ? entry.slice("PRIVATE+KEY+".length) : entry;
  const [name, hash] = fields.split("+", 2);
  const encoded = name !== undefined && hash !== undefined ? fields.slice(name.length + hash.length + 2) : "";
  if (!name || !hash || !encoded) {
    throw new NoteKeyError(`${what} is neither PRIVATE+KEY+<name>+<id>+<key> nor <name>+<id>+<key>`);
  }
  if (!keyNamePattern.test(name)) throw new NoteKeyError(`${what}: the key name has a space or a control character`);
  const key = decodeTypedKey(encoded, what);
  const imported = isSigner ? await importSeed(key) : null;
  const publicKey = imported ? imported.publicKey : key;
  const keyId = await computeNoteKeyId(name, publicKey);
  if (encodeHexLowerCase(keyId) !== hash.toLowerCase()) {
    throw new NoteKeyError(`${what}: the key id ${hash} does not match the key (${encodeHexLowerCase(keyId)})`);
  }
  const verifierKey = formatVerifierKey(name, keyId, publicKey);
  return {
    name,
    verifierKey,
    signer: imported ? { name, keyId, privateKey: imported.privateKey, verifierKey } : null,
  };
}

/**
 * The keys of AUDIT_SIGNING_KEYS (comma- or newline-separated, newest first). Every key must carry
 * the same name, which is the log's origin: a verifier expects one origin per log.
 */
export async function parseNoteKeys(setting: string): Promise<NoteKeys> {
  const entries = setting
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const parsed: ParsedEntry[] = [];
  for (const [index, entry] of entries.entries()) parsed.push(await parseEntry(entry, index + 1));
  const signer = parsed[0]?.signer;
  if (!signer) throw new NoteKeyError("the first entry must be a PRIVATE+KEY+… signer key");
  if (parsed.some((entry) => entry.name !== signer.name)) {
    throw new NoteKeyError(`every key must be named "${signer.name}", the log's origin`);
  }
  return { signer, verifierKeys: [...new Set(parsed.map((entry) => entry.verifierKey))] };
}

/** A new key pair in both text forms (scripts/audit-keygen.ts). */
export async function generateNoteKey(name: string): Promise<{ signerKey: string; verifierKey: string }> {
  if (!keyNamePattern.test(name)) throw new NoteKeyError("a key name has no space, '+' or control character");
  const pair = (await crypto.subtle.generateKey(ed25519, true, ["sign", "verify"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const seed = pkcs8.slice(pkcs8Ed25519Header.length);
  const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const keyId = await computeNoteKeyId(name, publicKey);
  const signerKey = `PRIVATE+KEY+${name}+${encodeHexLowerCase(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(ed25519Type), seed))}`;
  return { signerKey, verifierKey: formatVerifierKey(name, keyId, publicKey) };
}

/** The note text (ending in "\n"), a blank line, and the signer's line: c2sp.org/signed-note. */
export async function signNote(signer: NoteSigner, text: string): Promise<string> {
  if (!text.endsWith("\n")) throw new Error("a note's text ends with a newline");
  const signature = new Uint8Array(
    await crypto.subtle.sign(ed25519, signer.privateKey, new TextEncoder().encode(text)),
  );
  return `${text}\n\u2014 ${signer.name} ${encodeBase64(concatBytes(signer.keyId, signature))}\n`;
}
