// The rules of a person's own passkeys and authenticator app, at the domain level on both stores:
// add, rename and remove with their audit, never the last second factor, never the last passkey
// under the policy, another person's passkey is not found, and every change needs a recent sign-in.
import { afterEach, describe, expect, it } from "vitest";
import type { Principal } from "../../../src/domain/access";
import {
  confirmAuthenticatorApp,
  removeAuthenticatorApp,
  startAuthenticatorApp,
} from "../../../src/domain/account/authenticator-app";
import {
  addPasskey,
  readOwnFactors,
  removePasskey,
  renamePasskey,
  sessionBindingHash,
  startPasskeyRegistration,
} from "../../../src/domain/passkeys/passkey-management";
import { passkeysPerUserLimit } from "../../../src/domain/passkeys/passkeys-read";
import { loadPrincipal } from "../../../src/domain/principal";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import { insertTestSession } from "../../helpers/confined-session";
import { type ActiveTestUser, createActiveUser, testContext } from "../../helpers/factories";
import { registerTestPasskey, requirePasskeysFor } from "../../helpers/passkeys";
import { SoftwareAuthenticator } from "../../helpers/software-authenticator";
import { rawDb } from "../../helpers/store";
import { totpCode } from "../../helpers/totp";

const clock = new TestClock("2026-12-02T10:00:00Z");

/** A real session of the user, loaded as the pages load it, and a context acting as them. */
async function actingAs(user: ActiveTestUser) {
  const ctx = testContext(clock);
  const session = await insertTestSession(clock, user.id, { passkeyEnrolmentRequired: false });
  const principal = (await loadPrincipal(ctx.db, { kind: "session", token: session.token }, ctx.now)) as Principal;
  return { principal, ctx: () => testContext(clock, { kind: "user", principal }) };
}

/** The audit of the person's factors: passkeys and the authenticator app. */
async function auditActions(userId: string): Promise<string[]> {
  const rows = await rawDb
    .prepare(
      "SELECT action FROM audit_events WHERE target_id = ? AND (action LIKE 'user.passkey_%' OR action LIKE 'user.authenticator_app_%') ORDER BY id",
    )
    .bind(userId)
    .all<{ action: string }>();
  return rows.results.map((row) => row.action);
}

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

// The policy outlives a test otherwise: later tests set people up with an authenticator app alone.
afterEach(async () => {
  await rawDb.prepare("DELETE FROM passkey_required_roles").run();
});

describe("a person's passkeys", () => {
  it("adds a passkey through the register ceremony bound to the session, renames and removes it, audited", async () => {
    const user = await createActiveUser(clock);
    const { principal, ctx } = await actingAs(user);
    const options = await startPasskeyRegistration(ctx(), principal, { enrolment: false });
    const credential = await new SoftwareAuthenticator().register(options as never);
    const added = await addPasskey(ctx(), principal, { name: "Work laptop", credential }, { enrolment: false });
    expect((await readOwnFactors(ctx(), principal)).passkeys.map((row) => row.name)).toEqual(["Work laptop"]);

    await renamePasskey(ctx(), principal, added.id, "Old laptop");
    expect((await readOwnFactors(ctx(), principal)).passkeys[0]?.name).toBe("Old laptop");
    await removePasskey(ctx(), principal, added.id);
    expect((await readOwnFactors(ctx(), principal)).passkeys).toEqual([]);
    expect(await auditActions(user.id)).toEqual(["user.passkey_added", "user.passkey_renamed", "user.passkey_removed"]);
  });

  it("binds the register challenge to the session id's hash, so another session cannot answer it", async () => {
    const user = await createActiveUser(clock);
    const mine = await actingAs(user);
    const other = await actingAs(user);
    const options = await startPasskeyRegistration(mine.ctx(), mine.principal, { enrolment: false });
    const credential = await new SoftwareAuthenticator().register(options as never);
    const refusal = await refusalOf(
      addPasskey(other.ctx(), other.principal, { name: "Elsewhere", credential }, { enrolment: false }),
    );
    expect(refusal.code).toBe("PASSKEY_REFUSED");
    if (mine.principal.credential.kind !== "session") throw new Error("a session principal");
    const challenges = await rawDb
      .prepare("SELECT binding_hash FROM passkey_challenges WHERE user_id = ? AND purpose = 'register'")
      .bind(user.id)
      .all<{ binding_hash: string }>();
    expect(challenges.results).toEqual([{ binding_hash: sessionBindingHash(mine.principal.credential.sessionId) }]);
    await addPasskey(mine.ctx(), mine.principal, { name: "Here", credential }, { enrolment: false });
    expect((await readOwnFactors(mine.ctx(), mine.principal)).passkeys.map((row) => row.name)).toEqual(["Here"]);
  });

  it("refuses a new passkey beyond the limit per person", async () => {
    const user = await createActiveUser(clock);
    const { principal, ctx } = await actingAs(user);
    for (let index = 0; index < passkeysPerUserLimit; index += 1) await registerTestPasskey(clock, user);
    const refusal = await refusalOf(startPasskeyRegistration(ctx(), principal, { enrolment: false }));
    expect(refusal.code).toBe("STATE_CONFLICT");
  });

  it("does not find another person's passkey to rename or remove", async () => {
    const user = await createActiveUser(clock);
    const stranger = await createActiveUser(clock);
    const theirs = await registerTestPasskey(clock, stranger, { name: "Theirs" });
    const { principal, ctx } = await actingAs(user);
    expect((await refusalOf(renamePasskey(ctx(), principal, theirs.id, "Mine"))).code).toBe("NOT_FOUND");
    expect((await refusalOf(removePasskey(ctx(), principal, theirs.id))).code).toBe("NOT_FOUND");
  });

  it("never removes the last second factor, and under the policy never the last passkey", async () => {
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    const only = await registerTestPasskey(clock, user);
    const { principal, ctx } = await actingAs(user);
    await removeAuthenticatorApp(ctx(), principal);
    expect((await refusalOf(removePasskey(ctx(), principal, only.id))).code).toBe("STATE_CONFLICT");

    const other = await createActiveUser(clock, { role: "CONTRACTOR" });
    const theirs = await registerTestPasskey(clock, other);
    await requirePasskeysFor(clock, ["CONTRACTOR"]);
    const acting = await actingAs(other);
    const refusal = await refusalOf(removePasskey(acting.ctx(), acting.principal, theirs.id));
    expect(refusal.detail).toContain("Your role requires a passkey");
    expect((await readOwnFactors(acting.ctx(), acting.principal)).passkeys).toHaveLength(1);
  });

  it("needs a recent sign-in for every change, but not to enrol the passkey the policy asks for", async () => {
    const user = await createActiveUser(clock);
    const passkey = await registerTestPasskey(clock, user);
    const { principal, ctx } = await actingAs(user);
    clock.advanceSeconds(16 * 60);
    for (const change of [
      startPasskeyRegistration(ctx(), principal, { enrolment: false }),
      renamePasskey(ctx(), principal, passkey.id, "Late"),
      removePasskey(ctx(), principal, passkey.id),
      startAuthenticatorApp(ctx(), principal),
      removeAuthenticatorApp(ctx(), principal),
    ]) {
      expect((await refusalOf(change)).code).toBe("RECENT_SIGN_IN_REQUIRED");
    }
    const options = await startPasskeyRegistration(ctx(), principal, { enrolment: true });
    expect(options.excludeCredentials).toHaveLength(1);
  });
});

describe("a person's authenticator app", () => {
  it("keeps the pending secret for the session, sets it with a code from it, and removes it while a passkey remains", async () => {
    const user = await createActiveUser(clock);
    await registerTestPasskey(clock, user);
    const { principal, ctx } = await actingAs(user);
    expect((await refusalOf(startAuthenticatorApp(ctx(), principal))).code).toBe("STATE_CONFLICT");
    await removeAuthenticatorApp(ctx(), principal);
    const secret = await startAuthenticatorApp(ctx(), principal);
    expect(await startAuthenticatorApp(ctx(), principal)).toBe(secret);
    expect((await refusalOf(confirmAuthenticatorApp(ctx(), principal, "000000"))).code).toBe("VALIDATION_FAILED");
    await confirmAuthenticatorApp(ctx(), principal, totpCode(secret, clock.now()));
    const row = await rawDb
      .prepare("SELECT totp_secret, pending_totp_secret FROM users WHERE id = ?")
      .bind(user.id)
      .first();
    expect(row).toEqual({ totp_secret: secret, pending_totp_secret: null });
    expect(await auditActions(user.id)).toEqual(["user.authenticator_app_removed", "user.authenticator_app_added"]);
  });

  it("refuses to remove the authenticator app of a person without a passkey", async () => {
    const user = await createActiveUser(clock);
    const { principal, ctx } = await actingAs(user);
    const refusal = await refusalOf(removeAuthenticatorApp(ctx(), principal));
    expect(refusal.code).toBe("STATE_CONFLICT");
    const row = await rawDb
      .prepare("SELECT totp_secret FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ totp_secret: string }>();
    expect(row?.totp_secret).toBe(user.totpSecret);
  });
});
