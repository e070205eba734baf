// Every kind of email, rendered from hostile values (docs/PRODUCT.md "Emails"): each has one button
// whose link is exactly the action's URL, the same URL alone on a line of the text part, the
// people named by name and address, every value escaped in the HTML and verbatim in the text, the
// product name from APP_NAME, and subjects without a control character.
import { describe, expect, it } from "vitest";
import { formatEmailTime, greet } from "../../src/domain/email-layout";
import {
  buildExpiryNoticeEmail,
  buildInviteEmail,
  buildSecurityNoticeEmail,
  buildTwoFactorResetEmail,
  type EmailMessage,
} from "../../src/domain/emails";

const hostile = `<img src=x onerror=alert(1)> "Bob" & 'Eve'`;
const appName = `Acme <b>Gate</b> & "Co"`;
const setupUrl = "https://gate.example/setup/BG892QIeiv4_zTX8Hm7WlsSMjiyQuTj_4VcgyOVrSqo";
const expiresAt = new Date("2027-01-11T16:00:00Z");
const inviter = { name: `Alice ${hostile}`, email: "alice@example.test" };
const headerUnsafe = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function decodeEntities(text: string): string {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** The links of the HTML part, as a mail client reads them (entities decoded). */
function hrefsOf(message: EmailMessage): string[] {
  return [...message.html.matchAll(/href="([^"]*)"/g)].map((match) => decodeEntities(match[1] as string));
}

/** What every email must hold, whatever its kind. */
function expectWellFormed(message: EmailMessage, action: string, names: string[]) {
  expect(message.subject).not.toMatch(headerUnsafe);
  expect(message.to).not.toMatch(headerUnsafe);
  const hrefs = hrefsOf(message);
  expect(hrefs.length).toBeGreaterThanOrEqual(1);
  expect(new Set(hrefs)).toEqual(new Set([action]));
  expect(message.html).toMatch(/<table role="presentation"[^>]*>\s*<tr><td align="center" bgcolor=/);
  expect(message.text.split("\n")).toContain(action);
  expect(message.html).not.toContain("<img");
  expect(message.html).not.toContain("<b>Gate");
  expect(message.html).not.toMatch(/<style|<link|<script|src="http/i);
  for (const name of names) {
    expect(message.text).toContain(name);
    expect(message.html).toContain(escapeHtml(name));
  }
  expect(message.text).toContain(appName);
  expect(message.html).toContain(escapeHtml(appName));
  expect(message.text).toMatch(/\n-- \nYou got this email because .+\.$/);
}

describe("emails", () => {
  it("renders an invite by a person with the inviter's name and address, the role and the setup link", async () => {
    const message = await buildInviteEmail({
      appName,
      to: "new@example.test",
      recipientName: hostile,
      timeZone: "Europe/Berlin",
      invitedBy: inviter,
      role: "OPERATOR",
      setupUrl,
      expiresAt,
      resent: false,
    });
    expectWellFormed(message, setupUrl, [`Hello ${hostile},`, `Alice ${hostile} (alice@example.test)`]);
    expect(message.kind).toBe("invite");
    expect(message.subject).toBe(`You are invited to ${appName}`);
    expect(message.text).toContain(`Alice ${hostile} (alice@example.test) invited you to ${appName} as Operator.`);
    expect(message.text).toContain("expires on 11 Jan 2027, 17:00 CET.");
    expect(message.text).toContain(`If it has expired, ask Alice ${hostile} (alice@example.test) for a new one.`);
    expect(message.text).toContain(
      `You got this email because Alice ${hostile} (alice@example.test) invited you to ${appName}.`,
    );
    expect(message.text.split("\n").filter((line) => line === setupUrl)).toHaveLength(1);
  });

  it("renders the first administrator's invite without '(system)' and greets them without the product's name", async () => {
    for (const resent of [false, true]) {
      const message = await buildInviteEmail({
        appName: "Gatehouse",
        to: "admin@example.test",
        recipientName: "Gatehouse",
        timeZone: "UTC",
        invitedBy: null,
        role: "SUPER_ADMIN",
        setupUrl,
        expiresAt,
        resent,
      });
      expect(message.text.startsWith("Hello,\n\n")).toBe(true);
      expect(message.html).toContain(">Hello,</p>");
      expect(message.text).not.toContain("(system)");
      expect(message.text).not.toContain("Hello Gatehouse");
      expect(message.text).toContain(
        resent ? "where you are the first administrator" : "Gatehouse was set up with your address",
      );
      expect(message.text).toContain("first administrator");
      expect(message.text).toContain("expires on 11 Jan 2027, 16:00 UTC.");
      expect(hrefsOf(message)).toEqual([setupUrl, setupUrl]);
    }
  });

  it("renders an invite by a directory, which has no address, with an administrator to ask", async () => {
    const message = await buildInviteEmail({
      appName,
      to: "new@example.test",
      recipientName: "Zoë",
      timeZone: "UTC",
      invitedBy: { name: `Staff directory ${hostile}`, email: null },
      role: "OPERATOR",
      setupUrl,
      expiresAt,
      resent: false,
    });
    expectWellFormed(message, setupUrl, [
      "Hello Zoë,",
      `Staff directory ${hostile} invited you to ${appName} as Operator.`,
    ]);
    expect(message.text).toContain(`If it has expired, ask an administrator of ${appName} for a new one.`);
  });

  it("renders a resent invite as a new link that replaces the old one", async () => {
    const message = await buildInviteEmail({
      appName,
      to: "new@example.test",
      recipientName: "Zoë",
      timeZone: null,
      invitedBy: inviter,
      role: "CLIENT_USER",
      setupUrl,
      expiresAt,
      resent: true,
    });
    expectWellFormed(message, setupUrl, ["Hello Zoë,", `Alice ${hostile} (alice@example.test)`]);
    expect(message.kind).toBe("invite_resent");
    expect(message.subject).toBe(`Your new ${appName} setup link`);
    expect(message.text).toContain("Any earlier link no longer works.");
  });

  it("renders a two-factor reset naming who reset it, by name and address", async () => {
    const message = await buildTwoFactorResetEmail({
      appName,
      to: "bob@example.test",
      recipientName: hostile,
      timeZone: "America/New_York",
      resetBy: inviter,
      setupUrl,
      expiresAt,
    });
    expectWellFormed(message, setupUrl, [`Hello ${hostile},`, `Alice ${hostile} (alice@example.test)`]);
    expect(message.kind).toBe("two_factor_reset");
    expect(message.text).toContain("your passkeys, authenticator app and recovery codes no longer work.");
    expect(message.text).toContain("set up a passkey or an authenticator app again.");
    expect(message.text).toContain("expires on 11 Jan 2027, 11:00 EST.");
    expect(message.text).toContain(`If you did not ask for this, tell Alice ${hostile} (alice@example.test) at once.`);
  });

  it("renders a security notice that gives the administrators' addresses and keeps the subject on one line", async () => {
    const message = await buildSecurityNoticeEmail({
      appName,
      to: "bob@example.test",
      recipientName: hostile,
      timeZone: "UTC",
      subject: `Your ${appName} password\r\nBcc: victim@example.com was changed`,
      message: "The password of your account was just changed.",
      reason: "the password of your account (bob@example.test) was changed",
      action: { label: "Review your account", url: "https://gate.example/account" },
      administrators: [inviter, { name: "Sam Super", email: "sam@example.test" }],
    });
    expectWellFormed(message, "https://gate.example/account", [`Hello ${hostile},`]);
    expect(message.subject).toBe(`Your ${appName} password Bcc: victim@example.com was changed`);
    expect(message.text).toContain(
      `If this was not you, tell Alice ${hostile} (alice@example.test) or Sam Super (sam@example.test) at once.`,
    );
  });

  const notice = {
    appName,
    appOrigin: "https://gate.example",
    member: { id: "usr_casey", name: `Casey ${hostile}`, email: "casey@example.test" },
    tenantName: `Globex ${hostile}`,
    role: "OPERATOR_FULL" as const,
    grantor: inviter,
    expiresAt,
    now: new Date(expiresAt.getTime() - 7 * 86_400_000),
  };

  it("renders a contractor's expiry notice naming who granted the access and how to ask them for more time", async () => {
    const message = await buildExpiryNoticeEmail({
      ...notice,
      to: "casey@example.test",
      recipientName: "Casey",
      timeZone: "Europe/Berlin",
      forGrantor: false,
    });
    const mailto = `mailto:alice@example.test?subject=${encodeURIComponent(`More time for my access to Globex ${hostile}`)}`;
    expectWellFormed(message, mailto, ["Hello Casey,", `Alice ${hostile} (alice@example.test)`, `Globex ${hostile}`]);
    expect(message.subject).toBe(`Your access to Globex ${hostile} expires in 7 days`);
    expect(message.text).toContain(
      `Your access to Globex ${hostile} (Full access) expires in 7 days, on 11 Jan 2027, 17:00 CET.`,
    );
    expect(message.text).toContain(
      `Alice ${hostile} (alice@example.test) granted it. If you still need it, write to them and ask them to extend your membership.`,
    );
    expect(message.text).toContain(
      `You got this email because you have access to Globex ${hostile} in ${appName} until 11 Jan 2027, 17:00 CET.`,
    );
  });

  it("renders the member's notice without a grantor as a question to the tenant's administrators", async () => {
    const message = await buildExpiryNoticeEmail({
      ...notice,
      grantor: null,
      to: "casey@example.test",
      recipientName: "Casey",
      timeZone: "UTC",
      forGrantor: false,
    });
    expectWellFormed(message, "https://gate.example/", ["Hello Casey,"]);
    expect(message.text).toContain(
      `ask an administrator of Globex ${hostile} in ${appName} to extend your membership.`,
    );
  });

  it("renders the grantor's expiry notice with the member's name and address and a link to their memberships", async () => {
    const ended = await buildExpiryNoticeEmail({
      ...notice,
      now: new Date(expiresAt.getTime() + 60_000),
      to: "alice@example.test",
      recipientName: "Alice",
      timeZone: "UTC",
      forGrantor: true,
    });
    expectWellFormed(ended, "https://gate.example/admin/users/usr_casey/memberships", [
      "Hello Alice,",
      `Casey ${hostile} (casey@example.test)`,
    ]);
    expect(ended.subject).toBe(`Access of Casey ${hostile} to Globex ${hostile} has ended`);
    expect(ended.text).toContain(
      `The access you granted Casey ${hostile} (casey@example.test) to Globex ${hostile} (Full access) ended on 11 Jan 2027, 16:00 UTC.`,
    );
    expect(ended.text).toContain("This notice is late");
  });

  it("greets by first name, and with 'Hello,' when the name is missing or the product's", () => {
    expect(greet("Zoë", "Gatehouse")).toBe("Hello Zoë,");
    expect(greet("Gatehouse", "Gatehouse")).toBe("Hello,");
    expect(greet("gatehouse", "Acme Access")).toBe("Hello,");
    expect(greet("Acme Access", "Acme Access")).toBe("Hello,");
    expect(greet(" ", "Gatehouse")).toBe("Hello,");
    expect(greet(null, "Gatehouse")).toBe("Hello,");
  });

  it("writes times in the recipient's zone, and in UTC without one or for an unknown zone", () => {
    const at = new Date("2027-07-11T16:05:00Z");
    expect(formatEmailTime(at, "Europe/Berlin")).toBe("11 Jul 2027, 18:05 CEST");
    expect(formatEmailTime(at, "UTC")).toBe("11 Jul 2027, 16:05 UTC");
    expect(formatEmailTime(at, null)).toBe("11 Jul 2027, 16:05 UTC");
    expect(formatEmailTime(at, "Mars/Olympus")).toBe("11 Jul 2027, 16:05 UTC");
    expect(formatEmailTime(new Date("2027-09-01T00:00:00Z"), "Asia/Tokyo")).toBe("1 Sep 2027, 09:00 UTC+9");
    expect(formatEmailTime(new Date("2027-01-11T16:00:00Z"), "Europe/London")).toBe("11 Jan 2027, 16:00 GMT");
    expect(formatEmailTime(new Date("2027-01-11T16:00:00Z"), "America/New_York")).toBe("11 Jan 2027, 11:00 EST");
  });
});
