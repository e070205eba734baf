// Budget rows of the JSON API (/api/v1), called with a personal API token as curl would (the
// token's once-a-minute last-use write is due, like the session's on the pages).
// See route-budgets.ts for the rules.
import { addDays } from "date-fns";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { createActiveUser, createTestTenant, inviteTestUser, signInAs, uniqueEmail } from "../helpers/factories";
import { uniqueGroupName } from "../helpers/groups";
import {
  apiCaller,
  createDeactivatedUser,
  createFormerClient,
  createGroupWithMembers,
  createMember,
  createPopulatedTenant,
  invitePendingClient,
} from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

/** An API client of an OPERATOR_FULL (or CLIENT_ADMIN) member of a populated tenant. */
async function tenantApiCaller(fixture: BudgetFixture, role: "OPERATOR_FULL" | "CLIENT_ADMIN" = "OPERATOR_FULL") {
  const populated = await createPopulatedTenant(fixture, "Api tenant");
  const { user } = await createMember(fixture, populated.tenant.id, role);
  const agent = await signInAs(fixture.app, fixture.clock, user);
  return { ...populated, api: new ApiClient(fixture.app, await createApiTokenFor(agent)) };
}

const inviteBody = (tenantId: string) => ({
  email: uniqueEmail("api-invite"),
  firstName: "Api",
  lastName: "Invitee",
  role: "OPERATOR",
  memberships: [{ tenantId, role: "OPERATOR_FULL" }],
});

function meAndUserRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/api/v1/me/tokens",
      scenario: "the caller's tokens",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture, { role: "OPERATOR" });
        return () => api.call("GET", "/api/v1/me/tokens");
      },
    },
    {
      method: "POST",
      path: "/api/v1/me/tokens",
      scenario: "create a token with an expiry",
      maxQueries: 2,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture, { role: "OPERATOR" });
        return () =>
          api.call("POST", "/api/v1/me/tokens", {
            name: "deploy",
            expiresAt: addDays(fixture.clock.now(), 90).toISOString(),
          });
      },
    },
    {
      method: "DELETE",
      path: "/api/v1/me/tokens/:id",
      scenario: "revoke another of one's tokens",
      maxQueries: 3,
      expectStatus: 204,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture, { role: "OPERATOR" });
        const other = await api.expectJson<{ id: string }>("POST", "/api/v1/me/tokens", { name: "old" }, 201);
        return () => api.call("DELETE", `/api/v1/me/tokens/${other.id}`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/users",
      scenario: "first page",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", "/api/v1/users");
      },
    },
    {
      method: "GET",
      path: "/api/v1/users",
      scenario: "search with role and status, 100 per page",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 100 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", "/api/v1/users?query=member&role=OPERATOR&status=ACTIVE&limit=100");
      },
    },
    {
      method: "POST",
      path: "/api/v1/users",
      scenario: "invite with a membership",
      maxQueries: 3,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("POST", "/api/v1/users", inviteBody(fixture.tenantIds[0]));
      },
    },
    {
      method: "POST",
      path: "/api/v1/users",
      scenario: "email in use",
      maxQueries: 2,
      expectStatus: 409,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const existing = await createActiveUser(fixture.clock, { role: "OPERATOR" });
        return () => api.call("POST", "/api/v1/users", { ...inviteBody(fixture.tenantIds[0]), email: existing.email });
      },
    },
    {
      method: "POST",
      path: "/api/v1/users/bulk",
      scenario: "100 rows: 90 new with memberships, 5 existing, 5 invalid",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const existing = [];
        for (let index = 0; index < 5; index++) existing.push((await inviteTestUser(fixture.clock)).user.email);
        const users = [
          ...Array.from({ length: 90 }, (_, index) => inviteBody(fixture.tenantIds[index % 2 === 0 ? 0 : 1])),
          ...existing.map((email) => ({ email, firstName: "Again", lastName: "Existing" })),
          ...Array.from({ length: 5 }, () => ({ email: "not an email", firstName: "", lastName: "" })),
        ];
        return () => api.call("POST", "/api/v1/users/bulk", { users });
      },
    },
    {
      method: "GET",
      path: "/api/v1/users/:id",
      scenario: "one user",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const subject = await createActiveUser(fixture.clock, { role: "CONTRACTOR" });
        return () => api.call("GET", `/api/v1/users/${subject.id}`);
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/users/:id",
      scenario: "change names and Slack ID",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
        return () => api.call("PATCH", `/api/v1/users/${subject.id}`, { firstName: "Patched", slackId: "U0PATCHED" });
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/users/:id",
      scenario:
        "role change refused: 409 listing the memberships that no longer fit (4: caller; user and permissions; the refused write; why)",
      maxQueries: 4,
      expectStatus: 409,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { user } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
        return () => api.call("PATCH", `/api/v1/users/${user.id}`, { role: "CLIENT_USER" });
      },
    },
    {
      method: "POST",
      path: "/api/v1/users/:id/deactivate",
      scenario: "deactivate an operator",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
        return () => api.call("POST", `/api/v1/users/${subject.id}/deactivate`);
      },
    },
    {
      method: "POST",
      path: "/api/v1/users/:id/reactivate",
      scenario: "reactivate a deactivated operator",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const subject = await createDeactivatedUser(fixture);
        return () => api.call("POST", `/api/v1/users/${subject.id}/reactivate`);
      },
    },
    {
      method: "POST",
      path: "/api/v1/users/:id/setup-link",
      scenario: "regenerate a pending user's link",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const invited = await inviteTestUser(fixture.clock);
        return () => api.call("POST", `/api/v1/users/${invited.user.id}/setup-link`);
      },
    },
  ];
}

function tenantRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/api/v1/tenants",
      scenario: "first page with member counts",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", "/api/v1/tenants");
      },
    },
    {
      method: "POST",
      path: "/api/v1/tenants",
      scenario: "create a tenant",
      maxQueries: 2,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () =>
          api.call("POST", "/api/v1/tenants", { name: "Api Client", slug: `api-${crypto.randomUUID().slice(0, 8)}` });
      },
    },
    {
      method: "GET",
      path: "/api/v1/tenants/:id",
      scenario: "one tenant",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", `/api/v1/tenants/${fixture.tenantIds[0]}`);
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/tenants/:id",
      scenario: "rename a tenant",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const tenant = await createTestTenant(fixture.clock, "Api rename");
        return () =>
          api.call("PATCH", `/api/v1/tenants/${tenant.id}`, { name: "Api renamed", description: "Renamed." });
      },
    },
    {
      method: "GET",
      path: "/api/v1/tenants/:id/updates",
      scenario: "OPERATOR_FULL: first page of updates",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture);
        return () => api.call("GET", `/api/v1/tenants/${tenant.id}/updates`);
      },
    },
    {
      method: "POST",
      path: "/api/v1/tenants/:id/updates",
      scenario: "OPERATOR_FULL posts an update",
      maxQueries: 3,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture);
        return () =>
          api.call("POST", `/api/v1/tenants/${tenant.id}/updates`, {
            title: "From the API",
            body: "Posted by a script.",
          });
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/tenants/:id/updates/:updateId",
      scenario: "OPERATOR_FULL edits an update",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api, tenant, updates } = await tenantApiCaller(fixture);
        return () =>
          api.call("PATCH", `/api/v1/tenants/${tenant.id}/updates/${updates[0]?.id}`, {
            title: "Edited",
            body: "Edited.",
          });
      },
    },
    {
      method: "DELETE",
      path: "/api/v1/tenants/:id/updates/:updateId",
      scenario: "OPERATOR_FULL deletes an update",
      maxQueries: 3,
      expectStatus: 204,
      prepare: async (fixture) => {
        const { api, tenant, updates } = await tenantApiCaller(fixture);
        return () => api.call("DELETE", `/api/v1/tenants/${tenant.id}/updates/${updates[0]?.id}`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/tenants/:id/members",
      scenario: "CLIENT_ADMIN: the company's people",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture, "CLIENT_ADMIN");
        return () => api.call("GET", `/api/v1/tenants/${tenant.id}/members`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/tenants/:id/members",
      scenario: "OPERATOR_FULL: a later page, 100 per page",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 100 },
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture);
        const first = await api.expectJson<{ nextCursor: string }>(
          "GET",
          `/api/v1/tenants/${tenant.id}/members?limit=100`,
          undefined,
          200,
        );
        return () => api.call("GET", `/api/v1/tenants/${tenant.id}/members?limit=100&cursor=${first.nextCursor}`);
      },
    },
    {
      method: "POST",
      path: "/api/v1/tenants/:id/members",
      scenario: "CLIENT_ADMIN invites a new portal user",
      maxQueries: 3,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture, "CLIENT_ADMIN");
        return () =>
          api.call("POST", `/api/v1/tenants/${tenant.id}/members`, {
            email: uniqueEmail("portal"),
            firstName: "Pia",
            lastName: "Portal",
            role: "CLIENT_VIEWER",
          });
      },
    },
    {
      method: "POST",
      path: "/api/v1/tenants/:id/members",
      scenario: "OPERATOR_FULL adds back a former client user of the tenant",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture);
        const user = await createFormerClient(fixture, tenant.id);
        return () =>
          api.call("POST", `/api/v1/tenants/${tenant.id}/members`, {
            email: user.email,
            firstName: "Any",
            lastName: "Name",
            role: "CLIENT_VIEWER",
          });
      },
    },
    {
      method: "POST",
      path: "/api/v1/tenants/:id/members",
      scenario:
        "CLIENT_ADMIN refused: a client user of another company (neutral 409, audited; as many queries as a success)",
      maxQueries: 3,
      expectStatus: 409,
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture, "CLIENT_ADMIN");
        const { user } = await createMember(fixture, fixture.tenantIds[1], "CLIENT_VIEWER");
        return () =>
          api.call("POST", `/api/v1/tenants/${tenant.id}/members`, {
            email: user.email,
            firstName: "Any",
            lastName: "Name",
            role: "CLIENT_VIEWER",
          });
      },
    },
    {
      method: "DELETE",
      path: "/api/v1/tenants/:id/members/:membershipId",
      scenario: "CLIENT_ADMIN removes a pending portal user",
      maxQueries: 3,
      expectStatus: 204,
      prepare: async (fixture) => {
        const { api, tenant } = await tenantApiCaller(fixture, "CLIENT_ADMIN");
        const pending = await invitePendingClient(fixture, tenant.id);
        return () => api.call("DELETE", `/api/v1/tenants/${tenant.id}/members/${pending.membershipId}`);
      },
    },
  ];
}

function membershipAndGroupRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/api/v1/memberships",
      scenario: "one tenant's memberships, 100 per page",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 100 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", `/api/v1/memberships?tenantId=${fixture.tenantIds[0]}&limit=100`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/memberships",
      scenario: "expiring within 7 days, any tenant",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", "/api/v1/memberships?expiringWithinDays=7");
      },
    },
    {
      method: "POST",
      path: "/api/v1/memberships",
      scenario: "grant a contractor a membership with expiry",
      maxQueries: 3,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const contractor = await createActiveUser(fixture.clock, { role: "CONTRACTOR" });
        return () =>
          api.call("POST", "/api/v1/memberships", {
            userId: contractor.id,
            tenantId: fixture.tenantIds[0],
            role: "OPERATOR_FULL",
            expiresAt: addDays(fixture.clock.now(), 30).toISOString(),
          });
      },
    },
    {
      method: "POST",
      path: "/api/v1/memberships",
      scenario: "duplicate membership (409): the live membership is read with the user and tenant, no write tried",
      maxQueries: 2,
      expectStatus: 409,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { user } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_READONLY");
        return () =>
          api.call("POST", "/api/v1/memberships", {
            userId: user.id,
            tenantId: fixture.tenantIds[0],
            role: "OPERATOR_FULL",
          });
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/memberships/:id",
      scenario: "change the role",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { membership } = await createMember(fixture, fixture.tenantIds[1], "OPERATOR_READONLY");
        return () => api.call("PATCH", `/api/v1/memberships/${membership.id}`, { role: "OPERATOR_FULL" });
      },
    },
    {
      method: "POST",
      path: "/api/v1/memberships/:id/extend",
      scenario: "extend by 90 days",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { membership } = await createMember(fixture, fixture.tenantIds[1], "OPERATOR_FULL", {
          globalRole: "CONTRACTOR",
          expiresAt: addDays(fixture.clock.now(), 3),
        });
        return () => api.call("POST", `/api/v1/memberships/${membership.id}/extend`, { days: 90 });
      },
    },
    {
      method: "DELETE",
      path: "/api/v1/memberships/:id",
      scenario: "revoke",
      maxQueries: 3,
      expectStatus: 204,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { membership } = await createMember(fixture, fixture.tenantIds[1], "OPERATOR_READONLY");
        return () => api.call("DELETE", `/api/v1/memberships/${membership.id}`);
      },
    },
    {
      method: "GET",
      path: "/api/v1/access-groups",
      scenario: "first page",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", "/api/v1/access-groups");
      },
    },
    {
      method: "POST",
      path: "/api/v1/access-groups",
      scenario: "create a group",
      maxQueries: 3,
      expectStatus: 201,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () =>
          api.call("POST", "/api/v1/access-groups", {
            name: uniqueGroupName("Api"),
            description: "Made by a script",
            permissions: ["users:read", "audit:read"],
          });
      },
    },
    {
      method: "GET",
      path: "/api/v1/access-groups/:id",
      scenario: "a group with its members",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { group } = await createGroupWithMembers(fixture, ["users:read"], 3);
        return () => api.call("GET", `/api/v1/access-groups/${group.id}`);
      },
    },
    {
      method: "PATCH",
      path: "/api/v1/access-groups/:id",
      scenario: "rename and re-permission",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { group } = await createGroupWithMembers(fixture, ["users:read"], 2);
        return () =>
          api.call("PATCH", `/api/v1/access-groups/${group.id}`, {
            name: uniqueGroupName("Patched"),
            permissions: ["users:read", "tenants:read"],
          });
      },
    },
    {
      method: "DELETE",
      path: "/api/v1/access-groups/:id",
      scenario: "delete a group with two members",
      maxQueries: 3,
      expectStatus: 204,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { group } = await createGroupWithMembers(fixture, ["users:read"], 2);
        return () => api.call("DELETE", `/api/v1/access-groups/${group.id}`);
      },
    },
    {
      method: "PUT",
      path: "/api/v1/access-groups/:id/members",
      scenario:
        "replace the members: one stays, one leaves, two join (4: caller; group, people, pairs; the write; the group answered)",
      maxQueries: 4,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        const { group, members } = await createGroupWithMembers(fixture, ["users:read"], 2);
        const joining = [
          await createActiveUser(fixture.clock, { role: "OPERATOR" }),
          await createActiveUser(fixture.clock),
        ];
        const userIds = [members[0]?.id ?? "", ...joining.map((user) => user.id)];
        return () => api.call("PUT", `/api/v1/access-groups/${group.id}/members`, { userIds });
      },
    },
    {
      method: "GET",
      path: "/api/v1/audit-events",
      scenario: "one tenant's events",
      maxQueries: 2,
      expectStatus: 200,
      list: { limit: 50 },
      prepare: async (fixture) => {
        const { api } = await apiCaller(fixture);
        return () => api.call("GET", `/api/v1/audit-events?tenantId=${fixture.tenantIds[0]}`);
      },
    },
  ];
}

export const apiBudgets: RouteBudget[] = [...meAndUserRows(), ...tenantRows(), ...membershipAndGroupRows()];
