// Webhook delivery end to end on the store under test (docs/EVENTS.md "Delivery", "Retries",
// "Safety"): events become deliveries, the loopback receiver gets them, and standardwebhooks, the
// spec's reference library, verifies them. The TestClock drives the retry schedule and the 5-day
// rule; webhook-timestamp and the runs' deadlines read the real clock, as in production.
import { WebhookVerificationError } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { allPermissions } from "../../src/domain/access";
import type { DomainContext } from "../../src/domain/context";
import type { EventPayload } from "../../src/domain/events/events";
import { type DeliveryRun, deliverEvents, retryDelaysSeconds } from "../../src/domain/webhooks/webhook-delivery";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  pauseWebhookEndpoint,
  resendWebhookDelivery,
  resumeWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookEndpointInput,
  type WebhookEndpointRow,
} from "../../src/domain/webhooks/webhook-endpoints";
import { createEmailProvider } from "../../src/jobs/email-providers";
import { runJobs } from "../../src/jobs/scheduled";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  testContext,
  testPrincipal,
} from "../helpers/factories";
import { env, rawDb } from "../helpers/store";
import {
  newInbox,
  type ReceivedRequest,
  readInbox,
  receiverUrl,
  verifyWithStandardWebhooks,
  waitForInbox,
} from "../helpers/webhook-receiver";

type DeliveredEvent = EventPayload;

function superAdmin(clock: TestClock) {
  return { kind: "user" as const, principal: testPrincipal(clock, "SUPER_ADMIN", [...allPermissions]) };
}

function asSuperAdmin(clock: TestClock): DomainContext {
  return testContext(clock, superAdmin(clock));
}

const endpointsOfThisTest: string[] = [];

// Every test file has a database of its own, but the tests of one file share it: an endpoint left
// enabled would receive the next test's events.
afterEach(async () => {
  const ctx = asSuperAdmin(new TestClock());
  for (const id of endpointsOfThisTest.splice(0)) await deleteWebhookEndpoint(ctx, id).catch(() => undefined);
});

async function addEndpoint(clock: TestClock, path: string, input: Partial<WebhookEndpointInput> = {}) {
  const created = await createWebhookEndpoint(asSuperAdmin(clock), {
    url: receiverUrl(path),
    description: "Test receiver",
    eventTypes: [],
    tenantId: null,
    ...input,
  });
  endpointsOfThisTest.push(created.endpoint.id);
  return created;
}

/** A run on the real clock, as the cron and a request's background work make it. */
function realRun(seconds = 13): DeliveryRun {
  return { readClock: () => new Date(), deadline: new Date(Date.now() + seconds * 1000) };
}

function deliver(clock: TestClock, run = realRun()) {
  return deliverEvents(testContext(clock), run);
}

/** The ids of the events recorded since the endpoint was added that its filters let through. */
async function eventIdsFor(endpoint: WebhookEndpointRow): Promise<string[]> {
  const rows = await rawDb
    .prepare("SELECT id, action, tenant_id FROM audit_events WHERE id > ? ORDER BY id")
    .bind(endpoint.afterEventId)
    .all<{ id: number; action: string; tenant_id: string | null }>();
  return rows.results
    .filter((row) => endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(row.action))
    .filter((row) => endpoint.tenantId === null || row.tenant_id === endpoint.tenantId)
    .map((row) => `evt_${row.id}`);
}

async function readEndpoint(id: string) {
  return rawDb
    .prepare("SELECT status, disabled_reason, failing_since, last_success_at FROM webhook_endpoints WHERE id = ?")
    .bind(id)
    .first<{
      status: string;
      disabled_reason: string | null;
      failing_since: number | null;
      last_success_at: number | null;
    }>();
}

async function readDeliveries(endpointId: string) {
  const rows = await rawDb
    .prepare("SELECT id, event_id, status, attempts FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY event_id")
    .bind(endpointId)
    .all<{ id: string; event_id: number; status: string; attempts: number }>();
  return rows.results;
}

async function readAttempts(endpointId: string) {
  const rows = await rawDb
    .prepare("SELECT at, status_code FROM webhook_attempts WHERE endpoint_id = ? ORDER BY id")
    .bind(endpointId)
    .all<{ at: number; status_code: number | null }>();
  return rows.results;
}

async function readDisabledEmails(endpointId: string) {
  const rows = await rawDb
    .prepare(
      "SELECT to_address FROM outbox WHERE kind = 'webhook_endpoint_disabled' AND instr(dedupe_key, ?) = 1 ORDER BY to_address",
    )
    .bind(`webhook-disabled:${endpointId}:`)
    .all<{ to_address: string }>();
  return rows.results.map((row) => row.to_address);
}

async function activeSuperAdminEmails(): Promise<string[]> {
  const rows = await rawDb
    .prepare(
      "SELECT email FROM users WHERE role = 'SUPER_ADMIN' AND activated_at IS NOT NULL AND deactivated_at IS NULL AND erased_at IS NULL ORDER BY email",
    )
    .all<{ email: string }>();
  return rows.results.map((row) => row.email);
}

async function readDisabledAudit(endpointId: string) {
  const rows = await rawDb
    .prepare(
      "SELECT actor_kind, details FROM audit_events WHERE action = 'webhook_endpoint.disabled' AND target_id = ?",
    )
    .bind(endpointId)
    .all<{ actor_kind: string; details: string }>();
  return rows.results.map((row) => ({ actorKind: row.actor_kind, details: JSON.parse(row.details) as unknown }));
}

const ids = (records: ReceivedRequest[]) => records.map((record) => record.headers["webhook-id"]);
const minuteSeconds = 60;
const daySeconds = 24 * 3600;

describe("webhook delivery", () => {
  it("sends each event signed per Standard Webhooks: the event id as webhook-id, the real time, the event JSON, no secret", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const tenant = await createTestTenant(clock, "Acme Signed");
    const inbox = newInbox("signed");
    const { endpoint, secret } = await addEndpoint(clock, `/ok/${inbox}`);
    const invited = await inviteTestUser(
      clock,
      { role: "OPERATOR", memberships: [{ tenantId: tenant.id, role: "OPERATOR_FULL", expiresAt: null }] },
      superAdmin(clock),
    );

    const result = await deliver(clock);

    const expected = await eventIdsFor(endpoint);
    expect(result).toMatchObject({ delivered: expected.length, retried: 0, failed: 0 });
    const records = await waitForInbox(inbox, expected.length);
    expect(ids(records)).toEqual(expected);
    const tokenHash = await rawDb
      .prepare("SELECT setup_token_hash FROM users WHERE id = ?")
      .bind(invited.user.id)
      .first<{ setup_token_hash: string }>();
    for (const record of records) {
      const event = verifyWithStandardWebhooks(secret, record) as DeliveredEvent;
      expect(record.method).toBe("POST");
      expect(record.headers["content-type"]).toBe("application/json");
      expect(event.id).toBe(record.headers["webhook-id"]);
      expect(Math.abs(Number(record.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
      expect(event.timestamp).toBe(clock.now().toISOString());
      for (const forbidden of [secret, secret.slice("whsec_".length), atob(secret.slice(6)), "gthw_", "whsec_"]) {
        expect(record.body).not.toContain(forbidden);
      }
      expect(record.body).not.toContain(invited.token);
      expect(tokenHash?.setup_token_hash).toBeTruthy();
      expect(record.body).not.toContain(tokenHash?.setup_token_hash);
    }
    const events = records.map((record) => JSON.parse(record.body) as DeliveredEvent);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["webhook_endpoint.created", "user.invited", "membership.granted"]),
    );
    const grant = events.find((event) => event.type === "membership.granted");
    expect(grant?.data).toMatchObject({
      actor: { kind: "user", id: "usr_super_admin_actor", name: "Test SUPER_ADMIN" },
      target: { type: "membership" },
      tenant: { id: tenant.id, name: "Acme Signed", slug: tenant.slug },
    });
    const invite = events.find((event) => event.type === "user.invited");
    expect(invite?.data.target).toMatchObject({ type: "user", id: invited.user.id });
  });

  it("retries a failing endpoint only when the clock reaches +5 min and then +30 min, with the same webhook-id", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const start = clock.now().getTime();
    const inbox = newInbox("retry");
    const { endpoint, secret } = await addEndpoint(clock, `/fail-first/2/${inbox}`, { eventTypes: ["tenant.created"] });
    await createTestTenant(clock, "Retried");

    expect(await deliver(clock)).toMatchObject({ attempted: 1, retried: 1 });
    clock.advanceSeconds(5 * minuteSeconds - 1);
    expect(await deliver(clock)).toMatchObject({ attempted: 0 });
    clock.advanceSeconds(1);
    expect(await deliver(clock)).toMatchObject({ attempted: 1, retried: 1 });
    clock.advanceSeconds(30 * minuteSeconds - 1);
    expect(await deliver(clock)).toMatchObject({ attempted: 0 });
    clock.advanceSeconds(1);
    expect(await deliver(clock)).toMatchObject({ attempted: 1, delivered: 1 });

    const records = await readInbox(inbox);
    expect(records).toHaveLength(3);
    expect(new Set(ids(records))).toEqual(new Set(await eventIdsFor(endpoint)));
    expect(verifyWithStandardWebhooks(secret, records[2] as ReceivedRequest)).toMatchObject({ type: "tenant.created" });
    expect(await readDeliveries(endpoint.id)).toMatchObject([{ status: "delivered", attempts: 3 }]);
    expect(await readAttempts(endpoint.id)).toEqual([
      { at: start, status_code: 500 },
      { at: start + 300_000, status_code: 500 },
      { at: start + 2_100_000, status_code: 204 },
    ]);
    expect(await readEndpoint(endpoint.id)).toMatchObject({
      status: "enabled",
      failing_since: null,
      last_success_at: clock.now().getTime(),
    });
  });

  it("sends a resent delivery again with the same webhook-id, on a fresh schedule", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const inbox = newInbox("resend");
    const { endpoint, secret } = await addEndpoint(clock, `/ok/${inbox}`, { eventTypes: ["tenant.created"] });
    await createTestTenant(clock, "Resent");
    await deliver(clock);
    const [delivery] = await readDeliveries(endpoint.id);

    clock.advanceSeconds(3600);
    await resendWebhookDelivery(asSuperAdmin(clock), endpoint.id, delivery?.id as string);
    expect(await deliver(clock)).toMatchObject({ attempted: 1, delivered: 1 });

    const records = await waitForInbox(inbox, 2);
    expect(ids(records)).toEqual([`evt_${delivery?.event_id}`, `evt_${delivery?.event_id}`]);
    expect(verifyWithStandardWebhooks(secret, records[1] as ReceivedRequest)).toMatchObject({ type: "tenant.created" });
    expect(await readDeliveries(endpoint.id)).toMatchObject([{ status: "delivered", attempts: 1 }]);
  });

  it("does not follow a redirect: the 302 is a failed attempt, retried later, and nothing reaches its target", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const inbox = newInbox("redirect");
    const { endpoint } = await addEndpoint(clock, `/redirect/${inbox}`, { eventTypes: ["tenant.created"] });
    await createTestTenant(clock, "Redirected");

    expect(await deliver(clock)).toMatchObject({ attempted: 1, retried: 1 });

    expect(await readInbox(inbox)).toHaveLength(1);
    expect(await readInbox(`${inbox}-redirected`)).toEqual([]);
    const row = await rawDb
      .prepare("SELECT status, last_status_code, last_error FROM webhook_deliveries WHERE endpoint_id = ?")
      .bind(endpoint.id)
      .first();
    expect(row).toEqual({
      status: "pending",
      last_status_code: 302,
      last_error: "Redirects are not followed: give the final URL.",
    });
  });

  it("sends a paused endpoint nothing, and after it resumes only what happened since", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const inbox = newInbox("paused");
    const { endpoint } = await addEndpoint(clock, `/ok/${inbox}`, { eventTypes: ["tenant.created"] });
    await pauseWebhookEndpoint(asSuperAdmin(clock), endpoint.id);
    await createTestTenant(clock, "While paused");
    expect(await deliver(clock)).toMatchObject({ attempted: 0 });

    await resumeWebhookEndpoint(asSuperAdmin(clock), endpoint.id);
    const resumed = await createTestTenant(clock, "After resume");
    await deliver(clock);

    const records = await waitForInbox(inbox, 1);
    expect(records.map((record) => (JSON.parse(record.body) as DeliveredEvent).data.tenant?.id)).toEqual([resumed.id]);
  });

  it("gives a delivery up after the 7th attempt, at 5m, 30m, 2h, 5h, 10h and 10h, recording every attempt", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const start = clock.now().getTime();
    const inbox = newInbox("schedule");
    const { endpoint } = await addEndpoint(clock, `/status/500/${inbox}`, { eventTypes: ["tenant.created"] });
    await createTestTenant(clock, "Never delivered");

    expect(await deliver(clock)).toMatchObject({ attempted: 1, retried: 1 });
    const expectedTimes = [start];
    for (const [index, delay] of retryDelaysSeconds.entries()) {
      clock.advanceSeconds(delay - 1);
      expect(await deliver(clock)).toMatchObject({ attempted: 0 });
      clock.advanceSeconds(1);
      expectedTimes.push(clock.now().getTime());
      const last = index === retryDelaysSeconds.length - 1;
      expect(await deliver(clock)).toMatchObject({ attempted: 1, retried: last ? 0 : 1, failed: last ? 1 : 0 });
    }
    clock.advanceSeconds(2 * daySeconds);
    expect(await deliver(clock)).toMatchObject({ attempted: 0 });

    expect(retryDelaysSeconds).toEqual([300, 1800, 7200, 18000, 36000, 36000]);
    expect(await readInbox(inbox)).toHaveLength(7);
    expect(new Set(ids(await readInbox(inbox))).size).toBe(1);
    expect(await readDeliveries(endpoint.id)).toMatchObject([{ status: "failed", attempts: 7 }]);
    expect(await readAttempts(endpoint.id)).toEqual(expectedTimes.map((at) => ({ at, status_code: 500 })));
    // 27.6 hours of failing: not yet the 5 days that disable an endpoint.
    expect(await readEndpoint(endpoint.id)).toMatchObject({ status: "enabled", failing_since: start });
  });

  it("disables an endpoint that answers 410 at once, audits it, emails every active Super admin and sends it nothing more", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const inbox = newInbox("gone");
    const { endpoint } = await addEndpoint(clock, `/status/410/${inbox}`, { eventTypes: ["tenant.created"] });
    await createTestTenant(clock, "Gone");

    expect(await deliver(clock)).toMatchObject({ attempted: 1, failed: 1, disabledEndpoints: 1 });

    expect(await readEndpoint(endpoint.id)).toMatchObject({ status: "disabled", disabled_reason: "gone" });
    expect(await readDeliveries(endpoint.id)).toMatchObject([{ status: "failed", attempts: 1 }]);
    expect(await readDisabledAudit(endpoint.id)).toEqual([{ actorKind: "system", details: { reason: "gone" } }]);
    const admins = await activeSuperAdminEmails();
    expect(admins.length).toBeGreaterThan(0);
    expect(await readDisabledEmails(endpoint.id)).toEqual(admins);

    await createTestTenant(clock, "After gone");
    clock.advanceSeconds(daySeconds);
    expect(await deliver(clock)).toMatchObject({ attempted: 0 });
    expect(await readInbox(inbox)).toHaveLength(1);
    expect(await readDeliveries(endpoint.id)).toHaveLength(1);
    expect(await readDisabledEmails(endpoint.id)).toEqual(admins);
  });

  it("disables an endpoint failing for 5 days, while a success in between starts the 5 days again", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const start = clock.now().getTime();
    await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const failing = newInbox("failing");
    const recovering = newInbox("recovering");
    const { endpoint: alwaysFailing } = await addEndpoint(clock, `/status/500/${failing}`, {
      eventTypes: ["tenant.created"],
    });
    const { endpoint: recovered } = await addEndpoint(clock, `/fail-first/1/${recovering}`, {
      eventTypes: ["tenant.created"],
    });
    await createTestTenant(clock, "Day 0");
    await deliver(clock);
    clock.advanceSeconds(5 * minuteSeconds);
    await deliver(clock);
    expect(await readEndpoint(alwaysFailing.id)).toMatchObject({ status: "enabled", failing_since: start });
    expect(await readEndpoint(recovered.id)).toMatchObject({ status: "enabled", failing_since: null });
    // From now on the recovered endpoint fails too.
    await updateWebhookEndpoint(asSuperAdmin(clock), recovered.id, {
      url: receiverUrl(`/status/500/${recovering}`),
      description: "Test receiver",
      eventTypes: ["tenant.created"],
      tenantId: null,
    });

    clock.set(new Date(start + 5 * daySeconds * 1000));
    const fifthDay = clock.now().getTime();
    await createTestTenant(clock, "Day 5");
    expect(await deliver(clock)).toMatchObject({ disabledEndpoints: 1 });

    expect(await readEndpoint(alwaysFailing.id)).toMatchObject({ status: "disabled", disabled_reason: "failing" });
    expect(await readDisabledAudit(alwaysFailing.id)).toEqual([
      { actorKind: "system", details: { reason: "failing" } },
    ]);
    expect(await readDisabledEmails(alwaysFailing.id)).toEqual(await activeSuperAdminEmails());
    expect(await readEndpoint(recovered.id)).toMatchObject({ status: "enabled", failing_since: fifthDay });
    expect(await readDisabledEmails(recovered.id)).toEqual([]);

    clock.set(new Date(fifthDay + 5 * daySeconds * 1000));
    await createTestTenant(clock, "Day 10");
    expect(await deliver(clock)).toMatchObject({ disabledEndpoints: 1 });
    expect(await readEndpoint(recovered.id)).toMatchObject({ status: "disabled", disabled_reason: "failing" });
  });

  it("signs with the old and the new secret for 24 hours after a rotation, then with the new one only", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const inbox = newInbox("rotation");
    const { endpoint, secret: oldSecret } = await addEndpoint(clock, `/ok/${inbox}`, {
      eventTypes: ["tenant.created"],
    });
    const { secret: newSecret } = await rotateWebhookSecret(asSuperAdmin(clock), endpoint.id);
    expect(newSecret).not.toBe(oldSecret);

    await createTestTenant(clock, "During overlap");
    await deliver(clock);
    clock.advanceSeconds(daySeconds + 1);
    await createTestTenant(clock, "After overlap");
    await deliver(clock);

    const [during, after] = (await waitForInbox(inbox, 2)) as [ReceivedRequest, ReceivedRequest];
    expect(during.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(during.headers["webhook-signature"]).toMatch(/^v1,\S+ v1,\S+$/);
    expect(verifyWithStandardWebhooks(oldSecret, during)).toMatchObject({ type: "tenant.created" });
    expect(verifyWithStandardWebhooks(newSecret, during)).toMatchObject({ type: "tenant.created" });
    expect(after.headers["webhook-signature"]).toMatch(/^v1,\S+$/);
    expect(verifyWithStandardWebhooks(newSecret, after)).toMatchObject({ type: "tenant.created" });
    expect(() => verifyWithStandardWebhooks(oldSecret, after)).toThrow(WebhookVerificationError);
  });

  it("sends a tenant-filtered endpoint its tenant's events only, of three tenants, and an unfiltered one all of them", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const [tenantA, tenantB, tenantC] = [
      await createTestTenant(clock, "Tenant A"),
      await createTestTenant(clock, "Tenant B"),
      await createTestTenant(clock, "Tenant C"),
    ];
    const onlyB = newInbox("only-b");
    const everything = newInbox("all");
    const { endpoint: filtered, secret } = await addEndpoint(clock, `/ok/${onlyB}`, { tenantId: tenantB.id });
    const { endpoint: unfiltered } = await addEndpoint(clock, `/ok/${everything}`);
    for (const tenant of [tenantA, tenantB, tenantC]) {
      // Instance-wide events (user.invited) and the tenant's own (membership.granted).
      const { user } = await inviteTestUser(clock, { role: "OPERATOR" });
      await grantTestMembership(clock, { userId: user.id, tenantId: tenant.id, role: "OPERATOR_READONLY" });
    }

    await deliver(clock);

    const expectedForB = await eventIdsFor(filtered);
    const expectedForAll = await eventIdsFor(unfiltered);
    const received = await waitForInbox(onlyB, expectedForB.length);
    expect(ids(received)).toEqual(expectedForB);
    expect(expectedForB.length).toBeGreaterThanOrEqual(2);
    for (const record of received) {
      const event = verifyWithStandardWebhooks(secret, record) as DeliveredEvent;
      expect(event.data.tenant?.id).toBe(tenantB.id);
    }
    const all = (await waitForInbox(everything, expectedForAll.length)).map(
      (record) => JSON.parse(record.body) as DeliveredEvent,
    );
    expect(all.map((event) => event.id)).toEqual(expectedForAll);
    const tenantsSeen = new Set(all.map((event) => event.data.tenant?.id ?? null));
    expect(tenantsSeen).toEqual(new Set([tenantA.id, tenantB.id, tenantC.id, null]));
    expect(await readInbox(onlyB)).toHaveLength(expectedForB.length);
  });

  it("never sends a queued delivery of one tenant after its endpoint was moved to another: it is dropped, unsent", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const [tenantA, tenantB] = [await createTestTenant(clock, "Tenant A"), await createTestTenant(clock, "Tenant B")];
    const inbox = newInbox("moved");
    const { endpoint } = await addEndpoint(clock, `/status/500/${inbox}`, { tenantId: tenantA.id });
    const { user } = await inviteTestUser(clock, { role: "OPERATOR" });
    await grantTestMembership(clock, { userId: user.id, tenantId: tenantA.id, role: "OPERATOR_READONLY" });
    await deliver(clock);
    const firstTries = (await waitForInbox(inbox, 1)).length;
    expect((await readDeliveries(endpoint.id)).map((row) => row.status)).toContain("pending");

    // The receiver is moved to tenant B while tenant A's delivery waits for its retry.
    await updateWebhookEndpoint(asSuperAdmin(clock), endpoint.id, {
      url: receiverUrl(`/ok/${inbox}`),
      description: "Now tenant B's",
      eventTypes: [],
      tenantId: tenantB.id,
    });
    clock.advanceSeconds(5 * minuteSeconds);
    await deliver(clock);

    // What arrives now is tenant B's (the edit's own event); tenant A's waiting deliveries are dropped.
    const afterMove = (await readInbox(inbox))
      .slice(firstTries)
      .map((record) => JSON.parse(record.body) as DeliveredEvent);
    expect(afterMove.map((event) => event.data.tenant?.id)).toEqual(afterMove.map(() => tenantB.id));
    const aEventIds = (
      await rawDb.prepare("SELECT id FROM audit_events WHERE tenant_id = ?").bind(tenantA.id).all<{ id: number }>()
    ).results.map((row) => row.id);
    const deliveries = await readDeliveries(endpoint.id);
    const ofTenantA = deliveries.filter((row) => aEventIds.includes(row.event_id));
    expect(ofTenantA.length).toBeGreaterThan(0);
    expect(ofTenantA.every((row) => row.status === "failed")).toBe(true);
  });

  it("sends one request at a time to a slow endpoint, which holds neither a fast endpoint nor the run past its deadline", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const slow = newInbox("slow");
    const fast = newInbox("fast");
    const { endpoint: slowEndpoint } = await addEndpoint(clock, `/slow/2000/${slow}`, {
      eventTypes: ["tenant.created"],
    });
    const { endpoint: fastEndpoint } = await addEndpoint(clock, `/ok/${fast}`, { eventTypes: ["tenant.created"] });
    for (const name of ["One", "Two", "Three"]) await createTestTenant(clock, name);

    const started = Date.now();
    const run = realRun(13);
    const first = deliver(clock, run);
    await waitForInbox(slow, 1);
    // A second run while the slow endpoint's request is in flight: it claims nothing of that endpoint.
    const second = await deliver(clock, realRun(13));
    const firstResult = await first;
    const elapsedMs = Date.now() - started;

    expect(elapsedMs).toBeLessThan(run.deadline.getTime() - started);
    expect(await readInbox(fast)).toHaveLength(3);
    expect((await readDeliveries(fastEndpoint.id)).map((delivery) => delivery.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
    ]);
    expect(await readInbox(slow)).toHaveLength(1);
    expect(firstResult.delivered + second.delivered).toBe(4);

    await deliver(clock, realRun(13));
    const slowRecords = await readInbox(slow);
    expect(slowRecords).toHaveLength(2);
    const [firstArrival, secondArrival] = slowRecords.map((record) => record.receivedAt) as [number, number];
    expect(secondArrival - firstArrival).toBeGreaterThanOrEqual(2000);
    expect((await readDeliveries(slowEndpoint.id)).map((delivery) => delivery.status).sort()).toEqual([
      "delivered",
      "delivered",
      "pending",
    ]);
  });

  it("queues and delivers every event exactly once when two runs dispatch and deliver at the same time", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const inboxes = [newInbox("race-a"), newInbox("race-b")];
    const endpoints = [
      (await addEndpoint(clock, `/ok/${inboxes[0]}`)).endpoint,
      (await addEndpoint(clock, `/ok/${inboxes[1]}`)).endpoint,
    ];
    for (const name of ["Race 1", "Race 2", "Race 3", "Race 4", "Race 5"]) await createTestTenant(clock, name);

    await Promise.all([deliver(clock), deliver(clock)]);

    for (const [index, endpoint] of endpoints.entries()) {
      const expected = await eventIdsFor(endpoint);
      const deliveries = await readDeliveries(endpoint.id);
      expect(deliveries.map((delivery) => `evt_${delivery.event_id}`)).toEqual(expected);
      expect(deliveries.every((delivery) => delivery.status === "delivered" && delivery.attempts === 1)).toBe(true);
      const received = ids(await readInbox(inboxes[index] as string));
      expect([...received].sort()).toEqual([...expected].sort());
      expect(await readAttempts(endpoint.id)).toHaveLength(expected.length);
    }
  });

  it("delivers on the cron run, recorded as job webhook_delivery", async () => {
    const clock = new TestClock("2026-11-23T12:00:00Z");
    const inbox = newInbox("cron");
    const { endpoint } = await addEndpoint(clock, `/ok/${inbox}`, { eventTypes: ["tenant.created"] });
    await createTestTenant(clock, "Cron");
    const ctx = testContext(clock);

    const result = await runJobs(ctx, createEmailProvider(ctx.config, env, { log: () => undefined }));

    expect(result.webhook_delivery).toMatchObject({ events: expect.any(Number), delivered: 1 });
    expect(ids(await waitForInbox(inbox, 1))).toEqual(await eventIdsFor(endpoint));
    const run = await rawDb
      .prepare("SELECT last_finished_at, last_error FROM job_runs WHERE job = 'webhook_delivery'")
      .first<{ last_finished_at: number; last_error: string | null }>();
    expect(run).toEqual({ last_finished_at: clock.now().getTime(), last_error: null });
  });
});
