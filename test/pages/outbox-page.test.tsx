import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { regenerateSetupLink } from "../../src/domain/invites/setup-links";
import { findInviteDelivery } from "../../src/domain/outbox";
import { deliverOutbox } from "../../src/jobs/deliver-outbox";
import { EmailDeliveryError, type EmailProvider } from "../../src/jobs/email-providers";
import { InviteDeliveryState } from "../../views/components/invite-delivery";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, inviteTestUser, signInAs, testContext } from "../helpers/factories";

const refusingProvider: EmailProvider = {
  name: "http",
  send: async () => {
    throw new EmailDeliveryError("email API answered 422: mailbox does not exist", true);
  },
};

describe("Admin → Outbox", () => {
  it("is open to SUPER_ADMIN only: operators with console access and client users get 403, strangers the sign-in page", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    await env.DB.prepare(
      "INSERT INTO access_group_members (group_id, user_id, added_at) VALUES ('grp_readonly_auditor', ?, 0)",
    )
      .bind(operator.id)
      .run();
    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    const invited = await inviteTestUser(clock);
    const [message] = (
      await env.DB.prepare("SELECT id FROM outbox WHERE user_id = ?").bind(invited.user.id).all<{ id: string }>()
    ).results;

    for (const path of ["/admin/outbox", `/admin/outbox/${message?.id}`, `/admin/outbox/${message?.id}/preview`]) {
      const asAdmin = await (await signInAs(app, clock, admin)).get(path);
      expect(asAdmin.status, await summarizeResponse(asAdmin)).toBe(200);
      for (const user of [operator, client]) {
        const denied = await (await signInAs(app, clock, user)).get(path);
        const html = await denied.text();
        expect(denied.status, html).toBe(403);
        expect(html).not.toContain(invited.user.email);
        // Staff are told why; a client user gets the console's plain refusal.
        expect(html.includes("Only a Super admin can read the outbox"), user.role).toBe(user === operator);
      }
      const anonymous = await new Agent(app).get(path);
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.get("location")).toMatch(/^\/login\?next=/);
    }
  });

  it("lists messages newest first with their delivery state, pages by cursor, and shows a message with its link", async () => {
    const clock = new TestClock("2026-12-01T08:00:00Z");
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const first = await inviteTestUser(clock, { firstName: "First" });
    clock.advanceSeconds(60);
    const second = await inviteTestUser(clock, { firstName: "Second" });
    clock.advanceSeconds(60);
    const third = await inviteTestUser(clock, { firstName: "Third" });
    await deliverOutbox(testContext(clock), refusingProvider, { limit: 100 });
    const agent = await signInAs(app, clock, admin);

    const page = await agent.get("/admin/outbox?limit=2");
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html.indexOf(third.user.email)).toBeGreaterThan(-1);
    expect(html.indexOf(third.user.email)).toBeLessThan(html.indexOf(second.user.email));
    expect(html).not.toContain(first.user.email);
    expect(html).toContain("email API answered 422: mailbox does not exist");
    expect(html).toMatch(/\d+ messages? could not be delivered/);
    const next = /href="(\/admin\/outbox\?limit=2&amp;cursor=[^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBeDefined();
    const nextHtml = await (await agent.get(next as string)).text();
    expect(nextHtml).toContain(first.user.email);
    expect(nextHtml).not.toContain(third.user.email);

    const [row] = (
      await env.DB.prepare("SELECT id FROM outbox WHERE user_id = ?").bind(third.user.id).all<{ id: string }>()
    ).results;
    const view = await (await agent.get(`/admin/outbox/${row?.id}`)).text();
    expect(view).toContain(third.setupUrl);
    expect(view).toContain("You are invited to Gatehouse");
    expect((await agent.get("/admin/outbox/msg_nothing")).status).toBe(404);
    expect((await agent.get("/admin/outbox?status=bogus")).status).toBe(400);
  });

  it("tells the delivery state of a user's latest invite email", async () => {
    const clock = new TestClock("2026-12-05T08:00:00Z");
    const invited = await inviteTestUser(clock);
    const ctx = testContext(clock);

    const queued = await findInviteDelivery(ctx, invited.user.id);
    expect(queued).toMatchObject({ kind: "invite", status: "pending", attempts: 0 });
    expect(String(<InviteDeliveryState delivery={queued} timeZone="UTC" />)).toContain(
      "it goes out with the next scheduled run",
    );

    await deliverOutbox(ctx, refusingProvider, { limit: 100 });
    const failed = await findInviteDelivery(ctx, invited.user.id);
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: "email API answered 422: mailbox does not exist",
    });
    const failedHtml = String(
      <InviteDeliveryState delivery={failed} timeZone="UTC" messageHref={`/admin/outbox/${failed?.messageId}`} />,
    );
    expect(failedHtml).toContain("could not be delivered after 1 attempt: email API answered 422");
    expect(failedHtml).toContain(`href="/admin/outbox/${failed?.messageId}"`);

    expect(await findInviteDelivery(ctx, "usr_nobody")).toBeNull();
    expect(String(<InviteDeliveryState delivery={null} timeZone="UTC" />)).toContain("No setup email was queued");
  });

  it("previews a message's HTML in a sandboxed frame served by a route of its own, framable by Gatehouse only", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    const invited = await inviteTestUser(clock, { firstName: "Preview" });
    const row = await env.DB.prepare("SELECT id, html_body FROM outbox WHERE user_id = ?")
      .bind(invited.user.id)
      .first<{ id: string; html_body: string }>();
    const agent = await signInAs(app, clock, admin);

    const page = await (await agent.get(`/admin/outbox/${row?.id}`)).text();
    const frame = /<iframe[^>]*>/.exec(page)?.[0] ?? "";
    expect(frame).toContain(`src="/admin/outbox/${row?.id}/preview"`);
    expect(frame).toContain('sandbox=""');
    expect(frame).toMatch(/title="The HTML email to [^"]+"/);

    const preview = await agent.get(`/admin/outbox/${row?.id}/preview`);
    const body = await preview.text();
    expect(preview.status).toBe(200);
    expect(preview.headers.get("content-type")).toContain("text/html");
    const csp = (preview.headers.get("content-security-policy") ?? "").split(/;\s*/);
    expect(csp).toEqual(
      expect.arrayContaining([
        "sandbox",
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "frame-ancestors 'self'",
        "form-action 'none'",
      ]),
    );
    expect(csp.some((directive) => directive.includes("allow-") || directive.startsWith("script-src"))).toBe(false);
    expect(preview.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(preview.headers.get("cache-control")).toBe("no-store");
    // The stored HTML as it is, with links that open nowhere from the sandbox (no allow-popups).
    expect(body).toContain('<base target="_blank">');
    expect(body.replace('<base target="_blank">', "")).toBe(row?.html_body);

    const refused = await (await signInAs(app, clock, operator)).get(`/admin/outbox/${row?.id}/preview`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(invited.setupUrl);
    expect(refused.headers.get("x-frame-options")).toBe("DENY");
    expect(refused.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect((await agent.get("/admin/outbox/msg_nothing/preview")).status).toBe(404);
  });

  it("shows a setup-link email that was superseded before delivery as not sent, on the Outbox and the user page", async () => {
    const clock = new TestClock("2026-12-06T08:00:00Z");
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const invited = await inviteTestUser(clock, { firstName: "Replaced" });
    clock.advanceSeconds(60);
    await regenerateSetupLink(testContext(clock), invited.user.id);
    const old = await env.DB.prepare("SELECT id FROM outbox WHERE user_id = ? AND kind = 'invite'")
      .bind(invited.user.id)
      .first<{ id: string }>();
    const agent = await signInAs(app, clock, admin);

    const list = await (await agent.get("/admin/outbox?status=superseded")).text();
    expect(list).toContain(invited.user.email);
    expect(list).toContain("Not sent: the setup link in it was replaced, used or revoked before delivery");
    const message = await (await agent.get(`/admin/outbox/${old?.id}`)).text();
    expect(message).toContain("Not sent: the setup link in it was replaced, used or revoked before delivery");

    const userPage = await (await agent.get(`/admin/users/${invited.user.id}`)).text();
    expect(userPage).toContain("Resent invite email queued");
    expect(userPage).toContain("not sent yet");

    const superseded = { kind: "invite", status: "superseded" as const, attempts: 0, lastError: null };
    const dates = { createdAt: clock.now(), nextAttemptAt: clock.now(), sentAt: null };
    expect(
      String(<InviteDeliveryState delivery={{ ...superseded, ...dates }} userStatus="ACTIVE" timeZone="UTC" />),
    ).toContain("Not needed: the user completed setup before the invite email went out, so it was not sent.");
    expect(
      String(<InviteDeliveryState delivery={{ ...superseded, ...dates }} userStatus="DEACTIVATED" timeZone="UTC" />),
    ).toContain("Invite email not sent: the user was deactivated before delivery.");
    expect(String(<InviteDeliveryState delivery={null} userStatus="ACTIVE" timeZone="UTC" />)).toContain(
      "Not needed: the user is active.",
    );
  });
});
