import { decodeBase64urlIgnorePadding, encodeBase64, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { generateRandomBytes } from "../../src/auth/crypto";
import { decryptSecret, encryptSecret, reencryptSecret } from "../../src/auth/secrets";
import { readConfig } from "../../src/env";
import { env } from "../helpers/store";

const purpose = "webhook-endpoint:whe_0001";
const plaintext = "whsec_the-signing-secret";

// The fixed key of the test env (vitest.config.ts), and a key list as an operator writes it.
const testSecretKeys = env.SECRETS_KEYS ?? "";
const keysOf = (setting: string | undefined) => readConfig({ ...env, SECRETS_KEYS: setting }).SECRETS_KEYS;
const newKeySetting = (id: string) => `${id}:${encodeBase64(generateRandomBytes(32))}`;

/** Rewrites the bytes of one base64url part of a stored value (2: the IV, 3: the ciphertext). */
function editPart(sealed: string, index: 2 | 3, edit: (bytes: Uint8Array) => Uint8Array): string {
  const parts = sealed.split(".");
  parts[index] = encodeBase64urlNoPadding(edit(decodeBase64urlIgnorePadding(parts[index] ?? "")));
  return parts.join(".");
}

const flipFirstBit = (bytes: Uint8Array) => bytes.map((byte, index) => (index === 0 ? byte ^ 1 : byte));

describe("secrets stored for reuse", () => {
  it("decrypts what it encrypted for the same purpose, with a fresh IV every time", async () => {
    const keys = keysOf(testSecretKeys);
    const first = await encryptSecret(keys, plaintext, purpose);
    const second = await encryptSecret(keys, plaintext, purpose);
    expect(first).toMatch(/^v1\.test\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(first).not.toContain(plaintext);
    expect(second).not.toBe(first);
    expect(await decryptSecret(keys, first, purpose)).toBe(plaintext);
    expect(await decryptSecret(keys, second, purpose)).toBe(plaintext);
  });

  it.each([
    ["an altered ciphertext", (sealed: string) => editPart(sealed, 3, flipFirstBit)],
    ["an altered IV", (sealed: string) => editPart(sealed, 2, flipFirstBit)],
    ["a ciphertext one byte short", (sealed: string) => editPart(sealed, 3, (bytes) => bytes.slice(0, -1))],
  ])("refuses %s", async (_case, alter) => {
    const keys = keysOf(testSecretKeys);
    const sealed = await encryptSecret(keys, plaintext, purpose);
    await expect(decryptSecret(keys, alter(sealed), purpose)).rejects.toThrow(/could not be decrypted: it was altered/);
  });

  it("refuses a secret moved to another row or purpose", async () => {
    const keys = keysOf(testSecretKeys);
    const sealed = await encryptSecret(keys, plaintext, purpose);
    await expect(decryptSecret(keys, sealed, "webhook-endpoint:whe_0002")).rejects.toThrow(/could not be decrypted/);
    await expect(decryptSecret(keys, sealed, "identity-provider:whe_0001")).rejects.toThrow(/could not be decrypted/);
  });

  it("refuses a secret relabelled with another listed key id", async () => {
    const keys = keysOf(`other:${testSecretKeys.split(":")[1]},${testSecretKeys}`);
    const sealed = await encryptSecret(keys, plaintext, purpose);
    expect(sealed.startsWith("v1.other.")).toBe(true);
    // The same key bytes under both ids: only the authenticated key id tells them apart.
    await expect(decryptSecret(keys, sealed.replace("v1.other.", "v1.test."), purpose)).rejects.toThrow(
      /could not be decrypted/,
    );
  });

  it("refuses malformed stored values without trying a key", async () => {
    const keys = keysOf(testSecretKeys);
    for (const sealed of [
      "",
      plaintext,
      "v2.test.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
      "v1.test.!!.AAAA",
      "v1.test.AAAA.AAAA.AAAA",
      "v1.test.AAAAAAAAAAAAAAAA.A",
    ]) {
      await expect(decryptSecret(keys, sealed, purpose)).rejects.toThrow(
        /is not in the form v1\.<key id>\.<iv>\.<ciphertext>/,
      );
    }
  });

  it("refuses a secret whose key SECRETS_KEYS no longer lists, naming the key id and the setting", async () => {
    const retired = keysOf(newKeySetting("retired"));
    const sealed = await encryptSecret(retired, plaintext, purpose);
    await expect(decryptSecret(keysOf(testSecretKeys), sealed, purpose)).rejects.toThrow(
      /encrypted with key "retired", which SECRETS_KEYS does not list/,
    );
  });

  it("keeps reading the previous key after a rotation, and re-encrypts under the new first key", async () => {
    const beforeRotation = keysOf(testSecretKeys);
    const sealed = await encryptSecret(beforeRotation, plaintext, purpose);
    const afterRotation = keysOf(`${newKeySetting("next")},${testSecretKeys}`);

    expect(await decryptSecret(afterRotation, sealed, purpose)).toBe(plaintext);
    const moved = await reencryptSecret(afterRotation, sealed, purpose);
    expect(moved.startsWith("v1.next.")).toBe(true);
    expect(await decryptSecret(afterRotation, moved, purpose)).toBe(plaintext);
    // Once every value has moved, the old key can leave the list.
    await expect(decryptSecret(beforeRotation, moved, purpose)).rejects.toThrow(
      /key "next", which SECRETS_KEYS does not list/,
    );
    // A value already under the first key is returned as it is: nothing to write back.
    expect(await reencryptSecret(afterRotation, moved, purpose)).toBe(moved);
    // Re-encryption checks what it reads: a value for another purpose does not move.
    await expect(reencryptSecret(afterRotation, sealed, "webhook-endpoint:whe_0002")).rejects.toThrow(
      /could not be decrypted/,
    );
  });

  it("lets a Worker without SECRETS_KEYS start, and names the setting when a secret is then used", async () => {
    const keys = keysOf(undefined);
    expect(keys).toBeUndefined();
    const missing = /Gatehouse configuration is invalid: SECRETS_KEYS is not set.*wrangler secret put SECRETS_KEYS/;
    await expect(encryptSecret(keys, plaintext, purpose)).rejects.toThrow(missing);
    const sealed = await encryptSecret(keysOf(testSecretKeys), plaintext, purpose);
    await expect(decryptSecret(keys, sealed, purpose)).rejects.toThrow(missing);
  });

  it.each([
    ["an empty list", " "],
    ["a key without an id", encodeBase64(generateRandomBytes(32))],
    ["a 16-byte key", `short:${encodeBase64(generateRandomBytes(16))}`],
    ["a key that is not base64", `bad:${"!".repeat(43)}=`],
    ["an id with a dot", `a.b:${encodeBase64(generateRandomBytes(32))}`],
    ["the same id twice", `${testSecretKeys},${testSecretKeys}`],
  ])("refuses %s in SECRETS_KEYS on the first request, without repeating the value", (_case, setting) => {
    const read = () => readConfig({ ...env, SECRETS_KEYS: setting });
    expect(read).toThrow(/^Gatehouse configuration is invalid: SECRETS_KEYS: /);
    const message = (() => {
      try {
        read();
        return "";
      } catch (error) {
        return String(error);
      }
    })();
    for (const part of setting.split(/[:,]/).filter((part) => part.length > 8)) expect(message).not.toContain(part);
  });
});
