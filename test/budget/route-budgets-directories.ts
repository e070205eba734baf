// Budget rows of Admin → Directories (SUPER_ADMIN only). A directory's page counts its people with
// aggregates, so the count of queries and the rows per statement do not move with its size.
import { createScimGroup } from "../../src/domain/scim/scim-groups";
import { createFilledDirectory } from "../helpers/directory-fixtures";
import {
  createDirectoryUser,
  createTestDirectory,
  directoryTestContext,
  groupSchemaUrnForTests,
} from "../helpers/directory-groups";
import { createTestTenant } from "../helpers/factories";
import { signedInWith } from "./budget-helpers";
import type { RouteBudget } from "./route-budgets";

const filled = { users: 120, groups: 30, errors: 25 };

export const directoryBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/admin/directories",
    scenario: "every directory with its counts (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      await createFilledDirectory(fixture.clock, filled);
      return () => agent.get("/admin/directories");
    },
  },
  {
    method: "GET",
    path: "/admin/directories/new",
    scenario: "the form with the companies that have no directory",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: "the form offers every company without a directory (at most 500)",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/directories/new");
    },
  },
  {
    method: "POST",
    path: "/admin/directories",
    scenario: "create a company directory",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const tenant = await createTestTenant(fixture.clock, "Budget Directory");
      return () => agent.post("/admin/directories", { name: "Okta", owner: `tenant:${tenant.id}` });
    },
  },
  {
    method: "POST",
    path: "/admin/directories",
    scenario: "refused: the company has a directory (the form again)",
    maxQueries: 3,
    expectStatus: 409,
    readsWholeTable: "the form offers every company without a directory (at most 500)",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { tenant } = await createFilledDirectory(fixture.clock);
      return () => agent.post("/admin/directories", { name: "Okta", owner: `tenant:${tenant.id}` });
    },
  },
  {
    method: "GET",
    path: "/admin/directories/:id",
    scenario: "one directory: tokens, counts, groups, errors (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { directory } = await createFilledDirectory(fixture.clock, filled);
      return () => agent.get(`/admin/directories/${directory.id}`);
    },
  },
  {
    method: "POST",
    path: "/admin/directories/:id/tokens",
    scenario: "replace the token",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { directory } = await createFilledDirectory(fixture.clock);
      return () => agent.post(`/admin/directories/${directory.id}/tokens`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/directories/:id/tokens/:tokenId/revoke",
    scenario: "the confirmation step",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { directory, token } = await createFilledDirectory(fixture.clock, filled);
      return () => agent.post(`/admin/directories/${directory.id}/tokens/${token.id}/revoke`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/directories/:id/tokens/:tokenId/revoke",
    scenario: "revoke, confirmed",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { directory, token } = await createFilledDirectory(fixture.clock);
      return () => agent.post(`/admin/directories/${directory.id}/tokens/${token.id}/revoke`, { confirm: "yes" });
    },
  },
  {
    method: "POST",
    path: "/admin/directories/:id/name",
    scenario: "rename",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { directory } = await createFilledDirectory(fixture.clock);
      return () => agent.post(`/admin/directories/${directory.id}/name`, { name: "Renamed directory" });
    },
  },
  {
    method: "POST",
    path: "/admin/directories/:id/groups/:groupId/mapping",
    scenario: "map a group of 60 members to Client admin (the group read, the mapping's read and its batch)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const tenant = await createTestTenant(fixture.clock, "Mapped Co");
      const directory = await createTestDirectory(fixture.clock, { tenantId: tenant.id });
      const members = [];
      for (let index = 0; index < 60; index += 1) members.push(await createDirectoryUser(fixture.clock, directory));
      const group = await createScimGroup(directoryTestContext(fixture.clock, directory), {
        schemas: [groupSchemaUrnForTests],
        displayName: "Mapped admins",
        members: members.map((member) => ({ value: member.id })),
      });
      return () =>
        agent.post(`/admin/directories/${directory.id}/groups/${String(group.id)}/mapping`, {
          mappedRole: "CLIENT_ADMIN",
        });
    },
  },
];
