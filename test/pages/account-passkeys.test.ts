// /account's sign-in factors through the pages (docs/PASSKEYS.md): passkeys added, renamed and
// removed with a recent sign-in, never the last second factor (nor the last passkey under the
// policy), the authenticator app added later from its QR secret and removed, step-up and new
// recovery codes by a passkey with user verification, and /enrol-passkey releasing a session the
// policy confined. Rows are checked in the database as well as on the page.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/crypto";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { signInConfined } from "../helpers/confined-session";
import { type ActiveTestUser, createActiveUser, createTestApp, signInAs } from "../helpers/factories";
import {
  answerPasskeyCeremony,
  fetchPasskeyOptions,
  registerTestPasskey,
  requirePasskeysFor,
} from "../helpers/passkeys";
import { SoftwareAuthenticator } from "../helpers/software-authenticator";
import { rawDb } from "../helpers/store";
import { extractRecoveryCodes, extractTotpSecret, totpCode } from "../helpers/totp";

const clock = new TestClock("2026-12-01T09:00:00Z");
const app = createTestApp(clock);
const addPaths = { options: "/account/passkeys/options", submit: "/account/passkeys" };
const stepUpPaths = { options: "/reauthenticate/passkey/options", submit: "/reauthenticate/passkey" };

async function passkeysOf(userId: string) {
  const rows = await rawDb
    .prepare("SELECT id, name FROM passkeys WHERE user_id = ? ORDER BY created_at, id")
    .bind(userId)
    .all<{ id: string; name: string }>();
  return rows.results;
}

async function auditOf(userId: string, action: string) {
  const rows = await rawDb
    .prepare("SELECT details FROM audit_events WHERE target_id = ? AND action = ? ORDER BY id")
    .bind(userId, action)
    .all<{ details: string }>();
  return rows.results.map((row) => JSON.parse(row.details) as Record<string, unknown>);
}

async function totpSecretOf(userId: string): Promise<string | null> {
  const row = await rawDb
    .prepare("SELECT totp_secret FROM users WHERE id = ?")
    .bind(userId)
    .first<{ totp_secret: string | null }>();
  return row?.totp_secret ?? null;
}

async function signedInWithPasskey(role: ActiveTestUser["role"] = "OPERATOR") {
  const user = await createActiveUser(clock, { role });
  const agent = await signInAs(app, clock, user);
  const first = await registerTestPasskey(clock, user, { name: "Work laptop" });
  // Passkeys are listed oldest first: the next one added is a second younger.
  clock.advanceSeconds(1);
  return { user, agent, first };
}

/** Lets the session's sign-in grow old: sensitive changes then need the step-up. */
async function outlastRecentSignIn(agent: Agent) {
  for (let minute = 0; minute < 16; minute += 5) {
    clock.advanceSeconds(5 * 60);
    await agent.get("/account");
  }
}

describe("/account sign-in factors", () => {
  it("lists the passkeys with their times, adds one by the register ceremony and audits it", async () => {
    const { user, agent, first } = await signedInWithPasskey();
    const page = await (await agent.get("/account")).text();
    expect(page).toContain("Sign-in factors");
    expect(page).toContain("Work laptop");
    expect(page).toContain(`href="/account/passkeys/${first.id}"`);
    expect(page).toContain('id="add-passkey"');

    const options = await fetchPasskeyOptions(agent, addPaths.options, { name: "YubiKey" });
    expect(options.status).toBe(200);
    const excluded = (options.body.excludeCredentials as Array<{ id: string }>).map((entry) => entry.id);
    expect(excluded, "the passkey already held is excluded").toHaveLength(1);

    clock.advanceSeconds(1);
    const added = await answerPasskeyCeremony(agent, addPaths, new SoftwareAuthenticator(), {
      form: { name: "YubiKey" },
    });
    expect(added.status, await summarizeResponse(added)).toBe(303);
    const rows = await passkeysOf(user.id);
    expect(rows.map((row) => row.name)).toEqual(["Work laptop", "YubiKey"]);
    expect(await auditOf(user.id, "user.passkey_added")).toEqual([{ passkeyId: rows[1]?.id, passkeyName: "YubiKey" }]);
    expect(await (await agent.get("/account")).text()).toContain("YubiKey");
  });

  it("refuses an add whose credential answers another session's challenge", async () => {
    const { user, agent } = await signedInWithPasskey();
    const other = await signInAs(app, clock, user);
    const options = await fetchPasskeyOptions(other, addPaths.options, { name: "Stolen" });
    const credential = await new SoftwareAuthenticator().register(options.body as never);
    const refused = await agent.post(addPaths.submit, { name: "Stolen", credential });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("That passkey was not accepted");
    expect((await passkeysOf(user.id)).map((row) => row.name)).toEqual(["Work laptop"]);
    expect(await auditOf(user.id, "session.sign_in_failed")).toContainEqual({
      factor: "passkey",
      reason: "challenge_unknown",
    });
  });

  it("renames a passkey and audits the new name", async () => {
    const { user, agent, first } = await signedInWithPasskey();
    const page = await agent.get(`/account/passkeys/${first.id}`);
    expect(await page.text()).toContain("Save name");
    const renamed = await agent.post(`/account/passkeys/${first.id}/name`, { name: "Old laptop" });
    expect(renamed.status, await summarizeResponse(renamed)).toBe(303);
    expect((await passkeysOf(user.id))[0]?.name).toBe("Old laptop");
    expect(await auditOf(user.id, "user.passkey_renamed")).toEqual([
      { passkeyId: first.id, passkeyName: "Old laptop", from: "Work laptop" },
    ]);
    const empty = await agent.post(`/account/passkeys/${first.id}/name`, { name: "  " });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Name this passkey");
  });

  it("answers 404 for another person's passkey, to look at, rename or remove", async () => {
    const { agent } = await signedInWithPasskey();
    const stranger = await createActiveUser(clock);
    const theirs = await registerTestPasskey(clock, stranger, { name: "Theirs" });
    expect((await agent.get(`/account/passkeys/${theirs.id}`)).status).toBe(404);
    expect((await agent.post(`/account/passkeys/${theirs.id}/name`, { name: "Mine" })).status).toBe(404);
    expect((await agent.post(`/account/passkeys/${theirs.id}/remove`, { confirm: "yes" })).status).toBe(404);
    expect((await passkeysOf(stranger.id)).map((row) => row.name)).toEqual(["Theirs"]);
  });

  it("removes a passkey after the confirmation and audits it", async () => {
    const { user, agent, first } = await signedInWithPasskey();
    const confirm = await agent.get(`/account/passkeys/${first.id}/remove`);
    expect(await confirm.text()).toContain('name="confirm" value="yes"');
    const unconfirmed = await agent.post(`/account/passkeys/${first.id}/remove`, {});
    expect(unconfirmed.status).toBe(303);
    expect(await passkeysOf(user.id)).toHaveLength(1);
    const removed = await agent.post(`/account/passkeys/${first.id}/remove`, { confirm: "yes" });
    expect(removed.status, await summarizeResponse(removed)).toBe(303);
    expect(await passkeysOf(user.id)).toEqual([]);
    expect(await auditOf(user.id, "user.passkey_removed")).toEqual([
      { passkeyId: first.id, passkeyName: "Work laptop" },
    ]);
  });

  it("never removes the last second factor: the last passkey without TOTP, or the TOTP without a passkey", async () => {
    const { user, agent, first } = await signedInWithPasskey();
    const noApp = await agent.post("/account/authenticator-app/remove", { confirm: "yes" });
    expect(noApp.status, await summarizeResponse(noApp)).toBe(303);
    expect(await totpSecretOf(user.id)).toBeNull();

    const page = await (await agent.get(`/account/passkeys/${first.id}`)).text();
    expect(page).toContain("This is your last way to confirm it&#39;s you");
    const refused = await agent.post(`/account/passkeys/${first.id}/remove`, { confirm: "yes" });
    expect(refused.status).toBe(409);
    expect(await passkeysOf(user.id)).toHaveLength(1);

    const totpOnly = await createActiveUser(clock);
    const totpAgent = await signInAs(app, clock, totpOnly);
    const kept = await totpAgent.post("/account/authenticator-app/remove", { confirm: "yes" });
    expect(kept.status).toBe(409);
    expect(await kept.text()).toContain("Add a passkey before you remove it");
    expect(await totpSecretOf(totpOnly.id)).not.toBeNull();
  });

  it("under the policy never removes the last passkey, even with an authenticator app", async () => {
    const { user, agent, first } = await signedInWithPasskey("CONTRACTOR");
    await requirePasskeysFor(clock, ["CONTRACTOR"]);
    const refused = await agent.post(`/account/passkeys/${first.id}/remove`, { confirm: "yes" });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("Your role requires a passkey");
    expect(await passkeysOf(user.id)).toHaveLength(1);
    await registerTestPasskey(clock, user, { name: "Spare key" });
    const removed = await agent.post(`/account/passkeys/${first.id}/remove`, { confirm: "yes" });
    expect(removed.status).toBe(303);
    expect((await passkeysOf(user.id)).map((row) => row.name)).toEqual(["Spare key"]);
  });

  it("refuses a passkey name with a control character on the name field, before any ceremony is checked", async () => {
    const { agent } = await signedInWithPasskey();
    const refused = await agent.post("/account/passkeys", { name: "Work\u0000laptop", credential: "" });
    const page = await refused.text();
    expect(refused.status).toBe(400);
    expect(page).toContain("The passkey&#39;s name cannot contain line breaks or control characters.");
    expect(page).toMatch(/<input id="passkey-name" name="name"[^>]*aria-invalid="true"/);
  });

  it("needs a recent sign-in to add, rename or remove, and the passkey step-up gives it back", async () => {
    const { user, agent, first } = await signedInWithPasskey();
    await outlastRecentSignIn(agent);
    expect(await (await agent.get("/account")).text()).toContain("needs a recent sign-in");
    expect((await fetchPasskeyOptions(agent, addPaths.options, { name: "Late" })).status).toBe(403);
    expect((await agent.post(`/account/passkeys/${first.id}/name`, { name: "Late" })).status).toBe(403);
    expect((await agent.post(`/account/passkeys/${first.id}/remove`, { confirm: "yes" })).status).toBe(403);
    const app2 = await agent.get("/account/authenticator-app");
    expect(app2.headers.get("location")).toBe("/account/confirm?next=%2Faccount%2Fauthenticator-app");

    const confirmPage = await (await agent.get("/account/confirm?next=/account")).text();
    expect(confirmPage).toContain('id="reauthenticate-passkey"');
    const unverified = await answerPasskeyCeremony(agent, stepUpPaths, first.authenticator, {
      form: { next: "/account" },
      overrides: { userVerified: false },
    });
    expect(unverified.status).toBe(401);
    expect(await auditOf(user.id, "session.sign_in_failed")).toContainEqual({
      factor: "passkey",
      reason: "user_not_verified",
      passkeyId: first.id,
    });
    const stepped = await answerPasskeyCeremony(agent, stepUpPaths, first.authenticator, {
      form: { next: "/account" },
    });
    expect(stepped.status, await summarizeResponse(stepped)).toBe(303);
    expect(stepped.headers.get("location")).toBe("/account");
    expect(await auditOf(user.id, "session.reauthenticated")).toEqual([
      { method: "passkey", passkeyId: first.id, passkeyName: "Work laptop" },
    ]);
    expect((await agent.post(`/account/passkeys/${first.id}/name`, { name: "Fresh" })).status).toBe(303);
  });

  it("adds the authenticator app later from its QR secret, then removes it", async () => {
    const { user, agent } = await signedInWithPasskey();
    expect((await agent.post("/account/authenticator-app/remove", { confirm: "yes" })).status).toBe(303);
    expect(await auditOf(user.id, "user.authenticator_app_removed")).toHaveLength(1);
    expect(await (await agent.get("/account")).text()).toContain("Add an authenticator app");

    const page = await (await agent.get("/account/authenticator-app")).text();
    expect(page).toContain("Six-digit code");
    expect(page).toContain('action="/account/authenticator-app"');
    const secret = extractTotpSecret(page);
    expect(extractTotpSecret(await (await agent.get("/account/authenticator-app")).text())).toBe(secret);
    const wrong = await agent.post("/account/authenticator-app", { code: "000000" });
    expect(wrong.status).toBe(400);
    expect(await totpSecretOf(user.id)).toBeNull();
    const confirmingCode = totpCode(secret, clock.now());
    const saved = await agent.post("/account/authenticator-app", { code: confirmingCode });
    expect(saved.status, await summarizeResponse(saved)).toBe(303);
    expect(saved.headers.get("location")).toBe("/account");
    expect(await totpSecretOf(user.id)).toBe(secret);
    expect(await auditOf(user.id, "user.authenticator_app_added")).toHaveLength(1);
    expect((await agent.get("/account/authenticator-app")).status).toBe(409);

    // The code that confirmed the app is spent: it does not sign in; the next one does.
    const browser = new Agent(app);
    await browser.post("/login", { email: user.email, password: user.password });
    expect((await browser.post("/login/verify", { code: confirmingCode })).status).not.toBe(303);
    clock.advanceSeconds(30);
    const next = await browser.post("/login/verify", { code: totpCode(secret, clock.now()) });
    expect(next.status, await summarizeResponse(next)).toBe(303);
  });

  it("makes new recovery codes with a passkey, for a person without an authenticator app", async () => {
    const { user, agent, first } = await signedInWithPasskey();
    await agent.post("/account/authenticator-app/remove", { confirm: "yes" });
    const page = await (await agent.get("/account/recovery-codes")).text();
    expect(page).not.toContain("authenticator app");
    expect(page).toContain("Use one of your passkeys.");
    expect(page).toContain('action="/account/recovery-codes/passkey"');
    const made = await answerPasskeyCeremony(
      agent,
      { options: stepUpPaths.options, submit: "/account/recovery-codes/passkey" },
      first.authenticator,
    );
    expect(made.status, await summarizeResponse(made)).toBe(303);
    const codes = extractRecoveryCodes(await (await agent.get("/account/recovery-codes/new")).text());
    expect(codes).toHaveLength(10);
    expect(codes).not.toContain(user.recoveryCodes[0]);
    expect(await auditOf(user.id, "user.recovery_codes_regenerated")).toHaveLength(1);
  });
});

describe("/enrol-passkey", () => {
  it("confines the session until a passkey is added, then releases it to the landing page", async () => {
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    await requirePasskeysFor(clock, ["CONTRACTOR"]);
    const { agent, sessionId } = await signInConfined(app, clock, user);
    expect((await agent.get("/admin")).headers.get("location")).toBe("/enrol-passkey");
    expect((await agent.get("/account")).headers.get("location")).toBe("/enrol-passkey");
    const options = await agent.post(addPaths.options, { name: "x" }, { accept: "application/json" });
    expect(options.headers.get("location")).toBe("/enrol-passkey");
    const page = await agent.get("/enrol-passkey");
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html).toContain("Add a passkey to continue");
    expect(html).toContain('id="enrol-passkey"');
    expect(html).toContain('action="/logout"');

    const added = await answerPasskeyCeremony(
      agent,
      { options: "/enrol-passkey/options", submit: "/enrol-passkey" },
      new SoftwareAuthenticator(),
      { form: { name: "Carl's laptop" } },
    );
    expect(added.status, await summarizeResponse(added)).toBe(303);
    expect(added.headers.get("location")).toBe("/admin");
    const session = await rawDb
      .prepare("SELECT passkey_enrolment_required AS confined FROM sessions WHERE id = ?")
      .bind(sessionId)
      .first<{ confined: number }>();
    expect(session?.confined).toBe(0);
    expect((await passkeysOf(user.id)).map((row) => row.name)).toEqual(["Carl's laptop"]);
    expect(await auditOf(user.id, "user.passkey_added")).toHaveLength(1);
    expect((await agent.get("/admin")).status).toBe(200);
  });

  it("refuses a passkey that answers no challenge of this session, and the session stays confined", async () => {
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    const { agent, sessionId } = await signInConfined(app, clock, user, "password_recovery_code");
    const page = await (await agent.get("/enrol-passkey")).text();
    expect(page).toContain("You signed in with a recovery code.");
    const other = await signInConfined(app, clock, user);
    const options = await fetchPasskeyOptions(other.agent, "/enrol-passkey/options", { name: "Elsewhere" });
    const credential = await new SoftwareAuthenticator().register(options.body as never);
    const refused = await agent.post("/enrol-passkey", { name: "Elsewhere", credential });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("That passkey was not accepted");
    const session = await rawDb
      .prepare("SELECT passkey_enrolment_required AS confined FROM sessions WHERE id = ?")
      .bind(sessionId)
      .first<{ confined: number }>();
    expect(session?.confined).toBe(1);
    expect(await passkeysOf(user.id)).toEqual([]);
    expect((await agent.get("/portal")).headers.get("location")).toBe("/enrol-passkey");
  });

  it("sends a session that is not confined to its landing page", async () => {
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = await signInAs(app, clock, user);
    const answer = await agent.get("/enrol-passkey");
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/admin");
    expect(hashToken(agent.sessionCookie() ?? "")).toMatch(/^[0-9a-f]{64}$/);
  });
});
