// Invites below HTTP (docs/PRODUCT.md §2 "Invite"): a PENDING user with a fresh setup link, their
// memberships, the email and the audit events in one batch; regenerating kills the old link at once.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../src/auth/crypto";
import { choosePassword, findSetupState } from "../../../src/domain/invites/setup";
import { regenerateSetupLink } from "../../../src/domain/invites/setup-links";
import { TestClock } from "../../helpers/clock";
import {
  createActiveUser,
  createTestTenant,
  inviteTestUser,
  testContext,
  testPassword,
  uniqueEmail,
} from "../../helpers/factories";
import { extractEmbeddedToken } from "../../helpers/links";
import { rawDb } from "../../helpers/store";

function readUser(id: string) {
  return rawDb.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

function readInviteMails(userId: string) {
  return rawDb
    .prepare("SELECT kind, to_address, text_body, status FROM outbox WHERE user_id = ? ORDER BY created_at, id")
    .bind(userId)
    .all<{ kind: string; to_address: string; text_body: string; status: string }>();
}

describe("invites", () => {
  it("creates a pending user with a week-long setup link, their memberships, the invite email and the audit events", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Acme");
    const email = uniqueEmail("olga");

    const invited = await inviteTestUser(clock, {
      email,
      firstName: "Olga",
      lastName: "Operator",
      role: "OPERATOR",
      memberships: [{ tenantId: tenant.id, role: "OPERATOR_READONLY", expiresAt: null }],
    });

    const linkExpiresAt = clock.now().getTime() + testContext(clock).config.SETUP_TOKEN_TTL_SECONDS * 1000;
    expect(invited.setupLinkExpiresAt.getTime()).toBe(linkExpiresAt);
    expect(await readUser(invited.user.id)).toMatchObject({
      email,
      role: "OPERATOR",
      display_name: "Olga Operator",
      setup_token_hash: hashToken(invited.token),
      setup_token_expires_at: linkExpiresAt,
      setup_purpose: "invite",
      password_hash: null,
      totp_secret: null,
      activated_at: null,
    });
    const granted = await rawDb
      .prepare("SELECT tenant_id, role, revoked_at FROM memberships WHERE user_id = ?")
      .bind(invited.user.id)
      .all();
    expect(granted.results).toEqual([{ tenant_id: tenant.id, role: "OPERATOR_READONLY", revoked_at: null }]);
    const mails = (await readInviteMails(invited.user.id)).results;
    expect(mails).toMatchObject([{ kind: "invite", to_address: email, status: "pending" }]);
    expect(mails[0]?.text_body).toContain(invited.setupUrl);
    const actions = await rawDb
      .prepare(
        "SELECT action FROM audit_events WHERE target_id IN (?, (SELECT id FROM memberships WHERE user_id = ?)) ORDER BY id",
      )
      .bind(invited.user.id, invited.user.id)
      .all<{ action: string }>();
    expect(actions.results.map((row) => row.action)).toEqual(["user.invited", "membership.granted"]);
    expect((await findSetupState(testContext(clock), invited.token))?.user.id).toBe(invited.user.id);
  });

  it("refuses an email that is already in use, and of two concurrent invites of one email exactly one wins", async () => {
    const clock = new TestClock();
    const existing = await createActiveUser(clock);
    await expect(inviteTestUser(clock, { email: existing.email.toUpperCase() })).rejects.toMatchObject({
      code: "EMAIL_IN_USE",
    });

    const email = uniqueEmail("twice");
    const results = await Promise.allSettled([inviteTestUser(clock, { email }), inviteTestUser(clock, { email })]);

    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((result) => result.status === "rejected")?.reason).toMatchObject({ code: "EMAIL_IN_USE" });
    const users = await rawDb
      .prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(email)
      .first<{ n: number }>();
    expect(users?.n).toBe(1);
  });

  it("kills the old link at once when the link is regenerated, and queues the invite again with the new one", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const oldState = await findSetupState(testContext(clock), invited.token);
    clock.advanceSeconds(60);

    const renewed = await regenerateSetupLink(testContext(clock), invited.user.id);

    const newToken = extractEmbeddedToken(renewed.setupUrl);
    expect(await findSetupState(testContext(clock), invited.token)).toBeNull();
    expect((await findSetupState(testContext(clock), newToken))?.user.id).toBe(invited.user.id);
    expect(await readUser(invited.user.id)).toMatchObject({
      setup_token_hash: hashToken(newToken),
      activated_at: null,
    });
    const mails = (await readInviteMails(invited.user.id)).results;
    expect(mails).toHaveLength(2);
    expect(mails[1]?.text_body).toContain(renewed.setupUrl);
    // A step that opened the old link before the regeneration cannot write through it afterwards.
    if (!oldState) throw new Error("the fresh link did not open");
    const stale = choosePassword(testContext(clock), oldState, {
      displayName: "Pat",
      password: testPassword,
      passwordConfirmation: testPassword,
    });
    await expect(stale).rejects.toMatchObject({ code: "SETUP_LINK_INVALID" });
    expect(await readUser(invited.user.id)).toMatchObject({ pending_password_hash: null, pending_totp_secret: null });
  });

  it("regenerates links only while the user is pending", async () => {
    const clock = new TestClock();
    const active = await createActiveUser(clock);

    await expect(regenerateSetupLink(testContext(clock), active.id)).rejects.toMatchObject({ code: "STATE_CONFLICT" });
    expect(await readUser(active.id)).toMatchObject({ setup_token_hash: null });
  });
});
