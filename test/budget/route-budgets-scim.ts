// Budget rows of /scim/v2, called with a client directory's bearer token as an identity provider
// would (the token's once-a-minute last-use write is due). Discovery reads nothing; every Users
// route is the caller's batch, one read batch and at most one write batch (plus the fresh invite
// of a pending user a directory reactivates, and the refusal recorded on the directory's page).
// See route-budgets.ts for the rules.
import { env } from "cloudflare:test";
import { origin } from "../helpers/agent";
import { createClientDirectory, oktaUser, type TestDirectory } from "../helpers/directories";
import type { BudgetFixture, MeasuredRequest, RouteBudget } from "./route-budgets";

const patchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A client directory with `count` provisioned users (through the API, before the counted request). */
async function directoryWithUsers(fixture: BudgetFixture, count: number) {
  const directory = await createClientDirectory(fixture.app, fixture.clock, "Budget scim");
  const users: Array<{ id: string; userName: string }> = [];
  for (let index = 0; index < count; index += 1) {
    users.push(await directory.scim.expect<{ id: string; userName: string }>("POST", "/Users", oktaUser(), 201));
  }
  return { directory, users };
}

const publicGet =
  (path: string) =>
  async ({ app }: BudgetFixture): Promise<MeasuredRequest> =>
  async () =>
    await app.request(`${origin}/scim/v2${path}`, {}, env);

function withOneUser(send: (directory: TestDirectory, user: { id: string; userName: string }) => Promise<Response>) {
  return async (fixture: BudgetFixture): Promise<MeasuredRequest> => {
    const { directory, users } = await directoryWithUsers(fixture, 1);
    const user = users[0];
    if (!user) throw new Error("no user provisioned");
    return () => send(directory, user);
  };
}

const discoveryRows: RouteBudget[] = [
  ["/ServiceProviderConfig", "/scim/v2/ServiceProviderConfig"],
  ["/ResourceTypes", "/scim/v2/ResourceTypes"],
  ["/ResourceTypes/User", "/scim/v2/ResourceTypes/:name"],
  ["/Schemas", "/scim/v2/Schemas"],
  ["/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "/scim/v2/Schemas/:urn"],
].map(([path = "", route = ""]) => ({
  method: "GET",
  path: route,
  scenario: "public discovery document",
  maxQueries: 0,
  expectStatus: 200,
  prepare: publicGet(path),
}));

export const scimBudgets: RouteBudget[] = [
  ...discoveryRows,
  {
    method: "GET",
    path: "/scim/v2/Users",
    scenario: "a page of users with the total, in one batch",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 5 },
    prepare: async (fixture) => {
      const { directory } = await directoryWithUsers(fixture, 7);
      return () => directory.scim.request("GET", "/Users?startIndex=2&count=5");
    },
  },
  {
    method: "GET",
    path: "/scim/v2/Users",
    scenario: "userName eq filter (an identity provider's lookup before a create)",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 1 },
    prepare: withOneUser((directory, user) =>
      directory.scim.request("GET", `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`),
    ),
  },
  {
    method: "POST",
    path: "/scim/v2/Users/.search",
    scenario: "the same query in a body",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 1 },
    prepare: withOneUser((directory, user) =>
      directory.scim.request("POST", "/Users/.search", {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        filter: `userName eq "${user.userName}"`,
      }),
    ),
  },
  {
    method: "POST",
    path: "/scim/v2/Users",
    scenario: "create a client user (invite, membership, link, audit in one batch)",
    maxQueries: 3,
    expectStatus: 201,
    prepare: async (fixture) => {
      const directory = await createClientDirectory(fixture.app, fixture.clock, "Budget create");
      return () => directory.scim.request("POST", "/Users", oktaUser());
    },
  },
  {
    method: "POST",
    path: "/scim/v2/Users",
    scenario: "userName already linked: uniqueness, recorded on the directory",
    maxQueries: 3,
    expectStatus: 409,
    prepare: withOneUser((directory, user) =>
      directory.scim.request("POST", "/Users", oktaUser({ userName: user.userName })),
    ),
  },
  {
    method: "GET",
    path: "/scim/v2/Users/:id",
    scenario: "one user with their groups",
    maxQueries: 2,
    expectStatus: 200,
    prepare: withOneUser((directory, user) => directory.scim.request("GET", `/Users/${user.id}`)),
  },
  {
    method: "PUT",
    path: "/scim/v2/Users/:id",
    scenario: "replace names and userName",
    maxQueries: 3,
    expectStatus: 200,
    prepare: withOneUser((directory, user) =>
      directory.scim.request("PUT", `/Users/${user.id}`, oktaUser({ userName: `renamed.${user.userName}` })),
    ),
  },
  {
    method: "PATCH",
    path: "/scim/v2/Users/:id",
    scenario: "Okta's deactivation (sessions and tokens end in the same batch)",
    maxQueries: 3,
    expectStatus: 200,
    prepare: withOneUser((directory, user) =>
      directory.scim.request("PATCH", `/Users/${user.id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { active: false } }],
      }),
    ),
  },
  {
    method: "PATCH",
    path: "/scim/v2/Users/:id",
    scenario: "reactivating a pending user sends a fresh invite",
    maxQueries: 4,
    expectStatus: 200,
    prepare: async (fixture) => {
      const directory = await createClientDirectory(fixture.app, fixture.clock, "Budget reactivate");
      const user = await directory.scim.expect<{ id: string }>("POST", "/Users", oktaUser({ active: false }), 201);
      return () =>
        directory.scim.request("PATCH", `/Users/${user.id}`, {
          schemas: [patchOpUrn],
          Operations: [{ op: "Replace", path: "active", value: "True" }],
        });
    },
  },
  {
    method: "DELETE",
    path: "/scim/v2/Users/:id",
    scenario: "deactivate and hide",
    maxQueries: 3,
    expectStatus: 204,
    prepare: withOneUser((directory, user) => directory.scim.request("DELETE", `/Users/${user.id}`)),
  },
];
