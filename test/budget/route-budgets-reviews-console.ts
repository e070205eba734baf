// Budget rows of Admin → Access reviews (docs/ACCESS-REVIEWS.md). The review pages are measured
// against one review of 10,000 items (seeded once, as plain rows: review-seed.ts), so their counts
// hold at the size the issue names: progress is three GROUP BYs on covering indexes in one batch, the
// items a keyset page of 50, "Your reviews" one aggregate per open review. The evidence streams the
// items in pages of 500 (streamsPages): measured on a small closed review, since a page of 500 rows is
// past the 101 rows a statement may return here; test/pages/review-evidence.test.ts streams 10,000.
import type { SeededRun } from "../helpers/review-seed";
import { closeSeededRuns, seedReviewItemFor, seedReviewItems, seedReviewRun } from "../helpers/review-seed";
import { createMember, readingWholeBody, signedInWith } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

const largeRunItems = 10_000;
let largeRun: Promise<SeededRun> | null = null;

/** The review of 10,000 pending items of the first tenant, all for the Super admins. */
function reviewOf10000Items(fixture: BudgetFixture): Promise<SeededRun> {
  largeRun ??= (async () => {
    const run = await seedReviewRun(fixture.clock, "Budget review (10,000 items)");
    await seedReviewItems(fixture.clock, run, { tenantId: fixture.tenantIds[0], count: largeRunItems });
    return run;
  })();
  return largeRun;
}

/** A signed-in Super admin and a campaign of their own. */
async function campaignFixture(fixture: BudgetFixture) {
  const signedIn = await signedInWith(fixture);
  const run = await seedReviewRun(fixture.clock, "Budget campaign");
  return { ...signedIn, ...run };
}

/** A Super admin, the large review, and one item of a real membership in it for them to decide. */
async function decidableItem(fixture: BudgetFixture) {
  const signedIn = await signedInWith(fixture);
  const run = await reviewOf10000Items(fixture);
  const { user, membership } = await createMember(fixture, fixture.tenantIds[1], "CLIENT_VIEWER");
  const itemId = await seedReviewItemFor(run, { ...membership, userId: user.id });
  return { ...signedIn, run, itemId };
}

const campaignForm = (name: string): Array<[string, string]> => [
  ["name", name],
  ["tenantScope", "all"],
  ["membershipKinds", "both"],
  ["cadence", "half_yearly"],
  ["startsAt", ""],
  ["durationDays", "14"],
  ["clientSayOnStaff", "advisory"],
  ["justificationRequired", "yes"],
  ["deadlineAction", "revoke"],
  ["inactiveAfterDays", "30"],
];

const streamed =
  "a streamed export: the caller, the run and its checkpoint, the export's event, the run's events with proofs (2), then one query a page of 500 items";

/** A closed review of three decided items, its evidence read whole. */
function evidenceOfSmallRun(extension: "csv" | "json") {
  return async (fixture: BudgetFixture) => {
    const { agent } = await signedInWith(fixture);
    const run = await seedReviewRun(fixture.clock, "Closed budget review");
    await seedReviewItems(fixture.clock, run, { tenantId: fixture.tenantIds[0], count: 3, status: "kept" });
    await closeSeededRuns(fixture.clock);
    // The first export seals the checkpoint covering the closing; the measured one finds it.
    await (await agent.get(`/admin/reviews/runs/${run.runId}/evidence.${extension}`)).arrayBuffer();
    return readingWholeBody(() => agent.get(`/admin/reviews/runs/${run.runId}/evidence.${extension}`));
  };
}

export const reviewsConsoleBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/admin/reviews",
    scenario: "Super admin: your reviews (an open review of 10,000 items for you) and the campaigns, one batch",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      await reviewOf10000Items(fixture);
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/reviews");
    },
  },
  {
    method: "GET",
    path: "/admin/reviews",
    scenario: "Operator: your reviews only",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      await reviewOf10000Items(fixture);
      const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
      return () => agent.get("/admin/reviews");
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/new",
    scenario: "the form with every tenant to choose from",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: "the form offers every tenant to choose (listTenantChoices)",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/reviews/new");
    },
  },
  {
    method: "POST",
    path: "/admin/reviews",
    scenario: "create a half-yearly campaign over every tenant",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.post("/admin/reviews", campaignForm("Budget PCI review"));
    },
  },
  {
    method: "POST",
    path: "/admin/reviews",
    scenario: "refused: no name (the form again with every tenant)",
    maxQueries: 2,
    expectStatus: 400,
    readsWholeTable: "the form is shown again with every tenant (listTenantChoices)",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.post("/admin/reviews", campaignForm(""));
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/:campaignId",
    scenario: "a campaign with its tenants and runs (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent, campaignId } = await campaignFixture(fixture);
      return () => agent.get(`/admin/reviews/${campaignId}`);
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/:campaignId/edit",
    scenario: "the edit form: the campaign, then every tenant",
    maxQueries: 3,
    expectStatus: 200,
    readsWholeTable: "the form offers every tenant to choose (listTenantChoices)",
    prepare: async (fixture) => {
      const { agent, campaignId } = await campaignFixture(fixture);
      return () => agent.get(`/admin/reviews/${campaignId}/edit`);
    },
  },
  {
    method: "POST",
    path: "/admin/reviews/:campaignId/edit",
    scenario: "change the duration and the client's say",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, campaignId } = await campaignFixture(fixture);
      return () => agent.post(`/admin/reviews/${campaignId}/edit`, campaignForm("Budget campaign, renamed"));
    },
  },
  {
    method: "POST",
    path: "/admin/reviews/:campaignId/edit",
    scenario: "refused: 0 days (the form again with every tenant)",
    maxQueries: 2,
    expectStatus: 400,
    readsWholeTable: "the form is shown again with every tenant (listTenantChoices)",
    prepare: async (fixture) => {
      const { agent, campaignId } = await campaignFixture(fixture);
      const form = campaignForm("Budget campaign").map(([key, value]): [string, string] =>
        key === "durationDays" ? [key, "0"] : [key, value],
      );
      return () => agent.post(`/admin/reviews/${campaignId}/edit`, form);
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/:campaignId/stop",
    scenario: "the confirmation page",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent, campaignId } = await campaignFixture(fixture);
      return () => agent.get(`/admin/reviews/${campaignId}/stop`);
    },
  },
  {
    method: "POST",
    path: "/admin/reviews/:campaignId/stop",
    scenario: "stop the schedule",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, campaignId } = await campaignFixture(fixture);
      return () => agent.post(`/admin/reviews/${campaignId}/stop`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/reviews/:campaignId/start",
    scenario: "Start now: one review opened with an item per membership in scope (one INSERT … SELECT)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const created = await agent.post("/admin/reviews", campaignForm("Budget start now"));
      const campaignPath = created.headers.get("location") ?? "/admin/reviews/missing";
      return () => agent.post(`${campaignPath}/start`, {});
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/runs/:runId",
    scenario:
      "Super admin: a review of 10,000 items, its progress per tenant and reviewer (one batch) and a page of 50",
    maxQueries: 3,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const run = await reviewOf10000Items(fixture);
      const { agent } = await signedInWith(fixture);
      return () => agent.get(`/admin/reviews/runs/${run.runId}`);
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/runs/:runId",
    scenario: "Super admin, mine: the first 50 of 10,000 items to decide, with the bulk form",
    maxQueries: 3,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const run = await reviewOf10000Items(fixture);
      const { agent } = await signedInWith(fixture);
      return () => agent.get(`/admin/reviews/runs/${run.runId}?mine=1`);
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/runs/:runId",
    scenario: "Operator with no item in a review of 10,000: 404, nothing of the review shown",
    // The caller, the run, their page of items (empty), then whether they have any item at all.
    maxQueries: 4,
    expectStatus: 404,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const run = await reviewOf10000Items(fixture);
      const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
      return () => agent.get(`/admin/reviews/runs/${run.runId}`);
    },
  },
  {
    method: "POST",
    path: "/admin/reviews/runs/:runId/items/:itemId/decision",
    scenario: "keep one item of the 10,000-item review, with a justification",
    maxQueries: 4,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, run, itemId } = await decidableItem(fixture);
      return () =>
        agent.post(`/admin/reviews/runs/${run.runId}/items/${itemId}/decision`, {
          decision: "keep",
          justification: "Still the client's contact.",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/reviews/runs/:runId/decisions",
    scenario: "revoke the ticked items (bulk)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, run, itemId } = await decidableItem(fixture);
      return () =>
        agent.post(`/admin/reviews/runs/${run.runId}/decisions`, [
          ["itemIds", itemId],
          ["decision", "revoke"],
          ["justification", "Left the company."],
        ]);
    },
  },
  {
    method: "GET",
    path: "/admin/reviews/runs/:runId/evidence.csv",
    scenario: "a closed review of 3 items (the whole streamed body read and counted)",
    maxQueries: 6,
    expectStatus: 200,
    streamsPages: streamed,
    prepare: evidenceOfSmallRun("csv"),
  },
  {
    method: "GET",
    path: "/admin/reviews/runs/:runId/evidence.json",
    scenario: "a closed review of 3 items (the whole streamed body read and counted)",
    maxQueries: 6,
    expectStatus: 200,
    streamsPages: streamed,
    prepare: evidenceOfSmallRun("json"),
  },
];
