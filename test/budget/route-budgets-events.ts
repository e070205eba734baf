// Budget rows of GET /api/v1/events: the principal, then the page and the newest event id in one
// batch, whatever the log's length; a page reads at most limit + 1 rows.
//
// The budget app has no runInBackground, and a GET whose caller batch sees an enabled endpoint and
// undispatched events starts a delivery in the background: each row pauses every endpoint first.
import { env } from "cloudflare:test";
import { encodeCursor } from "../../src/domain/pagination";
import { apiCaller } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

async function eventsCaller(fixture: BudgetFixture) {
  await env.DB.prepare("UPDATE webhook_endpoints SET status = 'paused' WHERE status = 'enabled'").run();
  return (await apiCaller(fixture)).api;
}

export const eventsBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/api/v1/events",
    scenario: "the first page",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const api = await eventsCaller(fixture);
      return () => api.call("GET", "/api/v1/events");
    },
  },
  {
    method: "GET",
    path: "/api/v1/events",
    scenario: "after a cursor, two types of one tenant",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 20 },
    prepare: async (fixture) => {
      const api = await eventsCaller(fixture);
      const query = new URLSearchParams({
        after: encodeCursor({ time: 0, id: "3" }),
        types: "membership.granted,tenant.updated",
        tenantId: fixture.tenantIds[0],
        limit: "20",
      });
      return () => api.call("GET", `/api/v1/events?${query.toString()}`);
    },
  },
];
