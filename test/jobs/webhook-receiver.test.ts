// The loopback webhook receiver that the delivery tests send to, reached from the test's own runtime
// (workerd in d1, Node in libsql): it records what arrives, answers as its path says, and what it
// recorded verifies with standardwebhooks exactly as sent.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newInbox, receiverUrl, verifyWithStandardWebhooks, waitForInbox } from "../helpers/webhook-receiver";

function createWebhookSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

function post(path: string, body = "{}"): Promise<Response> {
  return fetch(receiverUrl(path), { method: "POST", headers: { "content-type": "application/json" }, body });
}

describe("the loopback webhook receiver", () => {
  it("records a signed delivery that standardwebhooks verifies, and refuses it under another secret", async () => {
    const secret = createWebhookSecret();
    const inbox = newInbox("signed");
    const messageId = `msg_${crypto.randomUUID()}`;
    const sentAt = new Date();
    const payload = JSON.stringify({ type: "user.created", data: { id: "usr_1", name: "Zoë" } });
    const response = await fetch(receiverUrl(`/ok/${inbox}`), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": messageId,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": new Webhook(secret).sign(messageId, sentAt, payload),
      },
      body: payload,
    });
    expect(response.status, await response.text()).toBe(204);

    const records = await waitForInbox(inbox, 1);
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({ method: "POST", path: `/ok/${inbox}`, body: payload });
    expect(record.headers["webhook-id"]).toBe(messageId);
    expect(record.receivedAt).toBeGreaterThanOrEqual(sentAt.getTime() - 1000);
    expect(verifyWithStandardWebhooks(secret, record)).toEqual(JSON.parse(payload));
    expect(() => verifyWithStandardWebhooks(createWebhookSecret(), record)).toThrow(WebhookVerificationError);
  });

  it("answers /status/410/ with 410 and records the request", async () => {
    const inbox = newInbox("gone");
    const response = await post(`/status/410/${inbox}`, '{"n":1}');
    expect(response.status, await response.text()).toBe(410);
    const records = await waitForInbox(inbox, 1);
    expect(records.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: `/status/410/${inbox}`, body: '{"n":1}' },
    ]);
  });

  it("answers /fail-first/1/ with 500 the first time and 204 after, recording both", async () => {
    const inbox = newInbox("retry");
    const first = await post(`/fail-first/1/${inbox}`, '{"attempt":1}');
    const second = await post(`/fail-first/1/${inbox}`, '{"attempt":2}');
    expect([first.status, second.status]).toEqual([500, 204]);
    const records = await waitForInbox(inbox, 2);
    expect(records.map(({ body }) => body)).toEqual(['{"attempt":1}', '{"attempt":2}']);
  });
});
