// The admin two-factor reset and GDPR erasure take a user's passkeys with them, on both stores
// (docs/PASSKEYS.md "The policy"; the pages' side is in test/pages/user-security.test.ts).
import { describe, expect, it } from "vitest";
import { issuePasskeyChallenge } from "../../../src/domain/passkeys/passkey-challenges";
import { deactivateUser } from "../../../src/domain/users/user-lifecycle";
import { eraseUser, resetTwoFactor } from "../../../src/domain/users/user-security";
import { TestClock } from "../../helpers/clock";
import { createActiveUser, testContext, testPrincipal } from "../../helpers/factories";
import { registerTestPasskey } from "../../helpers/passkeys";
import { rawDb } from "../../helpers/store";

async function passkeyRows(userId: string) {
  const row = await rawDb
    .prepare(
      "SELECT (SELECT count(*) FROM passkeys WHERE user_id = ?1) AS passkeys, (SELECT count(*) FROM passkey_challenges WHERE user_id = ?1) AS challenges",
    )
    .bind(userId)
    .first<{ passkeys: number; challenges: number }>();
  return row;
}

async function userWithPasskeys(clock: TestClock, count: number) {
  const user = await createActiveUser(clock, { role: "OPERATOR" });
  for (let index = 0; index < count; index++) await registerTestPasskey(clock, user, { name: `Key ${index}` });
  await registerTestPasskey(clock, user, { name: "Of an unfinished setup", pendingSetupTokenHash: "unfinished" });
  await issuePasskeyChallenge(testContext(clock), { purpose: "register", userId: user.id, bindingHash: "open" });
  return user;
}

describe("removing a user's passkeys", () => {
  it("the two-factor reset deletes every passkey and open challenge and audits how many passkeys went", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock, { kind: "user", principal: testPrincipal(clock, "SUPER_ADMIN") });
    const user = await userWithPasskeys(clock, 2);
    await resetTwoFactor(ctx, user.id);
    expect(await passkeyRows(user.id)).toEqual({ passkeys: 0, challenges: 0 });
    const event = await rawDb
      .prepare("SELECT details FROM audit_events WHERE target_id = ? AND action = 'user.two_factor_reset'")
      .bind(user.id)
      .first<{ details: string }>();
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({ passkeysRemoved: 3 });
  });

  it("the reset of a user without passkeys says none went", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock, { kind: "user", principal: testPrincipal(clock, "SUPER_ADMIN") });
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    await resetTwoFactor(ctx, user.id);
    const event = await rawDb
      .prepare("SELECT details FROM audit_events WHERE target_id = ? AND action = 'user.two_factor_reset'")
      .bind(user.id)
      .first<{ details: string }>();
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({ passkeysRemoved: 0 });
  });

  it("erasure deletes every passkey and open challenge", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock, { kind: "user", principal: testPrincipal(clock, "SUPER_ADMIN") });
    const user = await userWithPasskeys(clock, 1);
    await deactivateUser(ctx, user.id);
    await eraseUser(ctx, user.id);
    expect(await passkeyRows(user.id)).toEqual({ passkeys: 0, challenges: 0 });
  });
});
