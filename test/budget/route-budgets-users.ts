// Budget rows of a user's console pages (Admin → Users → a user): details, Memberships, Security
// and Access groups tabs, and every action on them. See route-budgets.ts for the rules.
import { env } from "cloudflare:test";
import { createActiveUser, grantTestMembership } from "../helpers/factories";
import { createTestGroup } from "../helpers/groups";
import { registerTestPasskey } from "../helpers/passkeys";
import { createDeactivatedUser, createGroupWithMembers, createMember, signedInWith } from "./budget-helpers";
import type { RouteBudget } from "./route-budgets";

const allGroupsPicker =
  "the Access groups tab offers every access group to add the user to (selectGroups); a handful in practice";

export const userPageBudgets: RouteBudget[] = [
  {
    method: "POST",
    path: "/admin/users/:id",
    scenario: "edit another user's names and Slack ID",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      return () =>
        agent.post(`/admin/users/${subject.id}`, {
          firstName: "Renamed",
          lastName: "Person",
          displayName: "Renamed Person",
          slackId: "U012AB3CD",
          role: "OPERATOR",
        });
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id",
    scenario:
      "role change refused: a membership no longer fits (4: caller; user, permissions, delivery; the refused write; why)",
    maxQueries: 4,
    expectStatus: 409,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user: subject } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      return () =>
        agent.post(`/admin/users/${subject.id}`, {
          firstName: "Test",
          lastName: "Person",
          displayName: "Test Person",
          slackId: "",
          role: "CLIENT_USER",
        });
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/memberships",
    scenario:
      "an operator's two memberships, with the add-membership form (the user, memberships and tenants in one batch)",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: "the add-membership form's tenant picker lists every tenant (listTenantChoices)",
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user: subject } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
      await grantTestMembership(fixture.clock, {
        userId: subject.id,
        tenantId: fixture.tenantIds[1],
        role: "OPERATOR_READONLY",
      });
      return () => agent.get(`/admin/users/${subject.id}/memberships`);
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/security",
    scenario:
      "sessions, sign-in lock and sign-in factors (a passkey) of an active user, the factors in the facts' batch",
    maxQueries: 3,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      await registerTestPasskey(fixture.clock, subject, { name: "Laptop" });
      return () => agent.get(`/admin/users/${subject.id}/security`);
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/deactivate",
    scenario: "confirmation page",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      return () => agent.get(`/admin/users/${subject.id}/deactivate`);
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/deactivate",
    scenario: "deactivate an operator (sessions, tokens and link die in the same batch)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      return () => agent.post(`/admin/users/${subject.id}/deactivate`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/reactivate",
    scenario: "reactivate a deactivated operator",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createDeactivatedUser(fixture);
      return () => agent.post(`/admin/users/${subject.id}/reactivate`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/end-sessions",
    scenario: "end an operator's sessions",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { user: subject } = await signedInWith(fixture, { role: "OPERATOR" });
      return () => agent.post(`/admin/users/${subject.id}/end-sessions`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/clear-lock",
    scenario: "clear a locked account's sign-in lock",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      const now = fixture.clock.now().getTime();
      await env.DB.prepare(
        "INSERT INTO sign_in_throttles (key, failures, window_started_at, locked_until, updated_at) VALUES (?, 10, ?, ?, ?)",
      )
        .bind(`account:${subject.email}`, now, now + 900_000, now)
        .run();
      return () => agent.post(`/admin/users/${subject.id}/clear-lock`, {});
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/reset-two-factor",
    scenario: "confirmation page (recent sign-in)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      return () => agent.get(`/admin/users/${subject.id}/reset-two-factor`);
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/reset-two-factor",
    scenario: "reset an operator's two-factor: new enrollment link and email (redirect to the link page)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      return () => agent.post(`/admin/users/${subject.id}/reset-two-factor`, {});
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/erase",
    scenario: "confirmation page (recent sign-in)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createDeactivatedUser(fixture);
      return () => agent.get(`/admin/users/${subject.id}/erase`);
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/erase",
    scenario: "erase a deactivated user's personal data",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createDeactivatedUser(fixture);
      return () => agent.post(`/admin/users/${subject.id}/erase`, {});
    },
  },
  {
    method: "GET",
    path: "/admin/users/:id/access-groups",
    scenario: "an operator in one group, with the groups to add them to",
    maxQueries: 2,
    expectStatus: 200,
    readsWholeTable: allGroupsPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { members } = await createGroupWithMembers(fixture, ["users:read"], 1);
      await createTestGroup(fixture.clock, ["audit:read"]);
      return () => agent.get(`/admin/users/${members[0]?.id}/access-groups`);
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/access-groups",
    scenario:
      "add an operator to two groups (4: caller; facts; the change; the tab read after it, to name the person and groups in the message)",
    maxQueries: 4,
    expectStatus: 303,
    readsWholeTable: allGroupsPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      const first = await createTestGroup(fixture.clock, ["users:read"]);
      const second = await createTestGroup(fixture.clock, ["tenants:read", "audit:read"]);
      return () =>
        agent.post(`/admin/users/${subject.id}/access-groups`, [
          ["groupIds", first.id],
          ["groupIds", second.id],
        ]);
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/access-groups",
    scenario: "refused: a CLIENT_USER cannot join groups (tab shown again with the error)",
    maxQueries: 3,
    expectStatus: 409,
    readsWholeTable: allGroupsPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "CLIENT_USER" });
      const group = await createTestGroup(fixture.clock, ["users:read"]);
      return () => agent.post(`/admin/users/${subject.id}/access-groups`, [["groupIds", group.id]]);
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/access-groups/:groupId/remove",
    scenario: "confirmation step",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group, members } = await createGroupWithMembers(fixture, ["users:read"], 1);
      return () => agent.post(`/admin/users/${members[0]?.id}/access-groups/${group.id}/remove`, {});
    },
  },
  {
    method: "POST",
    path: "/admin/users/:id/access-groups/:groupId/remove",
    scenario:
      "confirmed: take the user out of the group (4: caller; facts; the change; the tab read after it, for the message)",
    maxQueries: 4,
    expectStatus: 303,
    readsWholeTable: allGroupsPicker,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      const { group, members } = await createGroupWithMembers(fixture, ["users:read"], 2);
      return () => agent.post(`/admin/users/${members[0]?.id}/access-groups/${group.id}/remove`, { confirm: "yes" });
    },
  },
];
