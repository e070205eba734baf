// Budget rows of Admin → Webhooks (SUPER_ADMIN only). An endpoint's page counts its deliveries
// with aggregates and shows at most 50 attempts, so its queries and rows do not move with history.
//
// The budget app has no runInBackground (test/helpers/query-log.ts), and a request whose caller
// batch sees an enabled endpoint starts a delivery in the background: so every row here starts by
// pausing every endpoint, endpoints are made paused, and no row leaves one enabled for rows after
// it except the one right before another of these rows.
import { env } from "cloudflare:test";
import { createWebhookEndpoint } from "../../src/domain/webhooks/webhook-endpoints";
import type { TestClock } from "../helpers/clock";
import { testContext } from "../helpers/factories";
import { receiverUrl } from "../helpers/webhook-receiver";
import { signedInWith } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

const attemptsMade = 60;

async function pauseEveryEndpoint() {
  await env.DB.prepare("UPDATE webhook_endpoints SET status = 'paused' WHERE status = 'enabled'").run();
}

/** A paused endpoint, optionally with one delivery that failed `attemptsMade` times. */
async function pausedEndpoint(clock: TestClock, options: { withAttempts?: boolean } = {}) {
  const { endpoint } = await createWebhookEndpoint(testContext(clock), {
    url: receiverUrl("/status/500/budget"),
    description: "Budget endpoint",
    eventTypes: [],
    tenantId: null,
  });
  await env.DB.prepare("UPDATE webhook_endpoints SET status = 'paused' WHERE id = ?").bind(endpoint.id).run();
  const deliveryId = `whd_budget_${crypto.randomUUID().replaceAll("-", "")}`;
  if (options.withAttempts) {
    const at = clock.now().getTime();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, created_at) VALUES (?, ?, 1, 'user.deactivated', 'pending', 1, ?, ?)",
      ).bind(deliveryId, endpoint.id, at + 300_000, at),
      ...Array.from({ length: attemptsMade }, () =>
        env.DB.prepare(
          "INSERT INTO webhook_attempts (delivery_id, endpoint_id, at, status_code, error, duration_ms) VALUES (?, ?, ?, 500, 'HTTP 500', 12)",
        ).bind(deliveryId, endpoint.id, at),
      ),
    ]);
  }
  return { endpoint, deliveryId };
}

/** A signed-in Super admin and a paused endpoint, nothing enabled. */
async function prepared(fixture: BudgetFixture, options: { withAttempts?: boolean } = {}) {
  await pauseEveryEndpoint();
  const { agent } = await signedInWith(fixture);
  return { agent, ...(await pausedEndpoint(fixture.clock, options)) };
}

const form = (url: string): Array<[string, string]> => [
  ["url", url],
  ["description", "Budget"],
  ["eventTypes", "user.deactivated"],
  ["tenantId", ""],
];

export const webhookBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/admin/webhooks",
    scenario: "every endpoint with its deliveries counted (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await prepared(fixture, { withAttempts: true });
      return () => agent.get("/admin/webhooks");
    },
  },
  {
    method: "GET",
    path: "/admin/webhooks/new",
    scenario: "the form with every tenant to filter by",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: "the form offers every tenant (at most 500)",
    prepare: async (fixture) => {
      const { agent } = await prepared(fixture);
      return () => agent.get("/admin/webhooks/new");
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks",
    scenario: "add an endpoint (it is left enabled: the next row pauses it)",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await prepared(fixture);
      return () => agent.post("/admin/webhooks", form(receiverUrl("/ok/budget")));
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks",
    scenario: "refused: a private address (the form again)",
    maxQueries: 2,
    expectStatus: 400,
    readsWholeTable: "the form offers every tenant (at most 500)",
    prepare: async (fixture) => {
      const { agent } = await prepared(fixture);
      return () => agent.post("/admin/webhooks", form("http://10.0.0.1/x"));
    },
  },
  {
    method: "GET",
    path: "/admin/webhooks/:id",
    scenario: "one endpoint with 60 attempts (50 shown) and its counts (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture, { withAttempts: true });
      return () => agent.get(`/admin/webhooks/${endpoint.id}`);
    },
  },
  {
    method: "GET",
    path: "/admin/webhooks/:id/edit",
    scenario: "the edit form: the endpoint and every tenant (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: "the form offers every tenant (at most 500)",
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.get(`/admin/webhooks/${endpoint.id}/edit`);
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/edit",
    scenario: "change the event types",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.post(`/admin/webhooks/${endpoint.id}/edit`, form(endpoint.url));
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/edit",
    scenario: "refused: a single-label host (the form again)",
    maxQueries: 3,
    expectStatus: 400,
    readsWholeTable: "the form offers every tenant (at most 500)",
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.post(`/admin/webhooks/${endpoint.id}/edit`, form("https://intranet/hooks"));
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/pause",
    scenario:
      "pause a paused endpoint: nothing to write (an enabled one would start background work the budget app cannot run)",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.post(`/admin/webhooks/${endpoint.id}/pause`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/resume",
    scenario: "resume (left enabled: the next row pauses it)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.post(`/admin/webhooks/${endpoint.id}/resume`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/rotate-secret",
    scenario: "replace the signing secret",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.post(`/admin/webhooks/${endpoint.id}/rotate-secret`, {});
    },
  },
  {
    method: "GET",
    path: "/admin/webhooks/:id/delete",
    scenario: "the confirmation page",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture);
      return () => agent.get(`/admin/webhooks/${endpoint.id}/delete`);
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/delete",
    scenario: "delete with 60 attempts (cascade)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, endpoint } = await prepared(fixture, { withAttempts: true });
      return () => agent.post(`/admin/webhooks/${endpoint.id}/delete`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/webhooks/:id/deliveries/:deliveryId/resend",
    scenario: "resend a failing delivery of a paused endpoint (leaves nothing enabled)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, endpoint, deliveryId } = await prepared(fixture, { withAttempts: true });
      return () => agent.post(`/admin/webhooks/${endpoint.id}/deliveries/${deliveryId}/resend`, {});
    },
  },
];
