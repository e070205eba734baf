// The work right after a change (http/event-delivery.ts, waitUntil in production): the audit log's
// sequencer appends the change's events (docs/AUDIT.md "Verifying the log"), and the first delivery
// attempt goes out (docs/EVENTS.md "Delivery"), so a deactivation through the API reaches a
// receiver without waiting for the cron.
import { describe, expect, it } from "vitest";
import { allPermissions } from "../../src/domain/access";
import type { EventPayload } from "../../src/domain/events/events";
import { createWebhookEndpoint, pauseWebhookEndpoint } from "../../src/domain/webhooks/webhook-endpoints";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { collectBackgroundWork } from "../helpers/background";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs, testContext, testPrincipal } from "../helpers/factories";
import { rawDb } from "../helpers/store";
import { newInbox, readInbox, receiverUrl, verifyWithStandardWebhooks } from "../helpers/webhook-receiver";

const clock = new TestClock("2026-11-25T09:00:00Z");

function asSuperAdmin() {
  return testContext(clock, { kind: "user", principal: testPrincipal(clock, "SUPER_ADMIN", [...allPermissions]) });
}

/** A Super admin's API client on an app whose background work this test collects. */
async function superAdminApi(runInBackground: (work: Promise<unknown>) => void) {
  const app = createTestApp(clock, { runInBackground });
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, admin)));
}

describe("webhook delivery after a change", () => {
  it("appends a write's audit events to the audit log's tree in the background, and delivers nothing while no endpoint is enabled", async () => {
    const background = collectBackgroundWork();
    const api = await superAdminApi(background.runInBackground);
    const user = await createActiveUser(clock, { role: "OPERATOR" });

    const response = await api.call("POST", `/api/v1/users/${user.id}/deactivate`);
    expect(response.status, await response.text()).toBe(200);
    await background.settleBackgroundWork();

    const deactivation = await rawDb
      .prepare(
        "SELECT e.id, l.leaf_index FROM audit_events e LEFT JOIN audit_leaves l ON l.event_id = e.id WHERE e.action = 'user.deactivated' AND e.target_id = ?",
      )
      .bind(user.id)
      .first<{ id: number; leaf_index: number | null }>();
    expect(deactivation?.leaf_index).not.toBeNull();
    const unsequenced = await rawDb
      .prepare("SELECT count(*) AS n FROM audit_events WHERE id NOT IN (SELECT event_id FROM audit_leaves)")
      .first<{ n: number }>();
    expect(unsequenced?.n).toBe(0);
    expect(await rawDb.prepare("SELECT count(*) AS n FROM webhook_deliveries").first()).toEqual({ n: 0 });
  });

  it("skips the sequencer, which the cron runs anyway, on an app that cannot run background work", async () => {
    const app = createTestApp(clock);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const api = new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, admin)));
    const user = await createActiveUser(clock, { role: "OPERATOR" });

    const response = await api.call("POST", `/api/v1/users/${user.id}/deactivate`);

    expect(response.status, await response.text()).toBe(200);
  });

  it("delivers a signed user.deactivated to the endpoint as the deactivation request's background work", async () => {
    const background = collectBackgroundWork();
    const api = await superAdminApi(background.runInBackground);
    const inbox = newInbox("after-change");
    const { endpoint, secret } = await createWebhookEndpoint(asSuperAdmin(), {
      url: receiverUrl(`/ok/${inbox}`),
      description: "Deactivations",
      eventTypes: ["user.deactivated"],
      tenantId: null,
    });
    const user = await createActiveUser(clock, { role: "OPERATOR" });

    const response = await api.call("POST", `/api/v1/users/${user.id}/deactivate`);
    expect(response.status, await response.text()).toBe(200);
    await background.settleBackgroundWork();

    const records = await readInbox(inbox);
    expect(records).toHaveLength(1);
    const event = verifyWithStandardWebhooks(secret, records[0] as (typeof records)[number]) as EventPayload;
    expect(event).toMatchObject({ type: "user.deactivated", data: { target: { type: "user", id: user.id } } });
    expect(records[0]?.headers["webhook-id"]).toBe(event.id);
    await pauseWebhookEndpoint(asSuperAdmin(), endpoint.id);
  });
});
