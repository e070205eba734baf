import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regenerateSetupLink } from "../../src/domain/invites/setup-links";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createTestApp, inviteTestUser, testContext, testPassword } from "../helpers/factories";
import { extractTotpSecret, totpCode } from "../helpers/totp";

const neutralMessage = "This setup link is invalid or has expired. Ask your administrator for a new one.";

async function openLink(agent: Agent, token: string) {
  const opened = await agent.get(`/setup/${token}`);
  if (opened.status !== 303) return opened;
  return agent.get("/setup");
}

async function choosePasswordThroughPage(agent: Agent, token: string): Promise<string> {
  const page = await openLink(agent, token);
  expect(page.status, await summarizeResponse(page)).toBe(200);
  const step = await agent.post("/setup", {
    step: "password",
    displayName: "Pat",
    password: testPassword,
    passwordConfirmation: testPassword,
  });
  const html = await step.text();
  expect(step.status, html).toBe(200);
  return extractTotpSecret(html);
}

function userRow(id: string) {
  return env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

describe("setup links", () => {
  it("changes nothing when the link is opened (mail scanners fetch links)", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const invited = await inviteTestUser(clock);
    const before = await userRow(invited.user.id);
    for (let i = 0; i < 3; i++) {
      const scanner = new Agent(app);
      expect((await scanner.get(`/setup/${invited.token}`)).status).toBe(303);
      expect((await scanner.get("/setup")).status).toBe(200);
    }
    expect(await userRow(invited.user.id)).toEqual(before);
  });

  it("shows the same neutral 404 page for unknown, malformed, expired, used and replaced links", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const expired = await inviteTestUser(clock);
    const replaced = await inviteTestUser(clock);
    await regenerateSetupLink(testContext(clock), replaced.user.id);
    const used = await inviteTestUser(clock);
    const usedAgent = new Agent(app);
    const secret = await choosePasswordThroughPage(usedAgent, used.token);
    expect((await usedAgent.post("/setup", { step: "confirm", code: totpCode(secret, clock.now()) })).status).toBe(200);

    clock.advanceSeconds(7 * 86400 - 60);
    expect((await new Agent(app).get(`/setup/${expired.token}`)).status).toBe(303);
    clock.advanceSeconds(61);

    const bodies: string[] = [];
    for (const token of ["A".repeat(43), "short", expired.token, used.token, replaced.token]) {
      const response = await new Agent(app).get(`/setup/${token}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const html = await response.text();
      expect(html).toContain(neutralMessage);
      bodies.push(html.replace(/<code>[^<]*<\/code>/, ""));
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it("creates no session before both password and TOTP are confirmed", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const invited = await inviteTestUser(clock);
    const agent = new Agent(app);
    const secret = await choosePasswordThroughPage(agent, invited.token);
    expect(agent.sessionCookie()).toBeUndefined();
    const wrong = await agent.post("/setup", { step: "confirm", code: "000000" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right");
    expect(agent.sessionCookie()).toBeUndefined();
    expect((await agent.get("/admin")).status).toBe(303);
    const done = await agent.post("/setup", { step: "confirm", code: totpCode(secret, clock.now()) });
    expect(done.status).toBe(200);
    expect(agent.sessionCookie()).toBeDefined();
  });

  it("answers a second completion of a used link with the neutral 404 and no session cookie", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const invited = await inviteTestUser(clock);
    const [first, second] = [new Agent(app), new Agent(app)];
    const secret = await choosePasswordThroughPage(first, invited.token);
    second.cookies.set("__Host-gatehouse_setup", first.cookies.get("__Host-gatehouse_setup") ?? "");
    const code = totpCode(secret, clock.now());
    expect((await first.post("/setup", { step: "confirm", code })).status).toBe(200);

    const again = await second.post("/setup", { step: "confirm", code });

    const html = await again.text();
    expect(again.status, html).toBe(404);
    expect(html).toContain(neutralMessage);
    expect(second.sessionCookie()).toBeUndefined();
  });

  it("explains why a password is refused and keeps the display name typed", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const invited = await inviteTestUser(clock, { email: "jordan.smith@example.test" });
    const agent = new Agent(app);
    await openLink(agent, invited.token);
    const cases: Array<[Record<string, string>, string]> = [
      [{ password: "too short", passwordConfirmation: "too short" }, "Use at least 12 characters"],
      [{ password: "qwertyuiop123", passwordConfirmation: "qwertyuiop123" }, "commonly used passwords"],
      [{ password: "jordan.smith rules!", passwordConfirmation: "jordan.smith rules!" }, "email address"],
      [{ password: testPassword, passwordConfirmation: `${testPassword}!` }, "The two passwords are not the same."],
      [{ password: testPassword, passwordConfirmation: testPassword, displayName: "" }, "Display name is required."],
    ];
    for (const [fields, message] of cases) {
      const response = await agent.post("/setup", { step: "password", displayName: "Jordan S.", ...fields });
      const html = await response.text();
      expect(response.status, html).toBe(400);
      expect(html).toContain(message);
      expect(html).toContain('aria-invalid="true"');
      if (fields.displayName === undefined) expect(html).toContain('value="Jordan S."');
    }
    expect((await userRow(invited.user.id))?.pending_password_hash).toBeNull();
  });

  it("sends no-referrer and no-store on every setup page and never echoes the token", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const invited = await inviteTestUser(clock);
    const agent = new Agent(app);
    const redirect = await agent.get(`/setup/${invited.token}`);
    const page = await agent.get("/setup");
    for (const response of [redirect, page]) {
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    expect(redirect.headers.get("location")).toBe("/setup");
    expect(await page.text()).not.toContain(invited.token);
  });
});
