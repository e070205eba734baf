// docs/SECURITY.md "Text input": whatever a stored name holds (rows written before the rule, or
// EMAIL_FROM itself), no control or direction-changing character reaches an email's sender,
// recipient or subject, in any provider.
import { describe, expect, it } from "vitest";
import { createDbFromEnv } from "../../src/db/connect";
import { outbox } from "../../src/db/schema";
import { buildExpiryNoticeEmail } from "../../src/domain/emails";
import { insertOutboxMessage } from "../../src/domain/outbox";
import { type Config, readConfig } from "../../src/env";
import { deliverOutbox } from "../../src/jobs/deliver-outbox";
import { createEmailProvider, type OutgoingEmail } from "../../src/jobs/email-providers";
import { TestClock } from "../helpers/clock";
import { testContext } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

const unsafe = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
const injected: OutgoingEmail = {
  id: "out_header_test",
  to: "eve@example.test",
  subject: "Access of Eve\r\nBcc: victim@example.com to Acme\u202E\u2028 expires in 7 days",
  text: "Hello",
  html: "<p>Hello</p>",
};
const safeSubject = "Access of Eve Bcc: victim@example.com to Acme expires in 7 days";

function configWith(overrides: Partial<Config>): Config {
  return { ...readConfig(env), EMAIL_FROM: "Gatehouse\r\nBcc: spy@example.com <gatehouse@example.com>", ...overrides };
}

describe("email headers", () => {
  it("sends the http provider a subject and sender on one line, as JSON", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const provider = createEmailProvider(configWith({ EMAIL_PROVIDER: "http", EMAIL_API_KEY: "k" }), env, {
      fetch: async (_input, init) => {
        bodies.push(JSON.parse(String(init?.body)));
        return new Response("{}", { status: 200 });
      },
    });
    await provider.send(injected);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ subject: safeSubject, to: ["eve@example.test"] });
    expect(String(bodies[0]?.from)).not.toMatch(unsafe);
    expect(bodies[0]?.from).toBe("Gatehouse Bcc: spy@example.com <gatehouse@example.com>");
  });

  it("gives the send_email binding a subject and sender on one line", async () => {
    const sent: Array<Parameters<SendEmail["send"]>[0]> = [];
    const binding = {
      send: async (message: Parameters<SendEmail["send"]>[0]) => {
        sent.push(message);
        return { messageId: "sent" };
      },
    } as SendEmail;
    await createEmailProvider(configWith({ EMAIL_PROVIDER: "send_email" }), { SEND_EMAIL: binding }).send(injected);
    expect(sent).toEqual([
      {
        from: { name: "Gatehouse Bcc: spy@example.com", email: "gatehouse@example.com" },
        to: "eve@example.test",
        subject: safeSubject,
        text: "Hello",
        html: "<p>Hello</p>",
      },
    ]);
  });

  it("refuses for good a recipient address with a control character and sends nothing", async () => {
    const clock = new TestClock("2031-01-01T00:00:00Z");
    const [row] = await insertOutboxMessage(
      createDbFromEnv(env),
      {
        kind: "security_notice",
        to: "eve@example.test\r\nBcc: victim@example.com",
        subject: "Hi",
        text: "Hello",
        html: "<p>Hello</p>",
      },
      clock.now(),
    ).returning({ id: outbox.id });
    const requests: unknown[] = [];
    const provider = createEmailProvider(configWith({ EMAIL_PROVIDER: "http", EMAIL_API_KEY: "k" }), env, {
      fetch: async (input) => {
        requests.push(input);
        return new Response("{}", { status: 200 });
      },
    });

    await deliverOutbox(testContext(clock), provider);

    expect(requests).toEqual([]);
    const stored = await rawDb.prepare("SELECT status, last_error FROM outbox WHERE id = ?").bind(row?.id).first();
    expect(stored).toEqual({ status: "failed", last_error: "the recipient address contains a control character" });
  });

  it("builds an expiry notice's subject on one line from names stored before the rule", async () => {
    const now = new Date("2026-11-23T12:00:00Z");
    const message = await buildExpiryNoticeEmail({
      appName: "Gatehouse",
      appOrigin: "https://gatehouse.example",
      to: "grantor@example.test",
      recipientName: "Grace",
      timeZone: "UTC",
      member: { id: "usr_eve", name: "Eve\r\nBcc: victim@example.com", email: "eve@example.test" },
      tenantName: "Acme\u202E\u0000",
      role: "OPERATOR_READONLY",
      grantor: { name: "Grace Grantor", email: "grantor@example.test" },
      expiresAt: new Date("2026-11-30T12:00:00Z"),
      now,
      forGrantor: true,
    });
    expect(message.subject).toBe("Access of Eve Bcc: victim@example.com to Acme expires in 7 days");
  });
});
