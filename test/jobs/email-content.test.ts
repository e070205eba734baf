// The emails the product queues, read back from the outbox (docs/PRODUCT.md "Emails"): each names
// the people involved by name and address, greets the recipient by their name (never the
// product's), links exactly the action's URL in its button and alone on a line of its text, and
// escapes every stored value in its HTML. test/domain/emails.test.ts covers the rendering itself.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDbFromEnv } from "../../src/db/connect";
import { users } from "../../src/db/schema";
import { type Principal, resolvePermissions } from "../../src/domain/access";
import { changeOwnPassword } from "../../src/domain/account/account";
import { regenerateSetupLink } from "../../src/domain/invites/setup-links";
import { resetTwoFactor } from "../../src/domain/users/user-security";
import { queueExpiryNotices } from "../../src/jobs/expiry-notices";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestTenant, inviteTestUser, testContext, testPassword } from "../helpers/factories";
import { insertTestMembership } from "../helpers/memberships";
import { env, rawDb } from "../helpers/store";

const hostile = `<img src=x onerror=alert(1)> "Q" & 'R'`;
const headerUnsafe = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;

interface QueuedMail {
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

async function mailsTo(userId: string, kind: string): Promise<QueuedMail[]> {
  const rows = await rawDb
    .prepare("SELECT * FROM outbox WHERE user_id = ? AND kind = ? ORDER BY created_at, id")
    .bind(userId, kind)
    .all<QueuedMail>();
  return rows.results;
}

/** A signed-in principal for a user row, with a sign-in recent enough for sensitive actions. */
async function principalOf(userId: string, clock: TestClock): Promise<Principal> {
  const [row] = await createDbFromEnv(env).select().from(users).where(eq(users.id, userId));
  if (!row) throw new Error(`no user ${userId}`);
  return {
    user: row,
    credential: {
      kind: "session",
      sessionId: "s",
      authenticatedAt: clock.now(),
      signInMethod: "password_totp",
      passkeyEnrolmentRequired: false,
    },
    memberships: [],
    permissions: resolvePermissions(row.role, []),
  };
}

/** A super admin whose display name is hostile, acting as a signed-in person. */
async function hostileAdmin(clock: TestClock) {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN", firstName: "Ann" });
  await rawDb.prepare("UPDATE users SET display_name = ? WHERE id = ?").bind(`Ann ${hostile}`, admin.id).run();
  return { admin, principal: await principalOf(admin.id, clock), named: `Ann ${hostile} (${admin.email})` };
}

function expectLinkAndValues(mail: QueuedMail | undefined, url: string, values: string[]) {
  if (!mail) throw new Error("no email was queued");
  expect(mail.subject).not.toMatch(headerUnsafe);
  expect(mail.to_address).not.toMatch(headerUnsafe);
  const hrefs = [...mail.html_body.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
  expect(hrefs.length).toBeGreaterThanOrEqual(1);
  expect(new Set(hrefs)).toEqual(new Set([escapeHtml(url)]));
  expect(mail.text_body.split("\n").filter((line) => line === url)).toHaveLength(1);
  expect(mail.html_body).not.toContain("<img");
  for (const value of values) {
    expect(mail.text_body).toContain(value);
    expect(mail.html_body).toContain(escapeHtml(value));
  }
  expect(mail.text_body).toContain("Gatehouse");
}

describe("queued emails", () => {
  it("names the inviter by name and address, greets the invitee by name and links the setup URL", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const { principal, named } = await hostileAdmin(clock);
    const invited = await inviteTestUser(clock, { firstName: hostile, role: "OPERATOR" }, { kind: "user", principal });
    const [mail] = await mailsTo(invited.user.id, "invite");

    expectLinkAndValues(mail, invited.setupUrl, [
      `Hello ${hostile},`,
      `${named} invited you to Gatehouse as Operator.`,
      `If it has expired, ask ${named} for a new one.`,
      `You got this email because ${named} invited you to Gatehouse.`,
      "expires on 30 Nov 2026, 12:00 UTC.",
    ]);
    expect(mail?.subject).toBe("You are invited to Gatehouse");

    const renewed = await regenerateSetupLink(testContext(clock, { kind: "user", principal }), invited.user.id);
    const [resent] = await mailsTo(invited.user.id, "invite_resent");
    expectLinkAndValues(resent, renewed.setupUrl, [`${named} sent you a new Gatehouse setup link.`]);
  });

  it("tells the first administrator that Gatehouse was set up, without '(system)' or 'Hello Gatehouse'", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const invited = await inviteTestUser(clock, {
      firstName: "Gatehouse",
      lastName: "Administrator",
      role: "SUPER_ADMIN",
    });
    const [mail] = await mailsTo(invited.user.id, "invite");

    expectLinkAndValues(mail, invited.setupUrl, [
      "Gatehouse was set up with your address, and you are its first administrator (Super admin).",
      `You got this email because Gatehouse was set up with ${invited.user.email} as its first administrator.`,
    ]);
    expect(mail?.text_body.startsWith("Hello,\n")).toBe(true);
    expect(mail?.text_body).not.toContain("(system)");
    expect(mail?.html_body).not.toContain("Hello Gatehouse");
  });

  it("names who reset the two-factor authentication, with the link, in the user's time zone", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const { principal, named } = await hostileAdmin(clock);
    const user = await createActiveUser(clock, { firstName: "Zoë" });
    await rawDb.prepare("UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = ?").bind(user.id).run();

    const reset = await resetTwoFactor(testContext(clock, { kind: "user", principal }), user.id);
    const [mail] = await mailsTo(user.id, "two_factor_reset");

    expectLinkAndValues(mail, reset.setupUrl, [
      "Hello Zoë,",
      `${named} reset the two-factor authentication of your Gatehouse account.`,
      `If you did not ask for this, tell ${named} at once.`,
      "expires on 30 Nov 2026, 13:00 CET.",
    ]);
  });

  it("tells of a password change with a link to the account and the addresses of super admins to tell", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    await createActiveUser(clock, { role: "SUPER_ADMIN", firstName: "Sam", lastName: "Super" });
    const user = await createActiveUser(clock, { firstName: hostile, role: "OPERATOR" });
    const principal = await principalOf(user.id, clock);

    await changeOwnPassword(testContext(clock, { kind: "user", principal }), principal, {
      currentPassword: testPassword,
      newPassword: "a different horse battery staple",
      newPasswordConfirmation: "a different horse battery staple",
    });
    const [mail] = await mailsTo(user.id, "security_notice");

    expectLinkAndValues(mail, `${env.APP_ORIGIN}/account`, [
      `Hello ${hostile},`,
      `You got this email because the password of your Gatehouse account (${user.email}) was changed.`,
    ]);
    expect(mail?.subject).toBe("Your Gatehouse password was changed");
    expect(mail?.text_body).toMatch(/If this was not you, tell .+ \(\S+@example\.test\)( or .+)? at once\./);
    expect(mail?.text_body).not.toContain(`tell ${user.email}`);
  });

  it("names who granted the access in both expiry notices, and the member's button writes to them", async () => {
    const clock = new TestClock("2027-01-04T16:00:00Z");
    const { admin, named } = await hostileAdmin(clock);
    const { user: member } = await inviteTestUser(clock, { role: "CONTRACTOR", firstName: "Casey", lastName: hostile });
    await rawDb.prepare("UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = ?").bind(member.id).run();
    const tenant = await createTestTenant(clock, `Globex ${hostile}`);
    await insertTestMembership(clock, {
      userId: member.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: new Date("2027-01-11T16:00:00Z"),
      createdBy: admin.id,
    });

    await queueExpiryNotices(testContext(clock));
    const [toMember] = await mailsTo(member.id, "expiry_notice");
    const [toGrantor] = await mailsTo(admin.id, "expiry_notice");

    const subject = encodeURIComponent(`More time for my access to Globex ${hostile}`);
    expectLinkAndValues(toMember, `mailto:${admin.email}?subject=${subject}`, [
      "Hello Casey,",
      `Your access to Globex ${hostile} (Full access) expires in 7 days, on 11 Jan 2027, 17:00 CET.`,
      `${named} granted it. If you still need it, write to them and ask them to extend your membership.`,
      `You got this email because you have access to Globex ${hostile} in Gatehouse until 11 Jan 2027, 17:00 CET.`,
    ]);
    expectLinkAndValues(toGrantor, `${env.APP_ORIGIN}/admin/users/${member.id}/memberships`, [
      "Hello Ann,",
      `The access you granted Casey ${hostile} (${member.email}) to Globex ${hostile} (Full access) expires in 7 days, on 11 Jan 2027, 16:00 UTC.`,
    ]);
    expect(toGrantor?.subject).toBe(`Access of Casey ${hostile} to Globex ${hostile} expires in 7 days`);
  });

  it("asks the tenant's administrators instead of a grantor who was deactivated", async () => {
    const clock = new TestClock("2027-02-04T16:00:00Z");
    const grantor = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    await rawDb
      .prepare("UPDATE users SET deactivated_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), grantor.id)
      .run();
    const { user: member } = await inviteTestUser(clock, { role: "CONTRACTOR", firstName: "Casey" });
    const tenant = await createTestTenant(clock, "Initech");
    await insertTestMembership(clock, {
      userId: member.id,
      tenantId: tenant.id,
      expiresAt: new Date("2027-02-11T16:00:00Z"),
      createdBy: grantor.id,
    });

    await queueExpiryNotices(testContext(clock));
    const [toMember] = await mailsTo(member.id, "expiry_notice");

    expectLinkAndValues(toMember, `${env.APP_ORIGIN}/`, [
      "If you still need it, ask an administrator of Initech in Gatehouse to extend your membership.",
    ]);
    expect(toMember?.text_body).not.toContain(grantor.email);
    expect(await mailsTo(grantor.id, "expiry_notice")).toEqual([]);
  });
});
