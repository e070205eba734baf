// Passkeys added during setup, below HTTP (docs/PASSKEYS.md "Credentials"): pending and unusable
// until the setup finishes with their link, usable after, gone with a reissued link; challenges
// bound to one link; at least one second factor; the role's passkey policy at setup.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../src/auth/crypto";
import { completeSetup, findSetupState } from "../../../src/domain/invites/setup";
import { regenerateSetupLink } from "../../../src/domain/invites/setup-links";
import {
  addSetupPasskey,
  completeSetupWithPasskeys,
  startSetupPasskey,
} from "../../../src/domain/invites/setup-passkeys";
import { passkeysPerUserLimit, selectUsablePasskeys } from "../../../src/domain/passkeys/passkeys-read";
import { TestClock } from "../../helpers/clock";
import { inviteTestUser, testContext } from "../../helpers/factories";
import { addTestSetupPasskey, assertWithTestPasskey, requirePasskeysFor } from "../../helpers/passkeys";
import { invitedPastPassword, requireSetupState } from "../../helpers/setup-steps";
import { SoftwareAuthenticator } from "../../helpers/software-authenticator";
import { rawDb } from "../../helpers/store";
import { totpCode } from "../../helpers/totp";

const noClient = { ip: null, userAgent: null };

function readUser(id: string) {
  return rawDb.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

function readPasskeys(userId: string) {
  return rawDb
    .prepare("SELECT id, name, pending_setup_token_hash FROM passkeys WHERE user_id = ? ORDER BY created_at, id")
    .bind(userId)
    .all<{ id: string; name: string; pending_setup_token_hash: string | null }>()
    .then((result) => result.results);
}

function countRows(table: "sessions" | "recovery_codes", userId: string) {
  return rawDb
    .prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`)
    .bind(userId)
    .first<{ n: number }>()
    .then((row) => row?.n ?? 0);
}

describe("passkeys added during setup", () => {
  it("signs nobody in with a passkey added during setup until the setup finishes, then signs its owner in", async () => {
    const clock = new TestClock();
    const { invited, state } = await invitedPastPassword(clock);
    const passkey = await addTestSetupPasskey(clock, state, { name: "Work laptop" });

    expect(await readPasskeys(invited.user.id)).toEqual([
      { id: passkey.id, name: "Work laptop", pending_setup_token_hash: hashToken(invited.token) },
    ]);
    expect(await assertWithTestPasskey(clock, passkey.authenticator)).toEqual({ refused: "unknown_credential" });
    expect(await selectUsablePasskeys(testContext(clock).db, invited.user.id)).toEqual([]);

    const completed = await completeSetupWithPasskeys(testContext(clock), state, noClient);

    expect(completed.recoveryCodes).toHaveLength(10);
    expect(await readPasskeys(invited.user.id)).toEqual([
      { id: passkey.id, name: "Work laptop", pending_setup_token_hash: null },
    ]);
    expect(await assertWithTestPasskey(clock, passkey.authenticator)).toEqual({ userId: invited.user.id });
    expect(await readUser(invited.user.id)).toMatchObject({
      activated_at: clock.now().getTime(),
      display_name: "Pat Person",
      totp_secret: null,
      pending_totp_secret: null,
      setup_token_hash: null,
    });
    const session = await rawDb
      .prepare("SELECT user_id, sign_in_method, passkey_enrolment_required FROM sessions WHERE id = ?")
      .bind(hashToken(completed.session.token))
      .first();
    expect(session).toEqual({ user_id: invited.user.id, sign_in_method: "setup", passkey_enrolment_required: 0 });
    expect(await countRows("recovery_codes", invited.user.id)).toBe(10);
    const audited = await rawDb
      .prepare("SELECT action, details FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(invited.user.id)
      .all<{ action: string; details: string }>();
    const added = audited.results.find((row) => row.action === "user.passkey_added");
    expect(JSON.parse(added?.details ?? "{}")).toEqual({ passkeyId: passkey.id, passkeyName: "Work laptop" });
    expect(audited.results.map((row) => row.action)).toContain("user.setup_completed");
  });

  it("finishes with both the authenticator app and the passkeys added before the code", async () => {
    const clock = new TestClock();
    const { invited, secret, state } = await invitedPastPassword(clock);
    const passkey = await addTestSetupPasskey(clock, state);

    await completeSetup(testContext(clock), state, totpCode(secret, clock.now()), noClient);

    expect(await readUser(invited.user.id)).toMatchObject({ totp_secret: secret, setup_token_hash: null });
    expect(await assertWithTestPasskey(clock, passkey.authenticator)).toEqual({ userId: invited.user.id });
  });

  it("deletes the passkeys added with a link when a new link is issued, and the old link finishes nothing", async () => {
    const clock = new TestClock();
    const { invited, state } = await invitedPastPassword(clock);
    const passkey = await addTestSetupPasskey(clock, state);

    await regenerateSetupLink(testContext(clock), invited.user.id);

    expect(await readPasskeys(invited.user.id)).toEqual([]);
    expect(await assertWithTestPasskey(clock, passkey.authenticator)).toEqual({ refused: "unknown_credential" });
    await expect(completeSetupWithPasskeys(testContext(clock), state, noClient)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await countRows("sessions", invited.user.id)).toBe(0);
  });

  it("refuses a passkey answering a link that was replaced after its challenge was issued", async () => {
    const clock = new TestClock();
    const { invited, state } = await invitedPastPassword(clock);
    const ctx = testContext(clock);
    const credential = await new SoftwareAuthenticator().register(await startSetupPasskey(ctx, state));

    await regenerateSetupLink(ctx, invited.user.id);

    await expect(addSetupPasskey(ctx, state, { name: "Late", credential })).rejects.toMatchObject({
      code: "SETUP_LINK_INVALID",
    });
    expect(await readPasskeys(invited.user.id)).toEqual([]);
  });

  it("leaves the passkeys of an expired link unusable, and the link finishes nothing", async () => {
    const clock = new TestClock();
    const { invited, state } = await invitedPastPassword(clock);
    const passkey = await addTestSetupPasskey(clock, state);

    clock.set(invited.setupLinkExpiresAt);

    expect(await findSetupState(testContext(clock), invited.token)).toBeNull();
    await expect(completeSetupWithPasskeys(testContext(clock), state, noClient)).rejects.toMatchObject({
      code: "SETUP_LINK_INVALID",
    });
    expect(await readPasskeys(invited.user.id)).toEqual([
      expect.objectContaining({ pending_setup_token_hash: hashToken(invited.token) }),
    ]);
    expect(await assertWithTestPasskey(clock, passkey.authenticator)).toEqual({ refused: "unknown_credential" });
    expect(await readUser(invited.user.id)).toMatchObject({ activated_at: null });
  });

  it("does not let a challenge bound to one setup link answer another link's ceremony", async () => {
    const clock = new TestClock();
    const first = await invitedPastPassword(clock);
    const second = await invitedPastPassword(clock);
    const ctx = testContext(clock);
    const credential = await new SoftwareAuthenticator().register(await startSetupPasskey(ctx, first.state));

    await expect(addSetupPasskey(ctx, second.state, { name: "Stolen", credential })).rejects.toMatchObject({
      code: "PASSKEY_REFUSED",
    });

    expect(await readPasskeys(second.invited.user.id)).toEqual([]);
    const refusal = await rawDb
      .prepare("SELECT details FROM audit_events WHERE target_id = ? AND action = 'session.sign_in_failed'")
      .bind(second.invited.user.id)
      .first<{ details: string }>();
    expect(JSON.parse(refusal?.details ?? "{}")).toEqual({ factor: "passkey", reason: "challenge_unknown" });
    // The challenge was not spent by the wrong link: its own link still answers it.
    await addSetupPasskey(ctx, first.state, { name: "Mine", credential });
    expect(await readPasskeys(first.invited.user.id)).toEqual([expect.objectContaining({ name: "Mine" })]);
  });

  it("refuses to finish with neither a passkey nor the authenticator app", async () => {
    const clock = new TestClock();
    const { invited, state } = await invitedPastPassword(clock);

    await expect(completeSetupWithPasskeys(testContext(clock), state, noClient)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });

    expect(await readUser(invited.user.id)).toMatchObject({
      activated_at: null,
      setup_token_hash: hashToken(invited.token),
    });
    expect(await countRows("sessions", invited.user.id)).toBe(0);
  });

  it("refuses the authenticator app alone when the role requires a passkey, and takes it beside one", async () => {
    const clock = new TestClock();
    await requirePasskeysFor(clock, ["SUPER_ADMIN"]);
    const { invited, secret, state } = await invitedPastPassword(clock, { role: "SUPER_ADMIN" });

    const refused = completeSetup(testContext(clock), state, totpCode(secret, clock.now()), noClient);
    await expect(refused).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fieldErrors: [{ field: "code", message: expect.stringContaining("Your role requires a passkey") }],
    });
    expect(await countRows("sessions", invited.user.id)).toBe(0);

    const passkey = await addTestSetupPasskey(clock, state);
    await completeSetup(testContext(clock), state, totpCode(secret, clock.now()), noClient);

    expect(await readUser(invited.user.id)).toMatchObject({ totp_secret: secret });
    expect(await assertWithTestPasskey(clock, passkey.authenticator)).toEqual({ userId: invited.user.id });
  });

  it("refuses a passkey beyond the limit of 20 per person", async () => {
    const clock = new TestClock();
    const { invited, state } = await invitedPastPassword(clock);
    for (let added = 0; added < passkeysPerUserLimit; added++) await addTestSetupPasskey(clock, state);

    await expect(addTestSetupPasskey(clock, state, { name: "One too many" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fieldErrors: [{ field: "name", message: "You can keep at most 20 passkeys." }],
    });
    expect(await readPasskeys(invited.user.id)).toHaveLength(passkeysPerUserLimit);
  });

  it("refuses to add a passkey before the password step", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const state = await requireSetupState(clock, invited.token);

    await expect(startSetupPasskey(testContext(clock), state)).rejects.toMatchObject({ code: "SETUP_LINK_INVALID" });
  });
});
