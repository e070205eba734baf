// Budget rows of the admin console beyond the users pages: Tenants, Memberships, Access groups,
// Audit log and Outbox. See route-budgets.ts for the rules.
import { env } from "cloudflare:test";
import { addDays } from "date-fns";
import { createActiveUser, createTestTenant, inviteTestUser, uniqueEmail } from "../helpers/factories";
import { createTestGroup, uniqueGroupName } from "../helpers/groups";
import { createGroupWithMembers, createMember, createPopulatedTenant, signedInWith } from "./budget-helpers";
import type { RouteBudget } from "./route-budgets";

const tenantPicker = "the memberships filter and add form offer every tenant (listTenantChoices)";

/** A datetime-local value (UTC, the default zone of fresh users) `days` from the fixture clock. */
const localInDays = (now: Date, days: number) => addDays(now, days).toISOString().slice(0, 16);

export const consoleBudgets: RouteBudget[] = [
  // Tenants
  {
    method: "GET",
    path: "/admin/tenants",
    scenario: "first page with member counts",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/tenants");
    },
  },
  {
    method: "GET",
    path: "/admin/tenants",
    scenario: "search",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/tenants?query=a");
    },
  },
  {
    method: "POST",
    path: "/admin/tenants",
    scenario: "create a tenant",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const slug = `new-${crypto.randomUUID().slice(0, 8)}`;
      return () => agent.post("/admin/tenants", { name: "New Client", slug, description: "A new client." });
    },
  },
  {
    method: "POST",
    path: "/admin/tenants",
    scenario: "slug taken (list shown again with the form)",
    maxQueries: 3,
    expectStatus: 409,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const taken = await createTestTenant(fixture.clock, "Taken");
      return () => agent.post("/admin/tenants", { name: "Another", slug: taken.slug, description: "" });
    },
  },
  {
    method: "GET",
    path: "/admin/tenants/:slug",
    scenario: "settings with the first page of members (the tenant and its members in one batch)",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { tenant } = await createPopulatedTenant(fixture);
      return () => agent.get(`/admin/tenants/${tenant.slug}`);
    },
  },
  {
    method: "POST",
    path: "/admin/tenants/:slug",
    scenario: "rename and describe",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const tenant = await createTestTenant(fixture.clock, "Rename me");
      return () =>
        agent.post(`/admin/tenants/${tenant.slug}`, { name: "Renamed", slug: tenant.slug, description: "Renamed." });
    },
  },
  {
    method: "POST",
    path: "/admin/tenants/:slug",
    scenario: "slug taken (4: caller; tenant; the refused write; the settings again with members)",
    maxQueries: 4,
    expectStatus: 409,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { tenant } = await createPopulatedTenant(fixture);
      const other = await createTestTenant(fixture.clock, "Other");
      return () =>
        agent.post(`/admin/tenants/${tenant.slug}`, { name: tenant.name, slug: other.slug, description: "" });
    },
  },

  // Memberships
  {
    method: "GET",
    path: "/admin/memberships",
    scenario: "first page, tenant picker and cron health",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    readsWholeTable: tenantPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/memberships");
    },
  },
  {
    method: "GET",
    path: "/admin/memberships",
    scenario: "filtered by tenant, role and expiring within 30 days",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    readsWholeTable: tenantPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL", {
        globalRole: "CONTRACTOR",
        expiresAt: addDays(fixture.clock.now(), 10),
      });
      return () =>
        agent.get(`/admin/memberships?tenantId=${fixture.tenantIds[0]}&role=OPERATOR_FULL&expiringWithinDays=30`);
    },
  },
  {
    method: "POST",
    path: "/admin/memberships",
    scenario: "grant by email from the memberships page (contractor with expiry)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const contractor = await createActiveUser(fixture.clock, { role: "CONTRACTOR" });
      return () =>
        agent.post("/admin/memberships", {
          userEmail: contractor.email,
          tenantId: fixture.tenantIds[0],
          role: "OPERATOR_FULL",
          expiresAt: localInDays(fixture.clock.now(), 30),
          returnTo: "/admin/memberships",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/memberships",
    scenario: "grant by user id from the user's Memberships tab",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const operator = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      return () =>
        agent.post("/admin/memberships", {
          userId: operator.id,
          tenantId: fixture.tenantIds[1],
          role: "OPERATOR_READONLY",
          expiresAt: "",
          returnTo: `/admin/users/${operator.id}/memberships`,
        });
    },
  },
  {
    method: "POST",
    path: "/admin/memberships",
    scenario:
      "refused: already a member (3: caller; user, permissions, tenant, the live membership; the list again with the form as typed)",
    maxQueries: 3,
    expectStatus: 409,
    readsWholeTable: tenantPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      return () =>
        agent.post("/admin/memberships", {
          userEmail: user.email,
          tenantId: fixture.tenantIds[0],
          role: "OPERATOR_READONLY",
          expiresAt: "",
          returnTo: "/admin/memberships",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/memberships",
    scenario:
      "refused from a user's Memberships tab: already a member (3: caller; user, permissions, tenant, the live membership; the tab again: user, memberships and tenants in one batch)",
    maxQueries: 3,
    expectStatus: 409,
    readsWholeTable: "the tab's add form offers every tenant (readUserMembershipsTab)",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      return () =>
        agent.post("/admin/memberships", {
          userId: user.id,
          tenantId: fixture.tenantIds[0],
          role: "OPERATOR_READONLY",
          expiresAt: "",
          returnTo: `/admin/users/${user.id}/memberships`,
        });
    },
  },
  {
    method: "POST",
    path: "/admin/memberships",
    scenario:
      "refused from a tenant's settings page: already a member (3: caller; user, permissions, tenant, the live membership; the tenant and its members again)",
    maxQueries: 3,
    expectStatus: 409,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user } = await createMember(fixture, fixture.tenantIds[1], "OPERATOR_FULL");
      return () =>
        agent.post("/admin/memberships", {
          userEmail: user.email,
          tenantId: fixture.tenantIds[1],
          role: "OPERATOR_READONLY",
          expiresAt: "",
          returnTo: `/admin/tenants/${fixture.tenantIds[1].replaceAll("_", "-")}`,
        });
    },
  },
  {
    method: "GET",
    path: "/admin/memberships/:id/edit",
    scenario: "the edit page (2: caller; membership, user, permissions)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { membership } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      return () => agent.get(`/admin/memberships/${membership.id}/edit?returnTo=/admin/memberships`);
    },
  },
  {
    method: "POST",
    path: "/admin/memberships/:id/edit",
    scenario: "change role and expiry",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { membership } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      return () =>
        agent.post(`/admin/memberships/${membership.id}/edit`, {
          role: "OPERATOR_READONLY",
          expiresAt: localInDays(fixture.clock.now(), 60),
          returnTo: "/admin/memberships",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/memberships/:id/edit",
    scenario:
      "refused: a contractor's membership needs an expiry (3: caller; membership, user, permissions; the edit page again)",
    maxQueries: 3,
    expectStatus: 400,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { membership } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL", {
        globalRole: "CONTRACTOR",
        expiresAt: addDays(fixture.clock.now(), 20),
      });
      return () =>
        agent.post(`/admin/memberships/${membership.id}/edit`, {
          role: "OPERATOR_FULL",
          expiresAt: "",
          returnTo: "/admin/memberships",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/memberships/:id/extend",
    scenario: "extend a contractor's membership by 30 days",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { membership } = await createMember(fixture, fixture.tenantIds[1], "OPERATOR_FULL", {
        globalRole: "CONTRACTOR",
        expiresAt: addDays(fixture.clock.now(), 5),
      });
      return () =>
        agent.post(`/admin/memberships/${membership.id}/extend`, { days: "30", returnTo: "/admin/memberships" });
    },
  },
  {
    method: "GET",
    path: "/admin/memberships/:id/remove",
    scenario: "confirmation page",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { membership } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_READONLY");
      return () => agent.get(`/admin/memberships/${membership.id}/remove?returnTo=/admin/memberships`);
    },
  },
  {
    method: "POST",
    path: "/admin/memberships/:id/remove",
    scenario: "revoke a membership",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { membership } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_READONLY");
      return () => agent.post(`/admin/memberships/${membership.id}/remove`, { returnTo: "/admin/memberships" });
    },
  },

  // Access groups
  {
    method: "GET",
    path: "/admin/access-groups",
    scenario: "first page with permissions and member counts",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      await createGroupWithMembers(fixture, ["users:read", "audit:read"], 2);
      return () => agent.get("/admin/access-groups");
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups",
    scenario: "create a group with three permissions",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () =>
        agent.post("/admin/access-groups", [
          ["name", uniqueGroupName("Support")],
          ["description", "First-line support"],
          ["permissions", "users:read"],
          ["permissions", "memberships:read"],
          ["permissions", "tenants:read"],
        ]);
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups",
    scenario: "name taken (list shown again with the form)",
    maxQueries: 3,
    expectStatus: 409,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const taken = await createTestGroup(fixture.clock, ["users:read"]);
      return () =>
        agent.post("/admin/access-groups", [
          ["name", taken.name],
          ["description", ""],
          ["permissions", "users:read"],
        ]);
    },
  },
  {
    method: "GET",
    path: "/admin/access-groups/:id",
    scenario: "a group with members and the people to add",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read", "memberships:read"], 3);
      return () => agent.get(`/admin/access-groups/${group.id}?find=member`);
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id",
    scenario: "rename and describe",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 2);
      return () =>
        agent.post(`/admin/access-groups/${group.id}`, { name: uniqueGroupName("Renamed"), description: "Renamed." });
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id",
    scenario: "name taken (group shown again with its members)",
    maxQueries: 3,
    expectStatus: 409,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 2);
      const other = await createTestGroup(fixture.clock, ["audit:read"]);
      return () => agent.post(`/admin/access-groups/${group.id}`, { name: other.name, description: "" });
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/permissions",
    scenario: "change the permissions of a group with members",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 2);
      return () =>
        agent.post(`/admin/access-groups/${group.id}/permissions`, [
          ["permissions", "users:read"],
          ["permissions", "audit:read"],
        ]);
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/delete",
    scenario: "confirmation step",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 2);
      return () => agent.post(`/admin/access-groups/${group.id}/delete`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/delete",
    scenario: "confirmed: delete a group with three members",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 3);
      return () => agent.post(`/admin/access-groups/${group.id}/delete`, { confirm: "yes" });
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/members",
    scenario: "add two people",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 1);
      const ann = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      const bob = await createActiveUser(fixture.clock, { role: "CONTRACTOR" });
      return () =>
        agent.post(`/admin/access-groups/${group.id}/members`, [
          ["userIds", ann.id],
          ["userIds", bob.id],
        ]);
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/members",
    scenario: "refused: a CLIENT_USER (group shown again with the error)",
    maxQueries: 3,
    expectStatus: 409,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group } = await createGroupWithMembers(fixture, ["users:read"], 1);
      const client = await createActiveUser(fixture.clock, { role: "CLIENT_USER" });
      return () => agent.post(`/admin/access-groups/${group.id}/members`, [["userIds", client.id]]);
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/members/:userId/remove",
    scenario: "confirmation step",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group, members } = await createGroupWithMembers(fixture, ["users:read"], 2);
      return () => agent.post(`/admin/access-groups/${group.id}/members/${members[0]?.id}/remove`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/access-groups/:id/members/:userId/remove",
    scenario: "confirmed: remove one member",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group, members } = await createGroupWithMembers(fixture, ["users:read"], 2);
      return () => agent.post(`/admin/access-groups/${group.id}/members/${members[0]?.id}/remove`, { confirm: "yes" });
    },
  },

  // Audit log and outbox
  {
    method: "GET",
    path: "/admin/audit",
    scenario: "first page, no filter",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    readsWholeTable: "the tenant filter lists every tenant by name (selectTenantChoices), in the page's one batch",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/audit");
    },
  },
  {
    method: "GET",
    path: "/admin/audit",
    scenario: "filtered by action and time",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    readsWholeTable: "the tenant filter lists every tenant by name (selectTenantChoices), in the page's one batch",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const from = localInDays(fixture.clock.now(), -1);
      return () => agent.get(`/admin/audit?action=user.invited&from=${from}`);
    },
  },
  {
    method: "GET",
    path: "/admin/audit",
    scenario: "filtered by a person chosen by email and a tenant (resolved in the same batch)",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    readsWholeTable: "the tenant filter lists every tenant by name (selectTenantChoices), in the page's one batch",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      return () =>
        agent.get(`/admin/audit?targetEmail=${encodeURIComponent(user.email)}&tenantId=${fixture.tenantIds[0]}`);
    },
  },
  {
    method: "GET",
    path: "/admin/outbox",
    scenario: "first page with delivery counts (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return () => agent.get("/admin/outbox");
    },
  },
  {
    method: "GET",
    path: "/admin/outbox/:id",
    scenario: "one invite email",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const invited = await inviteTestUser(fixture.clock, { email: uniqueEmail("outbox") });
      const message = await env.DB.prepare("SELECT id FROM outbox WHERE user_id = ?")
        .bind(invited.user.id)
        .first<{ id: string }>();
      return () => agent.get(`/admin/outbox/${message?.id}`);
    },
  },
  {
    method: "GET",
    path: "/admin/outbox/:id/preview",
    scenario: "one invite email's HTML",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const invited = await inviteTestUser(fixture.clock, { email: uniqueEmail("preview") });
      const message = await env.DB.prepare("SELECT id FROM outbox WHERE user_id = ?")
        .bind(invited.user.id)
        .first<{ id: string }>();
      return () => agent.get(`/admin/outbox/${message?.id}/preview`);
    },
  },
];
