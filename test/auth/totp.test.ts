import { describe, expect, it } from "vitest";
import { buildTotpUri, findTotpStep, generateTotpCodeAt, generateTotpSecret, totpStepAt } from "../../src/auth/totp";
import { totpCode } from "../helpers/totp";

const rfcSeed = new TextEncoder().encode("12345678901234567890");

describe("TOTP", () => {
  it.each([
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ])("matches RFC 6238 Appendix B (SHA-1, 8 digits) at %i s", (seconds, expected) => {
    expect(generateTotpCodeAt(rfcSeed, seconds, 8)).toBe(expected);
  });

  it("uses a 64-bit counter beyond 2^32 steps", () => {
    // Step 2^32 + 1 would wrap to step 1 with a 32-bit counter.
    const seconds = (2 ** 32 + 1) * 30;
    expect(generateTotpCodeAt(rfcSeed, seconds, 8)).not.toBe(generateTotpCodeAt(rfcSeed, 30, 8));
  });

  it("generates 20-byte secrets and the otpauth URI of docs/PRODUCT.md §2", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(buildTotpUri(secret, "ana@example.com")).toBe(
      `otpauth://totp/Gatehouse:ana%40example.com?secret=${secret}&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it("accepts one step of drift either way and nothing further", () => {
    const secret = generateTotpSecret();
    const now = new Date("2026-11-23T12:00:10Z");
    const step = totpStepAt(now);
    expect(findTotpStep(secret, totpCode(secret, now, -1), now, null)).toBe(step - 1);
    expect(findTotpStep(secret, totpCode(secret, now, 0), now, null)).toBe(step);
    expect(findTotpStep(secret, totpCode(secret, now, 1), now, null)).toBe(step + 1);
    expect(findTotpStep(secret, totpCode(secret, now, -2), now, null)).toBeNull();
    expect(findTotpStep(secret, totpCode(secret, now, 2), now, null)).toBeNull();
  });

  it("refuses a code whose step is at or below the last accepted step", () => {
    const secret = generateTotpSecret();
    const now = new Date("2026-11-23T12:00:10Z");
    const step = totpStepAt(now);
    expect(findTotpStep(secret, totpCode(secret, now), now, step)).toBeNull();
    expect(findTotpStep(secret, totpCode(secret, now), now, step - 1)).toBe(step);
  });

  it("refuses empty, short and non-numeric codes", () => {
    const secret = generateTotpSecret();
    const now = new Date();
    for (const code of ["", "12345", "1234567", "abcdef", "12 34"])
      expect(findTotpStep(secret, code, now, null)).toBeNull();
  });
});
