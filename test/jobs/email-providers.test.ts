import { describe, expect, it } from "vitest";
import { createDbFromEnv } from "../../src/db/connect";
import { outbox } from "../../src/db/schema";
import { buildInviteEmail } from "../../src/domain/emails";
import { insertOutboxMessage } from "../../src/domain/outbox";
import { type Config, readConfig } from "../../src/env";
import { deliverOutbox } from "../../src/jobs/deliver-outbox";
import { createEmailProvider, parseSender } from "../../src/jobs/email-providers";
import { TestClock } from "../helpers/clock";
import { testContext, uniqueEmail } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

const token = "BG892QIeiv4_zTX8Hm7WlsSMjiyQuTj_4VcgyOVrSqo";
const deliverable = "deliverable@example.test";

async function queueInvite(clock: TestClock, to: string) {
  const message = await buildInviteEmail({
    appName: "Gatehouse",
    to,
    recipientName: "Ada",
    timeZone: "UTC",
    invitedBy: { name: "Grace Admin", email: "grace@example.test" },
    role: "OPERATOR",
    setupUrl: `http://localhost:8787/setup/${token}`,
    expiresAt: new Date("2026-11-30T12:00:00Z"),
    resent: false,
  });
  const [row] = await insertOutboxMessage(createDbFromEnv(env), message, clock.now()).returning({ id: outbox.id });
  return { id: row?.id as string, message };
}

function readMessage(id: string) {
  return rawDb
    .prepare("SELECT status, attempts, last_error, text_body FROM outbox WHERE id = ?")
    .bind(id)
    .first<{ status: string; attempts: number; last_error: string | null; text_body: string }>();
}

function configWith(overrides: Partial<Config>): Config {
  return { ...readConfig(env), ...overrides };
}

interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: Record<string, unknown>;
}

function fakeFetch(answer: () => Response | Promise<Response>) {
  const requests: RecordedRequest[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    requests.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: JSON.parse(String(init?.body)),
    });
    return answer();
  };
  return { fetchImpl, requests };
}

describe("email providers", () => {
  // Each test uses its own era so earlier tests' messages are never due in it.
  it("log: prints the message with the setup token masked; the outbox keeps the full link", async () => {
    const clock = new TestClock("2026-01-01T00:00:00Z");
    const { id } = await queueInvite(clock, uniqueEmail("ada"));
    const lines: string[] = [];
    const provider = createEmailProvider(configWith({ EMAIL_PROVIDER: "log" }), env, {
      log: (line) => lines.push(line),
    });

    await deliverOutbox(testContext(clock), provider);

    const printed = lines.join("\n");
    expect(printed).toContain("You are invited to Gatehouse");
    expect(printed).toContain("/setup/[setup token hidden]");
    expect(printed).not.toContain(token);
    expect(await readMessage(id)).toMatchObject({ status: "sent" });
    expect((await readMessage(id))?.text_body).toContain(`/setup/${token}`);
  });

  it("http: posts the message to the email API with the key, as JSON, keyed for idempotency", async () => {
    const clock = new TestClock("2025-01-01T00:00:00Z");
    const to = uniqueEmail("ada");
    const { id, message } = await queueInvite(clock, to);
    const { fetchImpl, requests } = fakeFetch(() => Response.json({ id: "re_123" }));
    const config = configWith({
      EMAIL_PROVIDER: "http",
      EMAIL_API_URL: "https://mail.example.test/emails",
      EMAIL_API_KEY: "re_test_key",
    });

    await deliverOutbox(testContext(clock), createEmailProvider(config, env, { fetch: fetchImpl }));

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe("https://mail.example.test/emails");
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("authorization")).toBe("Bearer re_test_key");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.headers.get("idempotency-key")).toBe(id);
    expect(request?.body).toEqual({
      from: config.EMAIL_FROM,
      to: [to],
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    expect(await readMessage(id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("http: retries on 5xx, 429 and network errors, gives up on other 4xx, and never stores the token in the error", async () => {
    const config = configWith({ EMAIL_PROVIDER: "http", EMAIL_API_KEY: "re_test_key" });
    const cases: Array<{ answer: () => Response | Promise<Response>; status: string; error: RegExp }> = [
      {
        answer: () => new Response("upstream down", { status: 503 }),
        status: "pending",
        error: /^email API answered 503: upstream down$/,
      },
      { answer: () => new Response("slow down", { status: 429 }), status: "pending", error: /429/ },
      {
        answer: () => Promise.reject(new TypeError("connection reset")),
        status: "pending",
        error: /unreachable: connection reset/,
      },
      {
        answer: () => new Response(`invalid recipient in /setup/${token}`, { status: 422 }),
        status: "failed",
        error: /^email API answered 422: invalid recipient in \/setup\/\[setup token hidden\]$/,
      },
    ];
    for (const [index, testCase] of cases.entries()) {
      const clock = new TestClock(`2024-0${cases.length - index}-01T00:00:00Z`);
      const { id } = await queueInvite(clock, uniqueEmail("ada"));
      await deliverOutbox(
        testContext(clock),
        createEmailProvider(config, env, { fetch: fakeFetch(testCase.answer).fetchImpl }),
      );
      const state = await readMessage(id);
      expect(state?.status, testCase.error.source).toBe(testCase.status);
      expect(state?.last_error).toMatch(testCase.error);
    }
  });

  it("send_email: sends through the binding, and retries when the binding refuses", async () => {
    const config = configWith({ EMAIL_PROVIDER: "send_email" });
    const calls: unknown[] = [];
    const binding: SendEmail = {
      send: (message: Parameters<SendEmail["send"]>[0]) => {
        calls.push(message);
        return env.SEND_EMAIL?.send(message as EmailMessageBuilder) as Promise<EmailSendResult>;
      },
    } as SendEmail;
    const clock = new TestClock("2023-01-01T00:00:00Z");
    const good = await queueInvite(clock, deliverable);
    const refused = await queueInvite(clock, uniqueEmail("unverified"));

    await deliverOutbox(testContext(clock), createEmailProvider(config, { SEND_EMAIL: binding }));

    expect(calls).toContainEqual({
      from: { name: "Gatehouse", email: "gatehouse@example.com" },
      to: deliverable,
      subject: good.message.subject,
      text: good.message.text,
      html: good.message.html,
    });
    expect(await readMessage(good.id)).toMatchObject({ status: "sent" });
    expect(await readMessage(refused.id)).toMatchObject({ status: "pending", attempts: 1 });
    expect((await readMessage(refused.id))?.last_error).toMatch(/^send_email refused: /);
  });

  it("is chosen by EMAIL_PROVIDER, and send_email needs its binding", () => {
    expect(createEmailProvider(configWith({ EMAIL_PROVIDER: "log" }), env).name).toBe("log");
    expect(createEmailProvider(configWith({ EMAIL_PROVIDER: "http", EMAIL_API_KEY: "k" }), env).name).toBe("http");
    expect(createEmailProvider(configWith({ EMAIL_PROVIDER: "send_email" }), env).name).toBe("send_email");
    expect(() => createEmailProvider(configWith({ EMAIL_PROVIDER: "send_email" }), {})).toThrow(/SEND_EMAIL binding/);
    expect(() => readConfig({ ...env, EMAIL_PROVIDER: "http", EMAIL_API_KEY: undefined })).toThrow(/EMAIL_API_KEY/);
  });

  it("reads the sender for the binding from EMAIL_FROM", () => {
    expect(parseSender("Gatehouse <gatehouse@example.com>")).toEqual({
      name: "Gatehouse",
      email: "gatehouse@example.com",
    });
    expect(parseSender('"Ops Team" <ops@example.com>')).toEqual({ name: "Ops Team", email: "ops@example.com" });
    expect(parseSender("ops@example.com")).toBe("ops@example.com");
  });
});
