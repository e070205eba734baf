// Secrets Gatehouse must read again: webhook signing secrets, identity providers' client secrets.
// (Bearer tokens are never read again: only their digest is kept, see auth/crypto.ts.)
//
// Model: AES-256-GCM through WebCrypto, under a key from the SECRETS_KEYS Worker secret that never
// sits beside the data, so a copy of the database or a backup reveals no secret. Every encryption
// draws a fresh 96-bit IV. The purpose ("webhook-endpoint:<id>"), the format version and the key id
// are authenticated data: a value copied to another row or purpose, or relabelled with another key
// id, does not decrypt. The stored form "v1.<key id>.<iv>.<ciphertext>" (base64url) names its key,
// so keys rotate: the first key of SECRETS_KEYS encrypts, every listed key decrypts, and
// reencryptSecret moves a value to the first key (docs/SECURITY.md "Secrets stored for reuse").
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { requireSecretKeys, type SecretKey, type SecretKeys } from "../env";
import { generateRandomBytes } from "./crypto";

const formatVersion = "v1";
const ivByteLength = 12;
const tagByteLength = 16;
const sealedSecretPattern = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/;

interface SealedSecret {
  keyId: string;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
}

const importedKeys = new WeakMap<SecretKey, Promise<CryptoKey>>();

function importSecretKey(key: SecretKey): Promise<CryptoKey> {
  let imported = importedKeys.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey("raw", new Uint8Array(key.bytes), "AES-GCM", false, ["encrypt", "decrypt"]);
    importedKeys.set(key, imported);
  }
  return imported;
}

function authenticatedData(keyId: string, purpose: string): Uint8Array {
  if (!purpose) throw new Error("A stored secret needs a purpose, such as webhook-endpoint:<id>");
  return new TextEncoder().encode(`${formatVersion}.${keyId}.${purpose}`);
}

function decodeBase64urlOrNull(encoded: string | undefined): Uint8Array<ArrayBuffer> | null {
  if (encoded === undefined) return null;
  try {
    return new Uint8Array(decodeBase64urlIgnorePadding(encoded));
  } catch {
    return null;
  }
}

function parseSealedSecret(sealed: string): SealedSecret {
  const match = sealedSecretPattern.exec(sealed);
  const iv = decodeBase64urlOrNull(match?.[2]);
  const ciphertext = decodeBase64urlOrNull(match?.[3]);
  if (!match?.[1] || !iv || !ciphertext || ciphertext.length < tagByteLength) {
    throw new Error("A stored secret is not in the form v1.<key id>.<iv>.<ciphertext>");
  }
  return { keyId: match[1], iv, ciphertext };
}

export async function encryptSecret(keys: SecretKeys | undefined, plaintext: string, purpose: string): Promise<string> {
  const [currentKey] = requireSecretKeys(keys);
  const iv = new Uint8Array(generateRandomBytes(ivByteLength));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: authenticatedData(currentKey.id, purpose) },
    await importSecretKey(currentKey),
    new TextEncoder().encode(plaintext),
  );
  return [
    formatVersion,
    currentKey.id,
    encodeBase64urlNoPadding(iv),
    encodeBase64urlNoPadding(new Uint8Array(ciphertext)),
  ].join(".");
}

export async function decryptSecret(keys: SecretKeys | undefined, sealed: string, purpose: string): Promise<string> {
  const listedKeys = requireSecretKeys(keys);
  const { keyId, iv, ciphertext } = parseSealedSecret(sealed);
  const key = listedKeys.find((candidate) => candidate.id === keyId);
  if (!key) {
    throw new Error(
      `A stored secret was encrypted with key "${keyId}", which SECRETS_KEYS does not list: list that key again after the current one, or set the secret again`,
    );
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: authenticatedData(keyId, purpose) },
      await importSecretKey(key),
      ciphertext,
    );
  } catch {
    throw new Error(
      `A stored secret could not be decrypted: it was altered, or it belongs to another purpose than "${purpose}"`,
    );
  }
  return new TextDecoder().decode(plaintext);
}

/** The value under the first key of SECRETS_KEYS (key rotation); a value already there comes back as it is. */
export async function reencryptSecret(keys: SecretKeys | undefined, sealed: string, purpose: string): Promise<string> {
  const plaintext = await decryptSecret(keys, sealed, purpose);
  const [currentKey] = requireSecretKeys(keys);
  if (parseSealedSecret(sealed).keyId === currentKey.id) return sealed;
  return encryptSecret(keys, plaintext, purpose);
}
