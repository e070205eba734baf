// The query budget of every route of the app: one row per request shape (a success path, and the
// refusal too where it does different work). A route added to the app without a row fails
// test/budget/query-budget.test.ts, so adding a route means adding its row. This file has the
// types, sign-in, setup and the first console rows; the rest live by area in route-budgets-users.ts
// (a user's tabs), -console.ts (tenants, memberships, groups, audit, outbox), -directories.ts, -workspace.ts
// (/tenants, /portal, /account), -api.ts and -scim.ts, with shared fixtures in budget-helpers.ts.
//
// Budgets (docs/PRODUCT.md §9, issue 9): at most 4 D1 queries per request whatever the data size, a batch
// counting as one; list endpoints read at most `limit + 1` rows per statement. `maxQueries` is the
// measured count (lower than 4 where a route does less), so a regression shows at once.
import { encodeCursor } from "../../src/domain/pagination";
import { Agent, summarizeResponse } from "../helpers/agent";
import type { TestClock } from "../helpers/clock";
import { type ActiveTestUser, createActiveUser, inviteTestUser, testPassword, uniqueEmail } from "../helpers/factories";
import type { createCountingTestApp } from "../helpers/query-log";
import { totpCode } from "../helpers/totp";
import { apiBudgets } from "./route-budgets-api";
import { auditLogBudgets } from "./route-budgets-audit-log";
import { auditPageBudgets } from "./route-budgets-audit-page";
import { consoleBudgets } from "./route-budgets-console";
import { directoryBudgets } from "./route-budgets-directories";
import { eventsBudgets } from "./route-budgets-events";
import { accountPasskeyBudgets } from "./route-budgets-passkeys-account";
import { passkeyPolicyBudgets } from "./route-budgets-passkeys-policy";
import { setupPasskeyBudgets } from "./route-budgets-passkeys-setup";
import { passkeySignInBudgets } from "./route-budgets-passkeys-signin";
import { reviewsApiBudgets } from "./route-budgets-reviews-api";
import { reviewsConsoleBudgets } from "./route-budgets-reviews-console";
import { scimBudgets } from "./route-budgets-scim";
import { scimGroupBudgets } from "./route-budgets-scim-groups";
import { userPageBudgets } from "./route-budgets-users";
import { webhookBudgets } from "./route-budgets-webhooks";
import { workspaceBudgets } from "./route-budgets-workspace";

export const queryBudget = 4;

export interface BudgetFixture {
  app: ReturnType<typeof createCountingTestApp>;
  clock: TestClock;
  /** Two tenants that exist at both data sizes. */
  tenantIds: [string, string];
  /** A fresh active user of the role, signed in through the pages. */
  signedIn: (role?: ActiveTestUser["role"]) => Promise<{ agent: Agent; user: ActiveTestUser }>;
}

/** The measured request, prepared by the row (fixtures made before it are not counted). */
export type MeasuredRequest = () => Promise<Response>;

export interface RouteBudget {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The route as Hono registers it (app.routes). */
  path: string;
  scenario: string;
  maxQueries: number;
  expectStatus: number;
  /** List endpoints: no statement may return more than limit + 1 rows. */
  list?: { limit: number };
  /**
   * Set when one statement legitimately reads a whole table (say why): it excuses that one
   * statement, the largest; every other statement stays within the list's limit + 1 and ≤ 101 rows.
   */
  readsWholeTable?: string;
  /**
   * Set only for a request that streams its answer page by page (the audit log's exports): say
   * why. Its maxQueries may then pass queryBudget: a fixed start plus a share per page, each
   * statement still held to a page (route-budgets-audit-log.ts).
   */
  streamsPages?: string;
  prepare: (fixture: BudgetFixture) => Promise<MeasuredRequest>;
}

const anonymousGet =
  (path: string) =>
  async ({ app }: BudgetFixture): Promise<MeasuredRequest> =>
  () =>
    new Agent(app).get(path);

const signedInGet =
  (path: string | ((user: ActiveTestUser) => string), role: ActiveTestUser["role"] = "SUPER_ADMIN") =>
  async ({ signedIn }: BudgetFixture): Promise<MeasuredRequest> => {
    const { agent, user } = await signedIn(role);
    return () => agent.get(typeof path === "string" ? path : path(user));
  };

/** An agent holding a sign-in challenge (password step done) for a fresh active user. */
async function challengeAgent(fixture: BudgetFixture): Promise<{ agent: Agent; user: ActiveTestUser }> {
  const user = await createActiveUser(fixture.clock);
  fixture.clock.advanceSeconds(30);
  const agent = new Agent(fixture.app);
  const step = await agent.post("/login", { email: user.email, password: user.password });
  if (step.status !== 303) throw new Error(`password step failed: ${await summarizeResponse(step)}`);
  return { agent, user };
}

/** An agent holding the setup cookie of a fresh invite. */
async function setupAgent(fixture: BudgetFixture): Promise<Agent> {
  const invited = await inviteTestUser(fixture.clock);
  const agent = new Agent(fixture.app);
  const opened = await agent.get(`/setup/${invited.token}`);
  if (opened.status !== 303) throw new Error(`setup link failed: ${await summarizeResponse(opened)}`);
  return agent;
}

async function setupAgentAtTotpStep(fixture: BudgetFixture): Promise<{ agent: Agent; secret: string }> {
  const agent = await setupAgent(fixture);
  const step = await agent.post("/setup", {
    step: "password",
    displayName: "Pat",
    password: testPassword,
    passwordConfirmation: testPassword,
  });
  const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(await step.text())?.[1]?.replaceAll(" ", "");
  if (!secret) throw new Error("setup password step showed no TOTP secret");
  return { agent, secret };
}

const coreBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/healthz",
    scenario: "bare route",
    maxQueries: 0,
    expectStatus: 200,
    prepare: anonymousGet("/healthz"),
  },
  {
    method: "GET",
    path: "/static/app.css",
    scenario: "stylesheet",
    maxQueries: 0,
    expectStatus: 200,
    prepare: anonymousGet("/static/app.css"),
  },
  {
    method: "GET",
    path: "/static/app.js",
    scenario: "script",
    maxQueries: 0,
    expectStatus: 200,
    prepare: anonymousGet("/static/app.js"),
  },
  {
    method: "GET",
    path: "/static/passkeys.js",
    scenario: "passkey script",
    maxQueries: 0,
    expectStatus: 200,
    prepare: anonymousGet("/static/passkeys.js"),
  },
  {
    method: "GET",
    path: "/",
    scenario: "signed in: redirect to the landing page",
    maxQueries: 1,
    expectStatus: 303,
    prepare: signedInGet("/"),
  },
  {
    method: "GET",
    path: "/login",
    scenario: "sign-in page",
    maxQueries: 0,
    expectStatus: 200,
    prepare: anonymousGet("/login"),
  },
  {
    method: "POST",
    path: "/login",
    scenario: "right password",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async ({ app, clock }) => {
      const user = await createActiveUser(clock);
      return () => new Agent(app).post("/login", { email: user.email, password: user.password });
    },
  },
  {
    method: "POST",
    path: "/login",
    scenario: "wrong password (failure recorded)",
    maxQueries: 2,
    expectStatus: 401,
    prepare: async ({ app, clock }) => {
      const user = await createActiveUser(clock);
      return () => new Agent(app).post("/login", { email: user.email, password: "not the password at all" });
    },
  },
  {
    method: "GET",
    path: "/login/verify",
    scenario: "code form (the attempt: challenge, user, passkeys, policy, throttles in one batch)",
    maxQueries: 1,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await challengeAgent(fixture);
      return () => agent.get("/login/verify");
    },
  },
  {
    method: "POST",
    path: "/login/verify",
    scenario: "right TOTP code",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent, user } = await challengeAgent(fixture);
      return () => agent.post("/login/verify", { code: totpCode(user.totpSecret, fixture.clock.now()) });
    },
  },
  {
    method: "POST",
    path: "/login/verify",
    scenario: "wrong TOTP code (failure recorded)",
    maxQueries: 2,
    expectStatus: 401,
    prepare: async (fixture) => {
      const { agent } = await challengeAgent(fixture);
      return () => agent.post("/login/verify", { code: "000000" });
    },
  },
  {
    method: "POST",
    path: "/logout",
    scenario: "signed in",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async ({ signedIn }) => {
      const { agent } = await signedIn();
      return () => agent.post("/logout", {});
    },
  },
  {
    method: "GET",
    path: "/setup/:token",
    scenario: "valid link",
    maxQueries: 1,
    expectStatus: 303,
    prepare: async ({ app, clock }) => {
      const invited = await inviteTestUser(clock);
      return () => new Agent(app).get(`/setup/${invited.token}`);
    },
  },
  {
    method: "GET",
    path: "/setup",
    scenario: "password step",
    maxQueries: 1,
    expectStatus: 200,
    prepare: async (fixture) => {
      const agent = await setupAgent(fixture);
      return () => agent.get("/setup");
    },
  },
  {
    method: "POST",
    path: "/setup",
    scenario: "password step",
    maxQueries: 3,
    expectStatus: 200,
    prepare: async (fixture) => {
      const agent = await setupAgent(fixture);
      return () =>
        agent.post("/setup", {
          step: "password",
          displayName: "Pat",
          password: testPassword,
          passwordConfirmation: testPassword,
        });
    },
  },
  {
    method: "POST",
    path: "/setup",
    scenario: "TOTP step completes setup",
    maxQueries: 3,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent, secret } = await setupAgentAtTotpStep(fixture);
      return () => agent.post("/setup", { step: "confirm", code: totpCode(secret, fixture.clock.now()) });
    },
  },
  {
    method: "GET",
    path: "/admin",
    scenario: "SUPER_ADMIN console home: the caller, then what needs attention in one batch",
    maxQueries: 2,
    expectStatus: 200,
    prepare: signedInGet("/admin"),
  },
  {
    method: "GET",
    path: "/admin",
    scenario: "OPERATOR with no access: lists whom to ask",
    maxQueries: 2,
    expectStatus: 200,
    prepare: signedInGet("/admin", "OPERATOR"),
  },
  {
    method: "GET",
    path: "/admin/users",
    scenario: "first page",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: signedInGet("/admin/users"),
  },
  {
    method: "GET",
    path: "/admin/users",
    scenario: "search, role and status filters",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: signedInGet("/admin/users?query=member&role=OPERATOR&status=ACTIVE"),
  },
  {
    method: "GET",
    path: "/admin/users",
    scenario: "a later page (cursor)",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const cursor = encodeCursor({ time: fixture.clock.now().getTime() - 86_400_000, id: "usr_zzzzzzzz" });
      return signedInGet(`/admin/users?cursor=${cursor}`)(fixture);
    },
  },
  {
    method: "GET",
    path: "/admin/users/new",
    scenario: "invite form with the tenant picker",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: "the tenant picker lists every tenant (listTenantChoices); a search field would bound it",
    prepare: signedInGet("/admin/users/new"),
  },
  {
    method: "POST",
    path: "/admin/users",
    scenario: "invite with two memberships (redirect to the link page)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async ({ signedIn, tenantIds }) => {
      const { agent } = await signedIn();
      return () =>
        agent.post("/admin/users", {
          email: uniqueEmail("invitee"),
          firstName: "Ivy",
          lastName: "Invitee",
          role: "OPERATOR",
          "memberships.0.tenantId": tenantIds[0],
          "memberships.0.role": "OPERATOR_FULL",
          "memberships.1.tenantId": tenantIds[1],
          "memberships.1.role": "OPERATOR_READONLY",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/users",
    scenario: "email already in use (form shown again)",
    maxQueries: 3,
    expectStatus: 409,
    readsWholeTable: "the form is shown again with the tenant picker (listTenantChoices)",
    prepare: async ({ signedIn }) => {
      const { agent, user } = await signedIn();
      return () =>
        agent.post("/admin/users", { email: user.email, firstName: "Dup", lastName: "Licate", role: "OPERATOR" });
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id",
    scenario: "a user's page",
    maxQueries: 2,
    expectStatus: 200,
    prepare: signedInGet((user) => `/admin/users/${user.id}`),
  },
  {
    method: "POST",
    path: "/admin/users/:id/setup-link",
    scenario: "send a pending user a new setup link (redirect to the link page)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async ({ signedIn, clock }) => {
      const { agent } = await signedIn();
      const invited = await inviteTestUser(clock);
      return () => agent.post(`/admin/users/${invited.user.id}/setup-link`, {});
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/setup-link",
    scenario: "the link page after an invite, showing the link from the flash once",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async ({ signedIn }) => {
      const { agent } = await signedIn();
      const created = await agent.post("/admin/users", {
        email: uniqueEmail("linkpage"),
        firstName: "Lin",
        lastName: "Kpage",
        role: "OPERATOR",
      });
      const location = created.headers.get("location") ?? "/admin/users/missing/setup-link";
      return () => agent.get(location);
    },
  },
  {
    method: "GET",
    path: "/api/v1/me",
    scenario: "session cookie: answered from the caller's batch alone",
    maxQueries: 1,
    expectStatus: 200,
    prepare: signedInGet("/api/v1/me", "OPERATOR"),
  },
];

/** Every row: the sign-in and core rows above, then one file per area of the app. */
export const routeBudgets: RouteBudget[] = [
  ...coreBudgets,
  ...userPageBudgets,
  ...consoleBudgets,
  ...directoryBudgets,
  ...workspaceBudgets,
  ...apiBudgets,
  ...scimBudgets,
  ...scimGroupBudgets,
  ...passkeySignInBudgets,
  ...accountPasskeyBudgets,
  ...setupPasskeyBudgets,
  ...passkeyPolicyBudgets,
  ...webhookBudgets,
  ...eventsBudgets,
  ...auditPageBudgets,
  ...auditLogBudgets,
  ...reviewsApiBudgets,
  ...reviewsConsoleBudgets,
];
