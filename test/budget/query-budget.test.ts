// Query budgets, counted rather than timed (timings are noisy on shared machines): every route of
// the app issues at most 4 D1 queries whatever the data size, and list endpoints never read more
// than a page. Each row of route-budgets.ts is measured twice: with only the fixtures in the
// database, then after 300 users, 150 tenants and 900 memberships more; the count must not move.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSeedStatements } from "../../bench/lib/seed-sql";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, signInAs } from "../helpers/factories";
import { createCountingTestApp, type LoggedQuery, QueryLog } from "../helpers/query-log";
import { type BudgetFixture, queryBudget, type RouteBudget, routeBudgets } from "./route-budgets";

const clock = new TestClock();
const log = new QueryLog();
const app = createCountingTestApp(clock, log);
const grownShape = { userCount: 300, tenantCount: 150, membershipsPerUser: 3, largeTenantMembers: 60 };
// The largest page any list serves (limit max 100) plus the one row that tells whether there is a next page.
const maxRowsOutsideWholeTableReads = 101;

const fixture: BudgetFixture = {
  app,
  clock,
  tenantIds: ["tnt_budget_a", "tnt_budget_b"],
  signedIn: async (role = "SUPER_ADMIN") => {
    const user = await createActiveUser(clock, { role });
    return { agent: await signInAs(app, clock, user), user };
  },
};

const rowName = (row: RouteBudget) => `${row.method} ${row.path} (${row.scenario})`;
const measured = new Map<RouteBudget, LoggedQuery[]>();

async function measure(row: RouteBudget): Promise<LoggedQuery[]> {
  const send = await row.prepare(fixture);
  // Worst case: the session's once-a-minute last-seen write is due on the measured request.
  clock.advanceSeconds(61);
  log.reset();
  const response = await send();
  const queries = [...log.queries];
  const trace = `${rowName(row)} issued:\n${log.describe()}`;
  expect(response.status, await summarizeResponse(response)).toBe(row.expectStatus);
  expect(queries.length, trace).toBeLessThanOrEqual(
    row.streamsPages ? row.maxQueries : Math.min(row.maxQueries, queryBudget),
  );
  // A row that says why it reads a whole table excuses one statement, its largest; every other
  // statement still reads at most a page (a list page next to a picker of every tenant, say).
  const rowsPerStatement = queries.flatMap((query) => query.rows).sort((a, b) => b - a);
  const heldToPages = row.readsWholeTable ? rowsPerStatement.slice(1) : rowsPerStatement;
  if (row.list) expect(Math.max(0, ...heldToPages), trace).toBeLessThanOrEqual(row.list.limit + 1);
  expect(Math.max(0, ...heldToPages), trace).toBeLessThanOrEqual(maxRowsOutsideWholeTableReads);
  return queries;
}

beforeAll(async () => {
  const now = clock.now().getTime();
  await env.DB.batch(
    fixture.tenantIds.map((id) =>
      env.DB.prepare("INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").bind(
        id,
        id,
        id.replaceAll("_", "-"),
        now,
        now,
      ),
    ),
  );
});

it("has a budget row for every route of the app and none for a route that is gone", () => {
  const registered = new Set(
    app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`),
  );
  const budgeted = new Set(routeBudgets.map((row) => `${row.method} ${row.path}`));
  expect(
    [...registered].filter((route) => !budgeted.has(route)),
    "routes without a row in test/budget/route-budgets.ts",
  ).toEqual([]);
  expect(
    [...budgeted].filter((route) => !registered.has(route)),
    "rows in test/budget/route-budgets.ts for routes the app no longer has",
  ).toEqual([]);
});

describe("with only the fixtures in the database", () => {
  it.each(routeBudgets.map((row) => [rowName(row), row] as const))(
    "%s stays within its query budget",
    async (_name, row) => {
      measured.set(row, await measure(row));
    },
  );
});

describe("after 300 users, 150 tenants and 900 memberships more", () => {
  beforeAll(async () => {
    const statements = buildSeedStatements(grownShape, clock.now().getTime(), { unusable: "!", signIn: "!" });
    await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
    const counted = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM memberships) AS memberships",
    ).first<{
      users: number;
      memberships: number;
    }>();
    expect(counted?.users).toBeGreaterThan(grownShape.userCount);
    expect(counted?.memberships).toBeGreaterThanOrEqual(grownShape.userCount * grownShape.membershipsPerUser);
  });

  it.each(routeBudgets.map((row) => [rowName(row), row] as const))(
    "%s issues the same queries as before",
    async (_name, row) => {
      const before = measured.get(row);
      const after = await measure(row);
      expect(before, "the small-data measurement of this row did not run").toBeDefined();
      expect(after.map((query) => query.kind)).toEqual(before?.map((query) => query.kind));
    },
  );

  it("reads a page, not the table, when the users list has more rows than a page", async () => {
    const { agent } = await fixture.signedIn();
    log.reset();
    const response = await agent.get("/admin/users?query=member");
    expect(response.status, await summarizeResponse(response)).toBe(200);
    const rows = log.queries.flatMap((query) => query.rows);
    expect(Math.max(...rows), log.describe()).toBe(51);
  });
});

it("counts a batch as one query and every statement outside a batch as one", async () => {
  const counting = new QueryLog();
  const countingApp = createCountingTestApp(clock, counting);
  const user = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const agent = await signInAs(countingApp, clock, user);
  clock.advanceSeconds(61);
  counting.reset();
  expect((await agent.get(`/api/v1/users/${user.id}`)).status).toBe(200);
  // The caller's batch (six reads and the due last-seen write) is one query; reading the user asked for is another.
  expect(counting.queries.map((query) => [query.kind, query.statements.length])).toEqual([
    ["batch", 7],
    ["raw", 1],
  ]);
});
