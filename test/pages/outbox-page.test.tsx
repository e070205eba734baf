import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
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

    for (const path of ["/admin/outbox", `/admin/outbox/${message?.id}`]) {
      const asAdmin = await (await signInAs(app, clock, admin)).get(path);
      expect(asAdmin.status, await summarizeResponse(asAdmin)).toBe(200);
      for (const user of [operator, client]) {
        const denied = await (await signInAs(app, clock, user)).get(path);
        const html = await denied.text();
        expect(denied.status, html).toBe(403);
        expect(html).not.toContain(invited.user.email);
        // Staff are told why; a client user gets the console's plain refusal.
        expect(html.includes("Only a SUPER_ADMIN can read the outbox"), user.role).toBe(user === operator);
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
});
