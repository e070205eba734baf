// Recovery codes (docs/SECURITY.md "Authenticators and assurance"): ten codes of 50 random bits,
// shown once and stored as SHA-256; each signs in once (the race is in test/domain/sign-in).
import { describe, expect, it } from "vitest";
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeCount,
} from "../../src/auth/recovery-codes";
import { verifyPasswordStep, verifySecondFactor } from "../../src/domain/sign-in/sign-in";
import { findSignInAttempt } from "../../src/domain/sign-in/sign-in-attempts";
import { TestClock } from "../helpers/clock";
import { createActiveUser, testContext, uniqueAddress } from "../helpers/factories";
import { rawDb } from "../helpers/store";

describe("recovery codes", () => {
  it("generates ten distinct codes of ten base32 characters, grouped five and five", () => {
    const codes = generateRecoveryCodes();

    expect(codes).toHaveLength(recoveryCodeCount);
    expect(new Set(codes).size).toBe(recoveryCodeCount);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  });

  it("reads a code as people type it: any case, with or without the dash or spaces", () => {
    for (const typed of ["abcde-fghij", "ABCDE-FGHIJ", "abcdefghij", " abcde fghij ", "Abc-de-fGhij"]) {
      expect(normalizeRecoveryCode(typed), typed).toBe("abcde-fghij");
    }
    for (const typed of ["abcde-fghi", "abcde-fghij1", "abcde-fgh0j", ""])
      expect(normalizeRecoveryCode(typed), typed).toBeNull();
  });

  it("stores only the hash of each code the person was shown", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);

    const rows = await rawDb
      .prepare("SELECT code_hash, used_at FROM recovery_codes WHERE user_id = ?")
      .bind(user.id)
      .all<{ code_hash: string; used_at: number | null }>();

    expect(rows.results.map((row) => row.code_hash).sort()).toEqual(
      user.recoveryCodes.map((code) => hashRecoveryCode(code)).sort(),
    );
    expect(rows.results.every((row) => row.used_at === null)).toBe(true);
    for (const code of user.recoveryCodes) expect(JSON.stringify(rows.results)).not.toContain(code);
  });

  it("marks a code used when it signs someone in, and never accepts it again", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const ctx = { ...testContext(clock), ip: uniqueAddress() };
    const [code] = user.recoveryCodes as [string];
    const client = { ip: null, userAgent: null };

    const first = await verifyPasswordStep(ctx, { email: user.email, password: user.password });
    await verifySecondFactor(ctx, await findSignInAttempt(ctx, first), code, client);
    const second = await verifyPasswordStep(ctx, { email: user.email, password: user.password });

    const secondAttempt = await findSignInAttempt(ctx, second);
    await expect(verifySecondFactor(ctx, secondAttempt, code, client)).rejects.toMatchObject({
      code: "SIGN_IN_CODE_REFUSED",
    });
    const used = await rawDb
      .prepare("SELECT code_hash, used_at FROM recovery_codes WHERE user_id = ? AND used_at IS NOT NULL")
      .bind(user.id)
      .all();
    expect(used.results).toEqual([{ code_hash: hashRecoveryCode(code), used_at: clock.now().getTime() }]);
  });
});
