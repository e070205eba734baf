import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { issuePasskeyChallenge } from "../../src/domain/passkeys/passkey-challenges";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs, testContext } from "../helpers/factories";
import { extractSetupUrl, openLinkPage } from "../helpers/links";
import { registerTestPasskey, requirePasskeysFor } from "../helpers/passkeys";
import { extractRecoveryCodes, extractTotpSecret, totpCode } from "../helpers/totp";

async function setup() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, adminAgent: await signInAs(app, clock, admin) };
}

describe("reset two-factor", () => {
  it("needs a sign-in within 15 minutes, then takes a step-up with password and code", async () => {
    const { clock, app, admin, adminAgent } = await setup();
    const user = await createActiveUser(clock);
    clock.advanceSeconds(16 * 60);
    await adminAgent.get("/admin"); // keep the session from idling out
    const page = await (await adminAgent.get(`/admin/users/${user.id}/security`)).text();
    expect(page).toContain("This needs a recent sign-in");
    const refused = await adminAgent.post(`/admin/users/${user.id}/reset-two-factor`, {});
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("again (your password and a code, or a passkey)");

    const wrong = await adminAgent.post("/account/confirm", {
      password: admin.password,
      code: "000000",
      next: `/admin/users/${user.id}/security`,
    });
    expect(wrong.status).toBe(400);
    clock.advanceSeconds(30);
    const confirmed = await adminAgent.post("/account/confirm", {
      password: admin.password,
      code: totpCode(admin.totpSecret, clock.now()),
      next: `/admin/users/${user.id}/security`,
    });
    expect(confirmed.headers.get("location")).toBe(`/admin/users/${user.id}/security`);
    expect(await (await adminAgent.get(`/admin/users/${user.id}/security`)).text()).toContain("Reset two-factor…");
    const replay = await adminAgent.post("/account/confirm", {
      password: admin.password,
      code: totpCode(admin.totpSecret, clock.now()),
    });
    expect(replay.status).toBe(400);
    expect(app).toBeDefined();
  });

  it("kills sessions, removes the authenticator, keeps the password and enrolls a new one through the link", async () => {
    const { clock, app, adminAgent } = await setup();
    const user = await createActiveUser(clock, { firstName: "Lost", lastName: "Phone" });
    const userAgent = await signInAs(app, clock, user);
    expect((await adminAgent.get(`/admin/users/${user.id}/reset-two-factor`)).status).toBe(200);
    const issued = await adminAgent.post(`/admin/users/${user.id}/reset-two-factor`, {});
    expect(issued.headers.get("location")).toBe(`/admin/users/${user.id}/setup-link`);
    const html = await openLinkPage(adminAgent, issued);
    expect(html).toContain("Lost Phone&#39;s passkeys and authenticator app were removed and their sessions ended.");
    const setupUrl = extractSetupUrl(html);
    // A reload shows no link and offers no new setup link: the person is active, the reset is the way.
    const reload = await (await adminAgent.get(`/admin/users/${user.id}/setup-link`)).text();
    expect(reload).toContain("The setup link was shown once.");
    expect(reload).not.toContain("Send a new setup link");

    expect((await userAgent.get("/admin")).status).toBe(303);
    const row = await env.DB.prepare(
      "SELECT totp_secret, password_hash, activated_at, deactivated_at FROM users WHERE id = ?",
    )
      .bind(user.id)
      .first<Record<string, unknown>>();
    expect(row?.totp_secret).toBeNull();
    expect(row?.password_hash).not.toBeNull();
    expect(row?.activated_at).not.toBeNull();
    const mail = await env.DB.prepare("SELECT kind FROM outbox WHERE user_id = ? ORDER BY created_at DESC LIMIT 1")
      .bind(user.id)
      .first<{ kind: string }>();
    expect(mail?.kind).toBe("two_factor_reset");
    const oldCode = await new Agent(app).post("/login", { email: user.email, password: user.password });
    expect(oldCode.status).toBe(401);

    const enrolling = new Agent(app);
    expect((await enrolling.get(new URL(setupUrl).pathname)).status).toBe(303);
    const step1 = await (await enrolling.get("/setup")).text();
    expect(step1).toContain("Current password");
    expect((await enrolling.post("/setup", { step: "password", password: "not my password at all" })).status).toBe(400);
    const step2 = await enrolling.post("/setup", { step: "password", password: user.password });
    const secret = extractTotpSecret(await step2.text());
    expect(secret).not.toBe(user.totpSecret);
    const done = await enrolling.post("/setup", { step: "confirm", code: totpCode(secret, clock.now()) });
    expect(extractRecoveryCodes(await done.text())).toHaveLength(10);
    const again = await signInAs(app, clock, { ...user, totpSecret: secret });
    expect((await again.get("/admin")).status).toBe(200);
    const actions = await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(user.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual(
      expect.arrayContaining(["user.two_factor_reset", "user.two_factor_enrolled"]),
    );
  });

  it("is never allowed on your own account", async () => {
    const { admin, adminAgent } = await setup();
    const response = await adminAgent.post(`/admin/users/${admin.id}/reset-two-factor`, {});
    expect(response.status).toBe(403);
  });
});

describe("sessions, locks and erasure", () => {
  it("ends a user's sessions and clears their sign-in lock, audited", async () => {
    const { clock, app, adminAgent } = await setup();
    const user = await createActiveUser(clock, { firstName: "Sam", lastName: "Sessions" });
    const userAgent = await signInAs(app, clock, user);
    const ended = await adminAgent.post(`/admin/users/${user.id}/end-sessions`, {});
    expect(ended.headers.get("location")).toBe(`/admin/users/${user.id}/security`);
    expect(await (await adminAgent.get(`/admin/users/${user.id}/security`)).text()).toContain(
      "Sam Sessions&#39;s sessions were ended; they need to sign in again.",
    );
    expect((await userAgent.get("/admin")).status).toBe(303);
    for (let i = 0; i < 10; i++)
      await new Agent(app).post("/login", { email: user.email, password: "wrong wrong wrong" });
    expect((await new Agent(app).post("/login", { email: user.email, password: user.password })).status).toBe(429);
    expect(await (await adminAgent.get(`/admin/users/${user.id}/security`)).text()).toContain("Clear the lock");
    expect((await adminAgent.post(`/admin/users/${user.id}/clear-lock`, {})).status).toBe(303);
    expect(await (await adminAgent.get(`/admin/users/${user.id}/security`)).text()).toContain(
      "The sign-in lock on Sam Sessions&#39;s account was cleared.",
    );
    expect((await new Agent(app).post("/login", { email: user.email, password: user.password })).status).toBe(303);
    const actions = await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(user.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual(
      expect.arrayContaining(["user.sessions_ended", "session.account_locked", "user.sign_in_lock_cleared"]),
    );
  });

  it("erases a deactivated user's personal data but keeps the audit trail as it was", async () => {
    const { clock, adminAgent } = await setup();
    const user = await createActiveUser(clock, { firstName: "Gdpr", lastName: "Subject" });
    expect((await adminAgent.post(`/admin/users/${user.id}/erase`, {})).status).toBe(409);
    await adminAgent.post(`/admin/users/${user.id}/deactivate`, {});
    const erased = await adminAgent.post(`/admin/users/${user.id}/erase`, {});
    expect(erased.status, await summarizeResponse(erased)).toBe(303);
    expect(erased.headers.get("location")).toBe("/admin/users");
    expect(await (await adminAgent.get("/admin/users")).text()).toContain(
      "Gdpr Subject&#39;s personal data was erased. The audit log keeps its records.",
    );
    const row = await env.DB.prepare("SELECT email, first_name, password_hash, erased_at FROM users WHERE id = ?")
      .bind(user.id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ email: `erased-${user.id}@erased.invalid`, first_name: "Erased", password_hash: null });
    const history = await env.DB.prepare(
      "SELECT target_label FROM audit_events WHERE target_id = ? AND action = 'user.invited'",
    )
      .bind(user.id)
      .first<{ target_label: string }>();
    expect(history?.target_label).toContain(user.email);
    expect((await adminAgent.get(`/admin/users/${user.id}`)).status).toBe(404);
  });
});

async function countRows(table: "passkeys" | "passkey_challenges", userId: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`)
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A passkey challenge issued for the user and not answered yet (an enrolment left half done). */
async function leaveChallengeOpen(clock: TestClock, userId: string): Promise<void> {
  await issuePasskeyChallenge(testContext(clock), { purpose: "register", userId, bindingHash: `test-${userId}` });
}

describe("sign-in factors", () => {
  it("shows the authenticator app, each passkey by name and time, the recovery codes left and the policy, never a key", async () => {
    const { clock, adminAgent } = await setup();
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    await registerTestPasskey(clock, user, { name: "Work laptop" });
    await registerTestPasskey(clock, user, { name: "YubiKey" });
    const page = async () => {
      const response = await adminAgent.get(`/admin/users/${user.id}/security`);
      expect(response.status, await summarizeResponse(response)).toBe(200);
      return response.text();
    };
    const html = await page();
    expect(html).toContain("Sign-in factors");
    expect(html).toContain("Work laptop");
    expect(html).toContain("YubiKey");
    expect(html).toMatch(/<dt>Authenticator app<\/dt><dd>Set up<\/dd>/);
    expect(html).toContain("10 left");
    expect(html).toContain("does not require one for the role Contractor");
    const stored = await env.DB.prepare("SELECT credential_id, public_key FROM passkeys WHERE user_id = ?")
      .bind(user.id)
      .all<{ credential_id: string; public_key: string }>();
    for (const row of stored.results) {
      expect(html).not.toContain(row.credential_id);
      expect(html).not.toContain(row.public_key);
    }
    expect(html).not.toContain(user.totpSecret);

    await requirePasskeysFor(clock, ["CONTRACTOR"]);
    expect(await page()).toContain("Yes: the sign-in policy requires a passkey for the role Contractor.");
    await env.DB.prepare("DELETE FROM passkey_required_roles").run();
  });

  it("the two-factor reset removes every passkey and its open challenges, says how many, and tells the person", async () => {
    const { clock, adminAgent } = await setup();
    const user = await createActiveUser(clock, { firstName: "Lost", lastName: "Keys" });
    await registerTestPasskey(clock, user, { name: "Laptop" });
    await registerTestPasskey(clock, user, { name: "Phone" });
    await leaveChallengeOpen(clock, user.id);
    expect(await countRows("passkey_challenges", user.id)).toBe(1);

    const issued = await adminAgent.post(`/admin/users/${user.id}/reset-two-factor`, {});
    expect(issued.status, await summarizeResponse(issued)).toBe(303);
    expect(await countRows("passkeys", user.id)).toBe(0);
    expect(await countRows("passkey_challenges", user.id)).toBe(0);
    const event = await env.DB.prepare(
      "SELECT details FROM audit_events WHERE target_id = ? AND action = 'user.two_factor_reset'",
    )
      .bind(user.id)
      .first<{ details: string }>();
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({ passkeysRemoved: 2 });
    const mail = await env.DB.prepare(
      "SELECT text_body FROM outbox WHERE user_id = ? AND kind = 'two_factor_reset' ORDER BY created_at DESC LIMIT 1",
    )
      .bind(user.id)
      .first<{ text_body: string }>();
    expect(mail?.text_body).toContain("set up a passkey or an authenticator app again");
  });

  it("erasing a user deletes their passkeys and open challenges", async () => {
    const { clock, adminAgent } = await setup();
    const user = await createActiveUser(clock, { firstName: "Gone", lastName: "Forever" });
    await registerTestPasskey(clock, user, { name: "Laptop" });
    await leaveChallengeOpen(clock, user.id);
    expect((await adminAgent.post(`/admin/users/${user.id}/deactivate`, {})).status).toBe(303);
    const erased = await adminAgent.post(`/admin/users/${user.id}/erase`, {});
    expect(erased.status, await summarizeResponse(erased)).toBe(303);
    expect(await countRows("passkeys", user.id)).toBe(0);
    expect(await countRows("passkey_challenges", user.id)).toBe(0);
  });
});
