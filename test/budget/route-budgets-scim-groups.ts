// Budget rows of /scim/v2/Groups, called with a client directory's token as an identity provider
// would: the caller's batch, one read batch and at most one write batch (the recomputation of what
// a group grants rides in the write batch). See route-budgets.ts for the rules.
import { createClientDirectory, oktaUser, type TestDirectory } from "../helpers/directories";
import type { BudgetFixture, MeasuredRequest, RouteBudget } from "./route-budgets";

const groupUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";
const patchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

interface GroupsFixture {
  directory: TestDirectory;
  userIds: string[];
  groupIds: string[];
}

/** A client directory with `groupCount` groups, each holding the first of two provisioned users. */
async function directoryWithGroups(fixture: BudgetFixture, groupCount: number): Promise<GroupsFixture> {
  const directory = await createClientDirectory(fixture.app, fixture.clock, "Budget groups");
  const userIds: string[] = [];
  for (let index = 0; index < 2; index += 1) {
    userIds.push((await directory.scim.expect<{ id: string }>("POST", "/Users", oktaUser(), 201)).id);
  }
  const groupIds: string[] = [];
  for (let index = 0; index < groupCount; index += 1) {
    const body = { schemas: [groupUrn], displayName: `Budget group ${index}`, members: [{ value: userIds[0] }] };
    groupIds.push((await directory.scim.expect<{ id: string }>("POST", "/Groups", body, 201)).id);
  }
  return { directory, userIds, groupIds };
}

function withGroups(count: number, send: (fixture: GroupsFixture) => Promise<Response>) {
  return async (fixture: BudgetFixture): Promise<MeasuredRequest> => {
    const prepared = await directoryWithGroups(fixture, count);
    return () => send(prepared);
  };
}

const firstGroup = (fixture: GroupsFixture) => `/Groups/${fixture.groupIds[0] ?? "missing"}`;

export const scimGroupBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/scim/v2/Groups",
    scenario: "a page of groups with their members and the total, in one batch",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 5 },
    prepare: withGroups(7, ({ directory }) => directory.scim.request("GET", "/Groups?startIndex=2&count=5")),
  },
  {
    method: "GET",
    path: "/scim/v2/Groups",
    scenario: "displayName eq, members excluded (Okta's and Entra's lookup): no member read",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 1 },
    prepare: withGroups(3, ({ directory }) =>
      directory.scim.request(
        "GET",
        `/Groups?filter=${encodeURIComponent('displayName eq "budget GROUP 1"')}&excludedAttributes=members`,
      ),
    ),
  },
  {
    method: "POST",
    path: "/scim/v2/Groups",
    scenario: "create a group with a member",
    maxQueries: 3,
    expectStatus: 201,
    prepare: withGroups(0, ({ directory, userIds }) =>
      directory.scim.request("POST", "/Groups", {
        schemas: [groupUrn],
        displayName: "Fresh",
        members: userIds.map((value) => ({ value })),
      }),
    ),
  },
  {
    method: "POST",
    path: "/scim/v2/Groups",
    scenario: "name taken: uniqueness, recorded on the directory",
    maxQueries: 3,
    expectStatus: 409,
    prepare: withGroups(1, ({ directory }) =>
      directory.scim.request("POST", "/Groups", { schemas: [groupUrn], displayName: "BUDGET group 0" }),
    ),
  },
  {
    method: "GET",
    path: "/scim/v2/Groups/:id",
    scenario: "one group with its members",
    maxQueries: 2,
    expectStatus: 200,
    prepare: withGroups(1, (fixture) => fixture.directory.scim.request("GET", firstGroup(fixture))),
  },
  {
    method: "PUT",
    path: "/scim/v2/Groups/:id",
    scenario: "replace the name and the members",
    maxQueries: 3,
    expectStatus: 200,
    prepare: withGroups(1, (fixture) =>
      fixture.directory.scim.request("PUT", firstGroup(fixture), {
        schemas: [groupUrn],
        displayName: "Renamed",
        members: [{ value: fixture.userIds[1] }],
      }),
    ),
  },
  {
    method: "PATCH",
    path: "/scim/v2/Groups/:id",
    scenario: "Entra's add and remove of members by id",
    maxQueries: 3,
    expectStatus: 204,
    prepare: withGroups(1, (fixture) =>
      fixture.directory.scim.request("PATCH", firstGroup(fixture), {
        schemas: [patchOpUrn],
        Operations: [
          { op: "Add", path: "members", value: [{ value: fixture.userIds[1] }] },
          { op: "Remove", path: "members", value: [{ value: fixture.userIds[0] }] },
        ],
      }),
    ),
  },
  {
    method: "DELETE",
    path: "/scim/v2/Groups/:id",
    scenario: "delete the group and its member rows",
    maxQueries: 3,
    expectStatus: 204,
    prepare: withGroups(1, (fixture) => fixture.directory.scim.request("DELETE", firstGroup(fixture))),
  },
];
