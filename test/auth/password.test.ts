import { dictionary } from "@zxcvbn-ts/language-common";
import { describe, expect, it } from "vitest";
import { commonLongPasswords } from "../../src/auth/common-passwords";
import {
  argon2idParameters,
  findPasswordProblems,
  hashPassword,
  parsePasswordHash,
  verifyPassword,
} from "../../src/auth/password";

describe("password rules (NIST SP 800-63B)", () => {
  const email = "maria.lopez@example.com";

  it("accepts any 12 to 128 characters without composition rules", () => {
    expect(findPasswordProblems("all lower case words here", email)).toEqual([]);
    expect(findPasswordProblems("ünïcødé ✓ pässwörd", email)).toEqual([]);
    expect(findPasswordProblems("x".repeat(128), email)).toEqual([]);
  });

  it("counts code points, not UTF-16 units", () => {
    // 11 emoji are 22 UTF-16 units but 11 characters: too short.
    expect(findPasswordProblems("😀".repeat(11), email)[0]).toContain("at least 12");
    expect(findPasswordProblems("😀".repeat(12), email)).toEqual([]);
  });

  it("says why a password is refused", () => {
    expect(findPasswordProblems("short", email)).toEqual(["Use at least 12 characters (this one has 5)."]);
    expect(findPasswordProblems("y".repeat(129), email)).toEqual(["Use at most 128 characters."]);
    expect(findPasswordProblems("qwertyuiop123", email)[0]).toContain("commonly used");
    expect(findPasswordProblems("my Gatehouse password", email)[0]).toContain('"gatehouse"');
    expect(findPasswordProblems("I am MARIA.LOPEZ forever", email)[0]).toContain("email");
  });

  it("refuses every one of the most common passwords in the bundled list", () => {
    const top = (dictionary["passwords-common"] as string[]).slice(0, 10_000);
    const accepted = top.filter((password) => findPasswordProblems(password, email).length === 0);
    expect(accepted).toEqual([]);
  });

  it("bundles exactly the list's entries that the length rule would let through", () => {
    const derived = [
      ...new Set(
        (dictionary["passwords-common"] as string[])
          .map((password) => password.normalize("NFKC").toLowerCase())
          .filter((password) => [...password].length >= 12),
      ),
    ];
    expect([...commonLongPasswords]).toEqual(derived);
  });
});

describe("password hashing (argon2id)", () => {
  it("stores argon2id at OWASP's minimum parameters in a PHC string with a random salt", async () => {
    const first = await hashPassword("a perfectly fine passphrase");
    const second = await hashPassword("a perfectly fine passphrase");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
    expect(parsePasswordHash(first)).toEqual({ memoryKiB: 19456, passes: 2, parallelism: 1 });
    expect(argon2idParameters).toMatchObject({ memoryKiB: 19456, passes: 2, parallelism: 1 });
  });

  it("verifies the right password and refuses others, including a truncated one", async () => {
    const password = `${"p".repeat(100)}tail`;
    const stored = await hashPassword(password);
    expect(await verifyPassword(stored, password)).toBe(true);
    expect(await verifyPassword(stored, "p".repeat(100))).toBe(false);
    expect(await verifyPassword(stored, `${password} `)).toBe(false);
    expect(await verifyPassword("not a hash", password)).toBe(false);
  });

  it("verifies against the parameters stored in the hash, so they can be raised later", async () => {
    // Made by an independent implementation (Node 24's crypto.argon2Sync, i.e. OpenSSL) with other
    // parameters: password "password", salt "somesaltsomesalt", m=4096, t=3, p=1.
    const olderHash =
      "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$BvuA7SfebsIC3f4gSy7/Ei1s6+hsEfaOuCZMbl/y/Sg";
    expect(parsePasswordHash(olderHash)).toEqual({ memoryKiB: 4096, passes: 3, parallelism: 1 });
    expect(await verifyPassword(olderHash, "password")).toBe(true);
    expect(await verifyPassword(olderHash, "Password")).toBe(false);
    const stored = await hashPassword("parameters travel with the hash");
    expect(await verifyPassword(stored.replace("m=19456", "m=19457"), "parameters travel with the hash")).toBe(false);
  });

  it("treats NFKC-equivalent spellings as the same password", async () => {
    const stored = await hashPassword("caf\u00e9 au lait tous les jours");
    expect(await verifyPassword(stored, "cafe\u0301 au lait tous les jours")).toBe(true);
  });
});
