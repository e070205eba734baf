// Budget rows of the access reviews' API and the portal's review page (docs/API.md "Access reviews").
// The reviewer lists and a run's progress are measured against a run of 10,000 items (seeded once,
// test/helpers/review-seed.ts), so a page reads its page (limit + 1 rows) and the progress its
// GROUP BYs however large the review. Decisions act on items of real memberships, opened by the
// real "Start now". See route-budgets.ts for the rules.
import type { Agent } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { signInAs } from "../helpers/factories";
import { seedReviewItems, seedReviewRun } from "../helpers/review-seed";
import { apiCaller, createMember } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

const largeRunItems = 10_000;
let largeRun: Promise<{ runId: string; campaignId: string; tenantId: string; firstItemId: string }> | null = null;

/** One run of 10,000 pending client items of the first fixture tenant, for the client admins; made once. */
function seededLargeRun(fixture: BudgetFixture) {
  largeRun ??= (async () => {
    const run = await seedReviewRun(fixture.clock, "Budget review");
    const tenantId = fixture.tenantIds[0];
    const prefix = await seedReviewItems(fixture.clock, run, {
      tenantId,
      count: largeRunItems,
      reviewerKey: "client_admins",
    });
    return { ...run, tenantId, firstItemId: `${prefix}_00000` };
  })();
  return largeRun;
}

/** A client admin of the large run's tenant, with an API client and a signed-in browser agent. */
async function clientAdminOfLargeRun(fixture: BudgetFixture) {
  const run = await seededLargeRun(fixture);
  const { user } = await createMember(fixture, run.tenantId, "CLIENT_ADMIN");
  const agent = await signInAs(fixture.app, fixture.clock, user);
  return { run, agent, api: new ApiClient(fixture.app, await createApiTokenFor(agent)) };
}

/**
 * A fresh company (a tenant of the fixture's), a client admin and a viewer in it, and a one-off
 * review of it opened by "Start now" (advisory on staff: the operator's item takes advice).
 */
async function openedReview(fixture: BudgetFixture) {
  const sa = await apiCaller(fixture);
  const tenantId = fixture.tenantIds[1];
  const admin = await createMember(fixture, tenantId, "CLIENT_ADMIN");
  await createMember(fixture, tenantId, "CLIENT_VIEWER");
  await createMember(fixture, tenantId, "OPERATOR_FULL");
  const { campaign } = await sa.api.expectJson<{ campaign: { id: string } }>(
    "POST",
    "/api/v1/access-reviews",
    { name: "Budget one-off", allTenants: false, tenantIds: [tenantId], cadence: "once", clientSayOnStaff: "advisory" },
    201,
  );
  const { run } = await sa.api.expectJson<{ run: { id: string } }>(
    "POST",
    `/api/v1/access-reviews/${campaign.id}/start`,
    undefined,
    201,
  );
  const agent = await signInAs(fixture.app, fixture.clock, admin.user);
  const adminApi = new ApiClient(fixture.app, await createApiTokenFor(agent));
  const { items } = await adminApi.expectJson<{
    items: Array<{ id: string; membershipKind: string; clientMayAdvise: boolean }>;
  }>("GET", `/api/v1/access-review-items?runId=${run.id}&status=pending&limit=100`, undefined, 200);
  const decide = items.filter((item) => item.membershipKind === "client");
  const advise = items.find((item) => item.clientMayAdvise);
  if (decide.length === 0 || !advise)
    throw new Error(`the review holds no item to decide or advise on: ${JSON.stringify(items)}`);
  const slug = tenantId.replaceAll("_", "-");
  return { sa, campaignId: campaign.id, runId: run.id, agent, adminApi, decide, advise, slug };
}

function campaignRows(): RouteBudget[] {
  const createBody = { name: "Budget quarterly", allTenants: true, cadence: "quarterly" };
  async function campaign(fixture: BudgetFixture) {
    const { api } = await apiCaller(fixture);
    const { campaign } = await api.expectJson<{ campaign: { id: string } }>(
      "POST",
      "/api/v1/access-reviews",
      createBody,
      201,
    );
    return { api, id: campaign.id };
  }
  return [
    {
      method: "GET",
      path: "/api/v1/access-reviews",
      scenario: "a page of campaigns, newest first",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 20 },
      prepare: async (fixture) => {
        const { api } = await campaign(fixture);
        return () => api.call("GET", "/api/v1/access-reviews?limit=20");
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-reviews",
      scenario: "a new campaign of every tenant (one batch: the row and its audit event)",
      maxQueries: 2,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("POST", "/api/v1/access-reviews", createBody);
      },
    },
    {
      method: "GET",
      path: "/api/v1/access-reviews/:id",
      scenario: "a campaign with its tenants and runs (one batch)",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api, id } = await campaign(fixture);
        return () => api.call("GET", `/api/v1/access-reviews/${id}`);
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/access-reviews/:id",
      scenario: "a new duration (the campaign read in one batch, written with its audit event in one)",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api, id } = await campaign(fixture);
        return () => api.call("PATCH", `/api/v1/access-reviews/${id}`, { durationDays: 30 });
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-reviews/:id/stop",
      scenario: "the schedule stopped",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api, id } = await campaign(fixture);
        return () => api.call("POST", `/api/v1/access-reviews/${id}/stop`);
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-reviews/:id/start",
      scenario: "Start now: a review of one company opened with its items",
      maxQueries: 4,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { campaign } = await api.expectJson<{ campaign: { id: string } }>(
          "POST",
          "/api/v1/access-reviews",
          { name: "Budget start", allTenants: false, tenantIds: [fixture.tenantIds[1]], cadence: "once" },
          201,
        );
        return () => api.call("POST", `/api/v1/access-reviews/${campaign.id}/start`);
      },
    },
  ];
}

function itemRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/api/v1/access-review-runs/:runId",
      scenario: "the progress of a run of 10,000 items (the run and two GROUP BYs in one batch)",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const run = await seededLargeRun(fixture);
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", `/api/v1/access-review-runs/${run.runId}`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/access-review-items",
      scenario: "a client admin's page of a run of 10,000 items to review",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api } = await clientAdminOfLargeRun(fixture);
        return () => api.call("GET", "/api/v1/access-review-items?limit=50");
      },
    },
    {
      method: "GET",
      path: "/api/v1/access-review-items",
      scenario: "a Super admin's page of every item of the run (scope=all)",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 100 },
      prepare: async (fixture) => {
        const run = await seededLargeRun(fixture);
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", `/api/v1/access-review-items?scope=all&runId=${run.runId}&limit=100`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/access-review-items/:id",
      scenario: "one item, read by a client admin of its company",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api, run } = await clientAdminOfLargeRun(fixture);
        return () => api.call("GET", `/api/v1/access-review-items/${run.firstItemId}`);
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-review-items/:id/decision",
      scenario: "a client admin revokes a viewer's access (the items and their memberships read, one batch)",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { adminApi, decide } = await openedReview(fixture);
        const item = decide[0];
        return () => adminApi.call("POST", `/api/v1/access-review-items/${item?.id}/decision`, { decision: "revoke" });
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-review-items/decisions",
      scenario: "a client admin keeps every client item of the review in bulk",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { adminApi, decide } = await openedReview(fixture);
        return () =>
          adminApi.call("POST", "/api/v1/access-review-items/decisions", {
            itemIds: decide.map((item) => item.id),
            decision: "keep",
            justification: "Still with the company.",
          });
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-review-items/:id/advice",
      scenario: "a client admin's advice on a staff item",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { adminApi, advise } = await openedReview(fixture);
        return () =>
          adminApi.call("POST", `/api/v1/access-review-items/${advise.id}/advice`, {
            advice: "keep",
            justification: "Our account manager.",
          });
      },
    },
  ];
}

function portalRows(): RouteBudget[] {
  const formPost = (agent: Agent, path: string, body: Array<[string, string]>) => () => agent.post(path, body);
  return [
    {
      method: "GET",
      path: "/portal/:slug/reviews",
      scenario: "a client admin's review page over a run of 10,000 items (both lists in one batch)",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { agent, run } = await clientAdminOfLargeRun(fixture);
        return () => agent.get(`/portal/${run.tenantId.replaceAll("_", "-")}/reviews`);
      },
    },
    {
      method: "POST",
      path: "/portal/:slug/reviews/items/:itemId/decision",
      scenario: "keep one item (read, one batch), then back to the page",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, decide, slug } = await openedReview(fixture);
        return formPost(agent, `/portal/${slug}/reviews/items/${decide[0]?.id}/decision`, [
          ["decision", "keep"],
          ["justification", "Needed for payroll."],
        ]);
      },
    },
    {
      method: "POST",
      path: "/portal/:slug/reviews/decisions",
      scenario: "revoke the ticked items in bulk",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, decide, slug } = await openedReview(fixture);
        return formPost(agent, `/portal/${slug}/reviews/decisions`, [
          ...decide.map((item): [string, string] => ["itemIds", item.id]),
          ["decision", "revoke"],
          ["justification", ""],
        ]);
      },
    },
    {
      method: "POST",
      path: "/portal/:slug/reviews/items/:itemId/advice",
      scenario: "advice on a staff item",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, advise, slug } = await openedReview(fixture);
        return formPost(agent, `/portal/${slug}/reviews/items/${advise.id}/advice`, [
          ["advice", "revoke"],
          ["justification", ""],
        ]);
      },
    },
  ];
}

export const reviewsApiBudgets: RouteBudget[] = [...campaignRows(), ...itemRows(), ...portalRows()];
