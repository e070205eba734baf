// Setup through the pages with passkeys (docs/PASSKEYS.md): the second step's labels, a passkey
// added through /setup/passkey/options and /setup/passkey as a browser does, "Finish setup" with a
// passkey only, both factors, the role's policy, refusals. Passwordless sign-in is the sign-in
// pages' test; here a finished setup's passkey is shown usable with checkAssertion.
import { describe, expect, it } from "vitest";
import { resetTwoFactor } from "../../src/domain/users/user-security";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, inviteTestUser, testContext } from "../helpers/factories";
import { extractEmbeddedToken } from "../helpers/links";
import {
  answerPasskeyCeremony,
  assertWithTestPasskey,
  fetchPasskeyOptions,
  requirePasskeysFor,
} from "../helpers/passkeys";
import { reachSetupSecondStep } from "../helpers/setup-steps";
import { SoftwareAuthenticator } from "../helpers/software-authenticator";
import { rawDb } from "../helpers/store";
import { extractRecoveryCodes, extractTotpSecret, totpCode } from "../helpers/totp";

const passkeyPaths = { options: "/setup/passkey/options", submit: "/setup/passkey" };

/** "Add a passkey" as the browser does it; the second step shown after the redirect. */
async function addPasskeyThroughPages(agent: Agent, authenticator: SoftwareAuthenticator, name: string) {
  const added = await answerPasskeyCeremony(agent, passkeyPaths, authenticator, { form: { name } });
  expect(added.status, await summarizeResponse(added)).toBe(303);
  expect(added.headers.get("location")).toBe("/setup");
  const page = await agent.get("/setup");
  const html = await page.text();
  expect(page.status, html).toBe(200);
  return html;
}

function readUser(id: string) {
  return rawDb.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

describe("setup with passkeys, through the pages", () => {
  it("shows the second step's two parts with their labels after the password", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const html = await reachSetupSecondStep(new Agent(createTestApp(clock)), invited.token);

    expect(html).toContain("<h1>Add a passkey or an authenticator app</h1>");
    expect(html).toContain('class="factor-choices"');
    expect(html).toMatch(/<form[^>]*id="setup-passkey"/);
    expect(html).toContain('data-passkey-options="/setup/passkey/options"');
    expect(html).toContain("Name this passkey");
    expect(html).toMatch(/<button type="submit"[^>]*>Add a passkey<\/button>/);
    expect(html).toContain("Set up your authenticator app");
    expect(html).toContain("Six-digit code");
    expect(html).toContain("Confirm and finish");
    expect(extractTotpSecret(html)).toMatch(/^[A-Z2-7]+$/);
    // Nothing to finish with yet.
    expect(html).not.toContain('id="setup-finish"');
    expect(html).not.toContain('id="setup-passkeys"');
  });

  it("sets up an account with a passkey only: the list, Finish setup, the recovery codes, a usable passkey", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const agent = new Agent(createTestApp(clock));
    await reachSetupSecondStep(agent, invited.token);
    const laptop = new SoftwareAuthenticator();

    const second = await addPasskeyThroughPages(agent, laptop, "Work laptop");

    expect(second).toMatch(/<ul id="setup-passkeys">\s*<li>Work laptop<\/li>\s*<\/ul>/);
    expect(second).toMatch(/<form[^>]*id="setup-finish"/);
    expect(second).toContain("Finish setup");
    expect(await assertWithTestPasskey(clock, laptop)).toEqual({ refused: "unknown_credential" });

    const done = await agent.post("/setup", { step: "finish" });
    const html = await done.text();
    expect(done.status, html).toBe(200);
    expect(extractRecoveryCodes(html)).toHaveLength(10);
    expect(html).toContain("I saved them, continue");
    expect(agent.sessionCookie()).toBeDefined();
    expect(await readUser(invited.user.id)).toMatchObject({ totp_secret: null, setup_token_hash: null });
    expect(await assertWithTestPasskey(clock, laptop)).toEqual({ userId: invited.user.id });
    const session = await rawDb
      .prepare("SELECT sign_in_method FROM sessions WHERE user_id = ?")
      .bind(invited.user.id)
      .first();
    expect(session).toEqual({ sign_in_method: "setup" });
    expect((await agent.get("/setup")).status).toBe(404);
  });

  it("sets up with two passkeys and the authenticator app", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const agent = new Agent(createTestApp(clock));
    const first = await reachSetupSecondStep(agent, invited.token);
    const secret = extractTotpSecret(first);
    const laptop = new SoftwareAuthenticator();
    const yubikey = new SoftwareAuthenticator();
    await addPasskeyThroughPages(agent, laptop, "Work laptop");
    clock.advanceSeconds(1);

    const options = await fetchPasskeyOptions(agent, passkeyPaths.options, { name: "YubiKey" });
    expect(options.body).toMatchObject({ excludeCredentials: [{ type: "public-key" }] });
    const both = await addPasskeyThroughPages(agent, yubikey, "YubiKey");
    expect(both).toMatch(/<li>Work laptop<\/li>\s*<li>YubiKey<\/li>/);

    const done = await agent.post("/setup", { step: "confirm", code: totpCode(secret, clock.now()) });
    expect(done.status, await summarizeResponse(done)).toBe(200);
    expect(extractRecoveryCodes(await done.text())).toHaveLength(10);
    expect(await readUser(invited.user.id)).toMatchObject({ totp_secret: secret });
    expect(await assertWithTestPasskey(clock, laptop)).toEqual({ userId: invited.user.id });
    expect(await assertWithTestPasskey(clock, yubikey)).toEqual({ userId: invited.user.id });
  });

  it("refuses Finish setup before a passkey is added, on the second step", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const agent = new Agent(createTestApp(clock));
    await reachSetupSecondStep(agent, invited.token);

    const refused = await agent.post("/setup", { step: "finish" });
    const html = await refused.text();

    expect(refused.status, html).toBe(400);
    expect(html).toContain("Add a passkey or set up your authenticator app first");
    expect(html).toContain("<h1>Add a passkey or an authenticator app</h1>");
    expect(agent.sessionCookie()).toBeUndefined();
    expect(await readUser(invited.user.id)).toMatchObject({ activated_at: null });
  });

  it("says the role requires a passkey and refuses the authenticator app alone", async () => {
    const clock = new TestClock();
    await requirePasskeysFor(clock, ["OPERATOR"]);
    const invited = await inviteTestUser(clock, { role: "OPERATOR" });
    const agent = new Agent(createTestApp(clock));
    const second = await reachSetupSecondStep(agent, invited.token);
    expect(second).toContain("Your role requires a passkey");

    const refused = await agent.post("/setup", {
      step: "confirm",
      code: totpCode(extractTotpSecret(second), clock.now()),
    });
    const html = await refused.text();

    expect(refused.status, html).toBe(400);
    expect(html).toContain("Your role requires a passkey. Add a passkey first");
    expect(agent.sessionCookie()).toBeUndefined();
    expect(await readUser(invited.user.id)).toMatchObject({ activated_at: null, totp_secret: null });
  });

  it("asks for the passkey's name before the browser's prompt", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const agent = new Agent(createTestApp(clock));
    await reachSetupSecondStep(agent, invited.token);

    const options = await fetchPasskeyOptions(agent, passkeyPaths.options, { name: " " });

    expect(options.status).toBe(400);
    expect(options.body).toEqual({ title: "Name this passkey, for example Work laptop or YubiKey." });
  });

  it("refuses a passkey from another origin, shows the second step again and audits why", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    const agent = new Agent(createTestApp(clock));
    await reachSetupSecondStep(agent, invited.token);

    const refused = await answerPasskeyCeremony(agent, passkeyPaths, new SoftwareAuthenticator(), {
      form: { name: "Phished" },
      overrides: { origin: "https://gatehouse.example.net" },
    });
    const html = await refused.text();

    expect(refused.status, html).toBe(401);
    expect(html).toContain("That passkey was not accepted");
    expect(html).toContain('value="Phished"');
    const count = await rawDb
      .prepare("SELECT count(*) AS n FROM passkeys WHERE user_id = ?")
      .bind(invited.user.id)
      .first();
    expect(count).toEqual({ n: 0 });
    const audit = await rawDb
      .prepare("SELECT details FROM audit_events WHERE target_id = ? AND action = 'session.sign_in_failed'")
      .bind(invited.user.id)
      .first<{ details: string }>();
    expect(JSON.parse(audit?.details ?? "{}")).toEqual({ factor: "passkey", reason: "wrong_origin" });
  });

  it("refuses the passkey routes without a live setup link", async () => {
    const clock = new TestClock();
    const agent = new Agent(createTestApp(clock));

    expect((await agent.post(passkeyPaths.options, { name: "Laptop" })).status).toBe(404);
    expect((await agent.post(passkeyPaths.submit, { name: "Laptop", credential: "{}" })).status).toBe(404);
  });

  it("after a two-factor reset: 'Set up your sign-in again', the current password, then a passkey alone", async () => {
    const clock = new TestClock();
    const active = await createActiveUser(clock);
    const reset = await resetTwoFactor(testContext(clock), active.id);
    const agent = new Agent(createTestApp(clock));
    expect((await agent.get(`/setup/${extractEmbeddedToken(reset.setupUrl)}`)).status).toBe(303);
    const first = await agent.get("/setup");
    expect(await first.text()).toContain("<h1>Set up your sign-in again</h1>");

    const second = await agent.post("/setup", { step: "password", password: active.password });
    expect(await second.text()).toContain("<h1>Add a passkey or an authenticator app</h1>");
    const phone = new SoftwareAuthenticator();
    await addPasskeyThroughPages(agent, phone, "Phone");
    const done = await agent.post("/setup", { step: "finish" });

    expect(done.status, await summarizeResponse(done)).toBe(200);
    expect(await readUser(active.id)).toMatchObject({ totp_secret: null, setup_token_hash: null });
    expect(await assertWithTestPasskey(clock, phone)).toEqual({ userId: active.id });
  });
});
