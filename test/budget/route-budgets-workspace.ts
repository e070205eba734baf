// Budget rows of the pages every signed-in person has beyond the console: /account, the operator
// workspace /tenants/:slug and the client portal /portal. See route-budgets.ts for the rules.
import { hashToken } from "../../src/auth/crypto";
import { createActiveUser, grantTestMembership, signInAs, testPassword, uniqueEmail } from "../helpers/factories";
import { totpCode } from "../helpers/totp";
import { createFormerClient, createMember, createPopulatedTenant, type SignedIn, signedInWith } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

const newPassword = "a brand new passphrase for the budget";

/** A signed-in member of a populated tenant: an operator (OPERATOR_FULL) or a client admin. */
async function tenantMember(fixture: BudgetFixture, role: "OPERATOR_FULL" | "CLIENT_ADMIN") {
  const populated = await createPopulatedTenant(fixture, role === "CLIENT_ADMIN" ? "Portal" : "Workspace");
  const { user } = await createMember(fixture, populated.tenant.id, role);
  const agent = await signInAs(fixture.app, fixture.clock, user);
  return { ...populated, agent, user };
}

/** The current TOTP code of the signed-in user, computed when the measured request is sent. */
const currentCode = (fixture: BudgetFixture, { user }: SignedIn) => totpCode(user.totpSecret, fixture.clock.now());

function workspaceRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/tenants/:slug",
      scenario: "OPERATOR_FULL: profile, updates, client users and who has access",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, "OPERATOR_FULL");
        return () => agent.get(`/tenants/${tenant.slug}`);
      },
    },
    {
      method: "GET",
      path: "/tenants/:slug",
      scenario: "OPERATOR_FULL: the next page of client users",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, "OPERATOR_FULL");
        const first = await (await agent.get(`/tenants/${tenant.slug}`)).text();
        const more = /href="([^"]*\?clients=[^"]+)"/.exec(first)?.[1];
        if (!more) throw new Error("the workspace of a tenant larger than a page shows no link to more client users");
        return () => agent.get(more.replaceAll("&amp;", "&"));
      },
    },
    {
      method: "POST",
      path: "/tenants/:slug/profile",
      scenario: "edit the profile",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, "OPERATOR_FULL");
        return () =>
          agent.post(`/tenants/${tenant.slug}/profile`, { name: "Workspace Renamed", description: "New profile." });
      },
    },
    {
      method: "POST",
      path: "/tenants/:slug/updates",
      scenario: "post an update",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, "OPERATOR_FULL");
        return () =>
          agent.post(`/tenants/${tenant.slug}/updates`, { title: "Release notes", body: "Version 2 is live." });
      },
    },
    {
      method: "POST",
      path: "/tenants/:slug/updates",
      scenario: "invalid update (workspace shown again with the errors)",
      maxQueries: 3,
      expectStatus: 400,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, "OPERATOR_FULL");
        return () => agent.post(`/tenants/${tenant.slug}/updates`, { title: "", body: "" });
      },
    },
    {
      method: "GET",
      path: "/tenants/:slug/updates/:updateId/edit",
      scenario: "edit form",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant, updates } = await tenantMember(fixture, "OPERATOR_FULL");
        return () => agent.get(`/tenants/${tenant.slug}/updates/${updates[0]?.id}/edit`);
      },
    },
    {
      method: "POST",
      path: "/tenants/:slug/updates/:updateId/edit",
      scenario: "save an edited update",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant, updates } = await tenantMember(fixture, "OPERATOR_FULL");
        return () =>
          agent.post(`/tenants/${tenant.slug}/updates/${updates[0]?.id}/edit`, {
            title: "Edited",
            body: "Edited body.",
          });
      },
    },
    {
      method: "GET",
      path: "/tenants/:slug/updates/:updateId/delete",
      scenario: "confirmation page",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant, updates } = await tenantMember(fixture, "OPERATOR_FULL");
        return () => agent.get(`/tenants/${tenant.slug}/updates/${updates[0]?.id}/delete`);
      },
    },
    {
      method: "POST",
      path: "/tenants/:slug/updates/:updateId/delete",
      scenario: "delete an update",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant, updates } = await tenantMember(fixture, "OPERATOR_FULL");
        return () => agent.post(`/tenants/${tenant.slug}/updates/${updates[0]?.id}/delete`, {});
      },
    },
  ];
}

/** The client-user management shared by /tenants/:slug/clients and /portal/:slug/users. */
function clientManagementRows(
  prefix: "/tenants/:slug/clients" | "/portal/:slug/users",
  role: "OPERATOR_FULL" | "CLIENT_ADMIN",
): RouteBudget[] {
  const base = (slug: string) => prefix.replace(":slug", slug);
  const who = role;
  return [
    {
      method: "POST",
      path: prefix,
      scenario: `${who} invites a new portal user (redirect to the link page)`,
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, role);
        return () =>
          agent.post(base(tenant.slug), {
            email: uniqueEmail("client"),
            firstName: "Cleo",
            lastName: "Client",
            role: "CLIENT_VIEWER",
          });
      },
    },
    {
      method: "POST",
      path: prefix,
      scenario: `${who} adds back a former portal user of the company`,
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, role);
        const user = await createFormerClient(fixture, tenant.id);
        return () =>
          agent.post(base(tenant.slug), {
            email: user.email,
            firstName: "Any",
            lastName: "Name",
            role: "CLIENT_ADMIN",
          });
      },
    },
    {
      method: "POST",
      path: prefix,
      scenario: `${who} refused: a client user of another company (4: caller; tenant, person and their tenants; the audit event; the page again with the neutral error)`,
      maxQueries: 4,
      expectStatus: 409,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, role);
        const { user } = await createMember(fixture, fixture.tenantIds[1], "CLIENT_VIEWER");
        return () =>
          agent.post(base(tenant.slug), {
            email: user.email,
            firstName: "Any",
            lastName: "Name",
            role: "CLIENT_ADMIN",
          });
      },
    },
    {
      method: "POST",
      path: prefix,
      scenario: `${who} refused: a staff email (4: caller; tenant, person and their tenants; the audit event; the page again with the neutral error)`,
      maxQueries: 4,
      expectStatus: 409,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, role);
        const staff = await createActiveUser(fixture.clock, { role: "OPERATOR" });
        return () =>
          agent.post(base(tenant.slug), {
            email: staff.email,
            firstName: "Staff",
            lastName: "Member",
            role: "CLIENT_VIEWER",
          });
      },
    },
    {
      method: "POST",
      path: `${prefix}/:membershipId/setup-link`,
      scenario: `${who} issues a new link for a pending portal user (redirect to the link page)`,
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant, pending } = await tenantMember(fixture, role);
        return () => agent.post(`${base(tenant.slug)}/${pending.membershipId}/setup-link`, {});
      },
    },
    {
      method: "GET",
      path: `${prefix}/:membershipId/setup-link`,
      scenario: `${who}: the link page, showing the link from the flash once (caller; tenant, membership and person in one batch)`,
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant, pending } = await tenantMember(fixture, role);
        const path = `${base(tenant.slug)}/${pending.membershipId}/setup-link`;
        await agent.post(path, {});
        return () => agent.get(path);
      },
    },
    {
      method: "GET",
      path: `${prefix}/:membershipId/remove`,
      scenario: `${who}: confirmation page`,
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant, viewer } = await tenantMember(fixture, role);
        return () => agent.get(`${base(tenant.slug)}/${viewer.membershipId}/remove`);
      },
    },
    {
      method: "POST",
      path: `${prefix}/:membershipId/remove`,
      scenario: `${who} removes a portal user`,
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, tenant, viewer } = await tenantMember(fixture, role);
        return () => agent.post(`${base(tenant.slug)}/${viewer.membershipId}/remove`, {});
      },
    },
  ];
}

function portalRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/portal",
      scenario: "client user of one company: redirect to it",
      maxQueries: 1,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await tenantMember(fixture, "CLIENT_ADMIN");
        return () => agent.get("/portal");
      },
    },
    {
      method: "GET",
      path: "/portal",
      scenario: "client user of two companies: the chooser",
      maxQueries: 1,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { user } = await createMember(fixture, fixture.tenantIds[0], "CLIENT_VIEWER");
        await grantTestMembership(fixture.clock, {
          userId: user.id,
          tenantId: fixture.tenantIds[1],
          role: "CLIENT_ADMIN",
        });
        const agent = await signInAs(fixture.app, fixture.clock, user);
        return () => agent.get("/portal");
      },
    },
    {
      method: "GET",
      path: "/portal/:slug",
      scenario: "CLIENT_ADMIN: updates, portal users and who has access",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, tenant } = await tenantMember(fixture, "CLIENT_ADMIN");
        return () => agent.get(`/portal/${tenant.slug}`);
      },
    },
  ];
}

function accountRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/account",
      scenario: "profile, sessions, API tokens and recovery codes left",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.get("/account");
      },
    },
    {
      method: "GET",
      path: "/account",
      scenario: "a new API token shown once, from the flash the POST left",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        const created = await agent.post("/account/tokens", { name: "CI", expiresAt: "" });
        const location = created.headers.get("location") ?? "/account";
        return () => agent.get(location);
      },
    },
    {
      method: "POST",
      path: "/account/profile",
      scenario: "change display name and time zone",
      maxQueries: 2,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.post("/account/profile", { displayName: "New Name", timeZone: "Europe/Berlin" });
      },
    },
    {
      method: "POST",
      path: "/account/sessions/end",
      scenario: "end another of one's own sessions",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, user } = await signedInWith(fixture, { role: "OPERATOR" });
        const other = await signInAs(fixture.app, fixture.clock, user);
        const otherSessionId = hashToken(other.sessionCookie() ?? "");
        return () => agent.post("/account/sessions/end", { sessionId: otherSessionId });
      },
    },
    {
      method: "POST",
      path: "/account/sessions/end-others",
      scenario: "sign out everywhere else",
      maxQueries: 2,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, user } = await signedInWith(fixture, { role: "OPERATOR" });
        await signInAs(fixture.app, fixture.clock, user);
        return () => agent.post("/account/sessions/end-others", {});
      },
    },
    {
      method: "POST",
      path: "/account/tokens",
      scenario: "create an API token (its secret travels in the flash to the account page)",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.post("/account/tokens", { name: "CI", expiresAt: "" });
      },
    },
    {
      method: "POST",
      path: "/account/tokens",
      scenario: "refused: no name (account page shown again)",
      maxQueries: 2,
      expectStatus: 400,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.post("/account/tokens", { name: "", expiresAt: "" });
      },
    },
    {
      method: "POST",
      path: "/account/tokens/revoke",
      scenario: "revoke one's token",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        const created = await agent.json("POST", "/api/v1/me/tokens", { name: "old" });
        const { id } = await created.json<{ id: string }>();
        return () => agent.post("/account/tokens/revoke", { tokenId: id });
      },
    },
    {
      method: "POST",
      path: "/account/password",
      scenario: "change the password (other sessions end, notice email)",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () =>
          agent.post("/account/password", {
            currentPassword: testPassword,
            newPassword,
            newPasswordConfirmation: newPassword,
          });
      },
    },
    {
      method: "POST",
      path: "/account/password",
      scenario: "wrong current password (4: caller; user and throttles; the failure recorded; the account page again)",
      maxQueries: 4,
      expectStatus: 400,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () =>
          agent.post("/account/password", {
            currentPassword: "not my password at all",
            newPassword,
            newPasswordConfirmation: newPassword,
          });
      },
    },
    {
      method: "GET",
      path: "/account/recovery-codes",
      scenario: "re-authentication form (the caller's factors read: password + code, a passkey, or both)",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.get("/account/recovery-codes");
      },
    },
    {
      method: "POST",
      path: "/account/recovery-codes",
      scenario: "password and code: ten new codes, then a redirect to the page that shows them once",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const signedIn = await signedInWith(fixture, { role: "OPERATOR" });
        return () =>
          signedIn.agent.post("/account/recovery-codes", {
            password: testPassword,
            code: currentCode(fixture, signedIn),
          });
      },
    },
    {
      method: "POST",
      path: "/account/recovery-codes",
      scenario: "wrong code (failure recorded, form shown again with the caller's factors)",
      maxQueries: 4,
      expectStatus: 400,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.post("/account/recovery-codes", { password: testPassword, code: "000000" });
      },
    },
    {
      method: "GET",
      path: "/account/recovery-codes/new",
      scenario: "the new codes, shown once from the flash (none on a reload)",
      maxQueries: 1,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture, { role: "OPERATOR" });
        return () => agent.get("/account/recovery-codes/new");
      },
    },
    {
      method: "GET",
      path: "/account/confirm",
      scenario: "step-up form (the caller's factors read: password + code, a passkey, or both)",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture);
        return () => agent.get("/account/confirm?next=/admin/users");
      },
    },
    {
      method: "POST",
      path: "/account/confirm",
      scenario: "password and code: sign-in recent again",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const signedIn = await signedInWith(fixture);
        return () =>
          signedIn.agent.post("/account/confirm", {
            password: testPassword,
            code: currentCode(fixture, signedIn),
            next: "/admin/users",
          });
      },
    },
    {
      method: "POST",
      path: "/account/confirm",
      scenario: "wrong password (failure recorded, form shown again with the caller's factors)",
      maxQueries: 4,
      expectStatus: 400,
      prepare: async (fixture) => {
        const { agent } = await signedInWith(fixture);
        return () => agent.post("/account/confirm", { password: "not my password at all", code: "000000" });
      },
    },
  ];
}

export const workspaceBudgets: RouteBudget[] = [
  ...workspaceRows(),
  ...clientManagementRows("/tenants/:slug/clients", "OPERATOR_FULL"),
  ...portalRows(),
  ...clientManagementRows("/portal/:slug/users", "CLIENT_ADMIN"),
  ...accountRows(),
];
