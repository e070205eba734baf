import { beforeEach, describe, expect, it } from "vitest";
import { createDbFromEnv } from "../../src/db/connect";
import { outbox } from "../../src/db/schema";
import { insertOutboxMessage } from "../../src/domain/outbox";
import {
  deliverOutbox,
  deliveryBatchSize,
  deliveryLeaseSeconds,
  maxDeliveryAttempts,
  retryDelaySeconds,
} from "../../src/jobs/deliver-outbox";
import { EmailDeliveryError, type EmailProvider, type OutgoingEmail } from "../../src/jobs/email-providers";
import { TestClock } from "../helpers/clock";
import { testContext, uniqueEmail } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

interface OutboxState {
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  sent_at: number | null;
}

async function queueTestMessage(clock: TestClock, to = uniqueEmail("recipient")): Promise<string> {
  const [row] = await insertOutboxMessage(
    createDbFromEnv(env),
    { kind: "security_notice", to, subject: "Test", text: "Hello", html: "<p>Hello</p>" },
    clock.now(),
  ).returning({ id: outbox.id });
  return row?.id as string;
}

function readMessage(id: string): Promise<OutboxState | null> {
  return rawDb
    .prepare("SELECT status, attempts, last_error, next_attempt_at, sent_at FROM outbox WHERE id = ?")
    .bind(id)
    .first<OutboxState>();
}

/** Records every send; fails for the recipients in `failFor` with the given error. */
function recordingProvider(
  failFor: Set<string> = new Set(),
  error: () => Error = () => new EmailDeliveryError("503 busy", false),
) {
  const sent: OutgoingEmail[] = [];
  const provider: EmailProvider = {
    name: "log",
    async send(message) {
      if (failFor.has(message.to)) throw error();
      await new Promise((resolve) => setTimeout(resolve, 1));
      sent.push(message);
    },
  };
  return { provider, sent };
}

describe("outbox delivery", () => {
  beforeEach(async () => {
    // Storage is shared by the tests of this file: deliver what earlier tests left due.
    await deliverOutbox(testContext(new TestClock("2099-01-01T00:00:00Z")), recordingProvider().provider, {
      limit: 100,
    });
  });

  it("sends a due message and marks it sent", async () => {
    const clock = new TestClock();
    const id = await queueTestMessage(clock);
    const { provider, sent } = recordingProvider();

    const result = await deliverOutbox(testContext(clock), provider);

    expect(result).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect(sent.map((message) => message.id)).toEqual([id]);
    expect(await readMessage(id)).toMatchObject({ status: "sent", attempts: 1, sent_at: clock.now().getTime() });
  });

  it("retries with exponential back-off and gives up after the last attempt, visibly", async () => {
    const clock = new TestClock();
    const to = uniqueEmail("bounce");
    const id = await queueTestMessage(clock, to);
    const { provider } = recordingProvider(new Set([to]));

    for (let attempt = 1; attempt < maxDeliveryAttempts; attempt++) {
      const result = await deliverOutbox(testContext(clock), provider);
      expect(result.retried).toBe(1);
      const state = await readMessage(id);
      expect(state).toMatchObject({ status: "pending", attempts: attempt, last_error: "503 busy" });
      expect(state?.next_attempt_at).toBe(clock.now().getTime() + retryDelaySeconds(attempt) * 1000);
      // Not due a second before its time, due at its time.
      clock.advanceSeconds(retryDelaySeconds(attempt) - 1);
      expect((await deliverOutbox(testContext(clock), provider)).claimed).toBe(0);
      clock.advanceSeconds(1);
    }
    expect(retryDelaySeconds(1)).toBe(300);
    expect(retryDelaySeconds(2)).toBe(600);
    expect(retryDelaySeconds(3)).toBe(1200);

    const last = await deliverOutbox(testContext(clock), provider);
    expect(last).toMatchObject({ claimed: 1, failed: 1 });
    expect(await readMessage(id)).toMatchObject({
      status: "failed",
      attempts: maxDeliveryAttempts,
      last_error: "503 busy",
    });
    clock.advanceSeconds(86_400);
    expect((await deliverOutbox(testContext(clock), provider)).claimed).toBe(0);
  });

  it("gives up at once on a permanent refusal", async () => {
    const clock = new TestClock();
    const to = uniqueEmail("invalid");
    const id = await queueTestMessage(clock, to);
    const { provider } = recordingProvider(
      new Set([to]),
      () => new EmailDeliveryError("email API answered 422: invalid to", true),
    );

    await deliverOutbox(testContext(clock), provider);

    expect(await readMessage(id)).toMatchObject({
      status: "failed",
      attempts: 1,
      last_error: "email API answered 422: invalid to",
    });
  });

  it("never sends a message twice when two runs overlap", async () => {
    const clock = new TestClock();
    const ids = new Set<string>();
    for (let index = 0; index < 6; index++) ids.add(await queueTestMessage(clock));
    const { provider, sent } = recordingProvider();

    const [a, b] = await Promise.all([
      deliverOutbox(testContext(clock), provider),
      deliverOutbox(testContext(clock), provider),
    ]);

    expect(a.sent + b.sent).toBe(6);
    expect(sent.map((message) => message.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await readMessage(id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("takes a message over again when the run that claimed it died, once its lease is over", async () => {
    const clock = new TestClock();
    const id = await queueTestMessage(clock);
    const crashing: EmailProvider = {
      name: "log",
      send: () => new Promise(() => undefined),
    };
    void deliverOutbox(testContext(clock), crashing);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readMessage(id)).toMatchObject({ status: "sending", attempts: 1 });

    const { provider, sent } = recordingProvider();
    clock.advanceSeconds(deliveryLeaseSeconds - 1);
    expect((await deliverOutbox(testContext(clock), provider)).claimed).toBe(0);
    clock.advanceSeconds(1);
    await deliverOutbox(testContext(clock), provider);

    expect(sent.map((message) => message.id)).toEqual([id]);
    expect(await readMessage(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("retries a message stranded in sending by a crashed run before the backlog of newer mail", async () => {
    const clock = new TestClock();
    const stranded = await queueTestMessage(clock);
    void deliverOutbox(testContext(clock), { name: "log", send: () => new Promise(() => undefined) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readMessage(stranded)).toMatchObject({ status: "sending", attempts: 1 });
    // A backlog queued while the crashed run still held its lease: all due before the lease ends.
    clock.advanceSeconds(60);
    const backlog: string[] = [];
    for (let index = 0; index < deliveryBatchSize + 5; index++) {
      backlog.push(await queueTestMessage(clock));
      clock.advanceSeconds(1);
    }
    const { provider, sent } = recordingProvider();

    clock.advanceSeconds(deliveryLeaseSeconds);
    const result = await deliverOutbox(testContext(clock), provider);

    expect(result.claimed).toBe(deliveryBatchSize);
    expect(sent[0]?.id).toBe(stranded);
    expect(await readMessage(stranded)).toMatchObject({ status: "sent", attempts: 2 });
    expect(sent.slice(1).map((message) => message.id)).toEqual(backlog.slice(0, deliveryBatchSize - 1));
  });

  it("sends at most its batch per run, oldest due first", async () => {
    const clock = new TestClock();
    const first = await queueTestMessage(clock);
    clock.advanceSeconds(1);
    const second = await queueTestMessage(clock);
    const { provider, sent } = recordingProvider();

    await deliverOutbox(testContext(clock), provider, { limit: 1 });
    expect(sent.map((message) => message.id)).toEqual([first]);
    expect((await readMessage(second))?.status).toBe("pending");
  });
});
