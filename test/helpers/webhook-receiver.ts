// The loopback webhook receiver (test/services/webhook-receiver.mjs) as the tests see it, in workerd
// and in Node alike: the project's globalSetup started it and provided its URL. Deliveries are
// verified with standardwebhooks, the spec's reference library, rather than with our own signer.
import { Webhook } from "standardwebhooks";
import { inject } from "vitest";

/** One request the receiver recorded; header names are lower-case. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds since the epoch, by the receiver's clock. */
  receivedAt: number;
}

const pollIntervalMs = 50;
// An inbox name is at most 64 characters; 48 leaves room for the "-redirected" inbox /redirect/ sends to.
const maxInboxNameLength = 48;

/** The receiver's URL for a path such as `/ok/<inbox>` or `/status/410/<inbox>`. */
export function receiverUrl(path: string): string {
  return `${inject("webhookReceiverUrl")}${path}`;
}

/** An inbox no other test uses: the receiver is shared by every test file of the run. */
export function newInbox(prefix: string): string {
  const inbox = `${prefix}-${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  if (!/^[A-Za-z0-9_-]+$/.test(inbox) || inbox.length > maxInboxNameLength) {
    throw new Error(`newInbox: "${prefix}" makes "${inbox}"; use letters, digits, _ and - and at most 31 characters`);
  }
  return inbox;
}

export async function readInbox(inbox: string): Promise<ReceivedRequest[]> {
  const response = await fetch(receiverUrl(`/inbox/${inbox}`));
  if (!response.ok) throw new Error(`reading inbox ${inbox}: ${response.status} ${await response.text()}`);
  return (await response.json()) as ReceivedRequest[];
}

/** The inbox's records once at least `count` have arrived, in arrival order. */
export async function waitForInbox(inbox: string, count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readInbox(inbox);
    if (records.length >= count) return records;
    if (Date.now() >= deadline) {
      const arrived = records.map(({ method, path, receivedAt }) => `${method} ${path} at ${receivedAt}`);
      throw new Error(
        `inbox ${inbox}: expected ${count} request(s) within ${timeoutMs} ms, ${records.length} arrived${arrived.length > 0 ? `:\n  ${arrived.join("\n  ")}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/**
 * The payload of a delivery whose webhook-id, webhook-timestamp and webhook-signature headers are
 * valid for `secret` (`whsec_` + base64); throws the library's WebhookVerificationError otherwise.
 * The library checks the timestamp against the real clock (Date.now(), 5 minutes either way).
 */
export function verifyWithStandardWebhooks(secret: string, record: ReceivedRequest): unknown {
  return new Webhook(secret).verify(record.body, record.headers);
}
