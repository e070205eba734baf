// AUDIT_SIGNING_KEYS (docs/AUDIT.md "Keys"): the note key forms read and checked, a made key
// signing what its verifier form verifies, and a malformed setting named before any use.
import { decodeBase64 } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { generateNoteKey, parseNoteKeys, signNote } from "../../src/auth/signed-notes";
import { readConfig } from "../../src/env";
import { otherSignerKey, otherVerifierKey, testVerifierKey } from "../helpers/audit-log";
import { env } from "../helpers/store";

async function verifies(note: string, verifierKey: string): Promise<boolean> {
  const [name, hash] = verifierKey.split("+", 2);
  const publicKey = decodeBase64(verifierKey.slice(`${name}+${hash}+`.length)).slice(1);
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  const [text, signatures = ""] = note.split("\n\n");
  const signature = decodeBase64((signatures.split(" ")[2] ?? "").trim()).slice(4);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, new TextEncoder().encode(`${text}\n`));
}

describe("audit log signing keys", () => {
  it("reads the signer and earlier keys, publishing each in its verifier form, the signer's first", async () => {
    const keys = await parseNoteKeys(`${env.AUDIT_SIGNING_KEYS},\n${otherSignerKey}`);
    expect(keys.signer.name).toBe("gatehouse.test/audit");
    expect(keys.verifierKeys).toEqual([testVerifierKey, otherVerifierKey]);
    const withVerifierOnly = await parseNoteKeys(`${env.AUDIT_SIGNING_KEYS},${otherVerifierKey}`);
    expect(withVerifierOnly.verifierKeys).toEqual([testVerifierKey, otherVerifierKey]);
  });

  it("makes a key whose signatures its published form verifies, with '+' in its base64 read as the note tools read it", async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const made = await generateNoteKey("gatehouse.example/audit");
      const keys = await parseNoteKeys(made.signerKey);
      expect(keys.verifierKeys).toEqual([made.verifierKey]);
      const note = await signNote(keys.signer, "gatehouse.example/audit\n1\nAAAA\n");
      expect(await verifies(note, made.verifierKey)).toBe(true);
      expect(await verifies(note, otherVerifierKey)).toBe(false);
    }
  });

  it("refuses a key id that does not match its key, keys of two names, and a verifier key first", async () => {
    const wrongId = otherSignerKey.replace("+af1f158a+", "+af1f158b+");
    await expect(parseNoteKeys(wrongId)).rejects.toThrow("the key id af1f158b does not match the key (af1f158a)");
    const otherName = (await generateNoteKey("another.example/log")).verifierKey;
    await expect(parseNoteKeys(`${env.AUDIT_SIGNING_KEYS},${otherName}`)).rejects.toThrow(
      'every key must be named "gatehouse.test/audit", the log\'s origin',
    );
    await expect(parseNoteKeys(testVerifierKey)).rejects.toThrow("the first entry must be a PRIVATE+KEY+… signer key");
  });

  it("names AUDIT_SIGNING_KEYS on the first request when the setting is not in the key forms", () => {
    expect(() => readConfig({ ...env, AUDIT_SIGNING_KEYS: "not a key" })).toThrow(/AUDIT_SIGNING_KEYS/);
    expect(() => readConfig({ ...env, AUDIT_SIGNING_KEYS: testVerifierKey })).toThrow(/signer key first/);
    expect(
      readConfig({ ...env, AUDIT_SIGNING_KEYS: `${env.AUDIT_SIGNING_KEYS},${otherVerifierKey}` }).AUDIT_SIGNING_KEYS,
    ).toBe(`${env.AUDIT_SIGNING_KEYS},${otherVerifierKey}`);
  });
});
