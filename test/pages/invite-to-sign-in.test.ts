import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs, testPassword, uniqueEmail } from "../helpers/factories";
import { extractEmbeddedToken, extractSetupUrl, openLinkPage } from "../helpers/links";
import { extractRecoveryCodes, extractTotpSecret, totpCode } from "../helpers/totp";

describe("invite → setup → sign-in, through the pages", () => {
  it("lets an admin invite an operator who completes setup and signs in with a TOTP code", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const adminAgent = await signInAs(app, clock, admin);

    const list = await adminAgent.get("/admin/users");
    expect(list.status, await summarizeResponse(list)).toBe(200);

    const email = uniqueEmail("operator");
    const created = await adminAgent.post("/admin/users", {
      email: `  ${email.toUpperCase()} `,
      firstName: "Olga",
      lastName: "Operator",
      role: "OPERATOR",
      slackId: "",
    });
    const setupUrl = extractSetupUrl(await openLinkPage(adminAgent, created));

    const invitee = new Agent(app);
    const opened = await invitee.get(new URL(setupUrl).pathname);
    expect(opened.status, await summarizeResponse(opened)).toBe(303);
    expect(opened.headers.get("location")).toBe("/setup");
    expect(opened.headers.get("referrer-policy")).toBe("no-referrer");
    expect(opened.headers.get("cache-control")).toBe("no-store");

    const step1 = await invitee.get("/setup");
    const step1Html = await step1.text();
    expect(step1.status, step1Html).toBe(200);
    expect(step1Html).toContain("Olga Operator");

    const step2 = await invitee.post("/setup", {
      step: "password",
      displayName: "Olga O.",
      password: testPassword,
      passwordConfirmation: testPassword,
    });
    const step2Html = await step2.text();
    expect(step2.status, step2Html).toBe(200);
    expect(step2Html).toContain("<svg");
    const secret = extractTotpSecret(step2Html);
    expect(invitee.sessionCookie()).toBeUndefined();

    const done = await invitee.post("/setup", { step: "confirm", code: totpCode(secret, clock.now()) });
    const doneHtml = await done.text();
    expect(done.status, doneHtml).toBe(200);
    expect(extractRecoveryCodes(doneHtml)).toHaveLength(10);
    expect(invitee.sessionCookie()).toBeDefined();

    const home = await invitee.get("/admin");
    const homeHtml = await home.text();
    expect(home.status, homeHtml).toBe(200);
    expect(homeHtml).toContain("You have no access yet");

    const row = await env.DB.prepare(
      "SELECT email, display_name, activated_at, setup_token_hash FROM users WHERE email = ?",
    )
      .bind(email)
      .first();
    expect(row).toMatchObject({ email, display_name: "Olga O.", setup_token_hash: null });
    expect(row?.activated_at).not.toBeNull();

    const signOut = await invitee.post("/logout", {});
    expect(signOut.status).toBe(303);
    expect((await invitee.get("/admin")).status).toBe(303);

    const again = await signInAs(app, clock, {
      id: "",
      email,
      role: "OPERATOR",
      password: testPassword,
      totpSecret: secret,
      recoveryCodes: [],
    });
    expect((await again.get("/admin")).status).toBe(200);

    // The link is used up: opening it again shows the neutral page.
    const reused = await new Agent(app).get(`/setup/${extractEmbeddedToken(setupUrl)}`);
    expect(reused.status).toBe(404);
    expect(await reused.text()).toContain(
      "This setup link is invalid or has expired. Ask your administrator for a new one.",
    );
  });
});
