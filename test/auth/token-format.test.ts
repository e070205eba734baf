import { describe, expect, it } from "vitest";
import {
  crc32,
  generateSecretToken,
  isWellFormedSecretToken,
  readApiTokenLookupKey,
  secretTokenPattern,
} from "../../src/auth/token-format";

/** Every other base62 character of the same position, to prove one typo anywhere is caught. */
function withTypoAt(token: string, index: number): string {
  const replacement = token[index] === "a" ? "b" : "a";
  return `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
}

describe("token format", () => {
  it("computes the standard CRC-32 (IEEE, as zip and PNG)", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
  });

  it("issues personal API tokens as gthp_, 43 random base62 characters and a 6-character checksum", () => {
    const tokens = Array.from({ length: 50 }, () => generateSecretToken("personalApiToken"));
    for (const token of tokens) {
      expect(token).toMatch(/^gthp_[0-9A-Za-z]{49}$/);
      expect(secretTokenPattern.test(`leaked in a log line: ${token}.`)).toBe(true);
      expect(isWellFormedSecretToken("personalApiToken", token)).toBe(true);
      expect(readApiTokenLookupKey(token)).toBe(token);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("refuses a token with one mistyped character, a truncation or someone else's prefix", () => {
    const token = generateSecretToken("personalApiToken");
    for (let index = 5; index < token.length; index++) {
      expect(readApiTokenLookupKey(withTypoAt(token, index)), `typo at ${index}`).toBeNull();
    }
    expect(readApiTokenLookupKey(token.slice(0, -1))).toBeNull();
    expect(readApiTokenLookupKey(`${token}x`)).toBeNull();
    expect(readApiTokenLookupKey(token.replace("gthp_", "ghp_"))).toBeNull();
    expect(readApiTokenLookupKey(token.replace("gthp_", "gths_"))).toBeNull();
    expect(readApiTokenLookupKey(`ghp_${"a".repeat(36)}`)).toBeNull();
    expect(readApiTokenLookupKey("")).toBeNull();
  });

  it("still reads a token issued before the format, gh_ and 43 base64url characters, by its random part", () => {
    const legacy = `gh_${"A".repeat(20)}-_${"z".repeat(21)}`;
    expect(readApiTokenLookupKey(legacy)).toBe(legacy.slice(3));
    expect(readApiTokenLookupKey(legacy.slice(3))).toBeNull();
    expect(readApiTokenLookupKey(`${legacy}A`)).toBeNull();
  });
});
