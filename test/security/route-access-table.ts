// The expected answer of every route for every kind of caller (issue 6). authorization.test.ts
// runs each row for each persona and fails when the app has a route without a row here.
//
// Personas: sa = SUPER_ADMIN (no membership), full = OPERATOR with OPERATOR_FULL in the tenant,
// ro = OPERATOR_READONLY, con = CONTRACTOR with a live OPERATOR_FULL membership, exp = CONTRACTOR
// whose membership expired, cadm = CLIENT_ADMIN, cview = CLIENT_VIEWER, off = signed in, then
// deactivated, anon = no credentials.
//
// Paths use placeholders filled from the fixture: {slug} {tenantId} the tenant; {userId} a real
// user (the client viewer); {membershipId} the viewer's membership; {updateId} a real update;
// {messageId} a real outbox message; {missing} an id that exists nowhere. Requests that would
// destroy fixtures target {missing}, so "allowed" shows as 404 there, "denied" as 403 (or 404 where
// the caller may not even know the tenant). Bodies are empty forms for pages and `{}` for the API
// unless a row says otherwise: an allowed caller then gets the validation answer (400).

import {
  answer,
  apiSelf,
  apiSuperAdmin,
  apiTenantClients,
  apiTenantRead,
  apiTenantWrite,
  consoleAnyStaff,
  consoleSuperAdmin,
  pagePublic,
  portalAdmin,
  portalRead,
  type RouteRow,
  scimDirectoryOnly,
  self,
  workspaceRead,
  workspaceWrite,
} from "./route-access-answers";
import { auditLogAccessRows } from "./route-access-audit-log";
import { auditPageAccessRows } from "./route-access-audit-page";
import { eventsAccessRows } from "./route-access-events";
import { accountPasskeyAccessRows } from "./route-access-passkeys-account";
import { passkeyPolicyAccessRows } from "./route-access-passkeys-policy";
import { setupPasskeyAccessRows } from "./route-access-passkeys-setup";
import { passkeySignInAccessRows } from "./route-access-passkeys-signin";
import { reviewsApiAccessRows } from "./route-access-reviews-api";
import { reviewsConsoleAccessRows } from "./route-access-reviews-console";
import { webhookAccessRows } from "./route-access-webhooks";

export { type Expected, type Persona, personas, type RouteRow } from "./route-access-answers";

export const routeAccessTable: RouteRow[] = [
  // Public and sign-in
  { method: "GET", route: "/healthz", path: "/healthz", expect: pagePublic },
  { method: "GET", route: "/static/app.css", path: "/static/app.css", expect: pagePublic },
  { method: "GET", route: "/static/app.js", path: "/static/app.js", expect: pagePublic },
  { method: "GET", route: "/static/passkeys.js", path: "/static/passkeys.js", expect: pagePublic },
  { method: "GET", route: "/", path: "/", expect: answer([303, 303, 303, 303, 303, 303, 303, 303, 303]) },
  { method: "GET", route: "/login", path: "/login", expect: answer([303, 303, 303, 303, 303, 303, 303, 200, 200]) },
  { method: "POST", route: "/login", path: "/login", expect: answer([400, 400, 400, 400, 400, 400, 400, 400, 400]) },
  {
    method: "GET",
    route: "/login/verify",
    path: "/login/verify",
    expect: answer([303, 303, 303, 303, 303, 303, 303, 303, 303]),
  },
  {
    method: "POST",
    route: "/login/verify",
    path: "/login/verify",
    expect: answer([400, 400, 400, 400, 400, 400, 400, 400, 400]),
  },
  { method: "POST", route: "/logout", path: "/logout", expect: answer([303, 303, 303, 303, 303, 303, 303, 303, 303]) },
  {
    method: "GET",
    route: "/setup/:token",
    path: `/setup/${"A".repeat(43)}`,
    expect: answer([404, 404, 404, 404, 404, 404, 404, 404, 404]),
  },
  { method: "GET", route: "/setup", path: "/setup", expect: answer([404, 404, 404, 404, 404, 404, 404, 404, 404]) },
  { method: "POST", route: "/setup", path: "/setup", expect: answer([404, 404, 404, 404, 404, 404, 404, 404, 404]) },

  // Console home and users
  { method: "GET", route: "/admin", path: "/admin", expect: consoleAnyStaff(200) },
  { method: "GET", route: "/admin/users", path: "/admin/users", expect: consoleSuperAdmin(200) },
  { method: "GET", route: "/admin/users/new", path: "/admin/users/new", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/users", path: "/admin/users", expect: consoleSuperAdmin(400) },
  { method: "GET", route: "/admin/users/:id", path: "/admin/users/{userId}", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/users/:id", path: "/admin/users/{userId}", expect: consoleSuperAdmin(400) },
  {
    method: "POST",
    route: "/admin/users/:id/setup-link",
    path: "/admin/users/{missing}/setup-link",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "GET",
    route: "/admin/users/:id/setup-link",
    path: "/admin/users/{userId}/setup-link",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/admin/users/:id/memberships",
    path: "/admin/users/{userId}/memberships",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/admin/users/:id/security",
    path: "/admin/users/{userId}/security",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/admin/users/:id/deactivate",
    path: "/admin/users/{userId}/deactivate",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/users/:id/deactivate",
    path: "/admin/users/{missing}/deactivate",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/users/:id/reactivate",
    path: "/admin/users/{missing}/reactivate",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/users/:id/end-sessions",
    path: "/admin/users/{missing}/end-sessions",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/users/:id/clear-lock",
    path: "/admin/users/{missing}/clear-lock",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "GET",
    route: "/admin/users/:id/reset-two-factor",
    path: "/admin/users/{userId}/reset-two-factor",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/users/:id/reset-two-factor",
    path: "/admin/users/{missing}/reset-two-factor",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "GET",
    route: "/admin/users/:id/erase",
    path: "/admin/users/{userId}/erase",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/users/:id/erase",
    path: "/admin/users/{missing}/erase",
    expect: consoleSuperAdmin(404),
  },

  // Console tenants, memberships, outbox
  { method: "GET", route: "/admin/tenants", path: "/admin/tenants", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/tenants", path: "/admin/tenants", expect: consoleSuperAdmin(400) },
  { method: "GET", route: "/admin/tenants/:slug", path: "/admin/tenants/{slug}", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/tenants/:slug", path: "/admin/tenants/{slug}", expect: consoleSuperAdmin(303) },
  { method: "GET", route: "/admin/memberships", path: "/admin/memberships", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/memberships", path: "/admin/memberships", expect: consoleSuperAdmin(400) },
  {
    method: "GET",
    route: "/admin/memberships/:id/edit",
    path: "/admin/memberships/{membershipId}/edit",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/memberships/:id/edit",
    path: "/admin/memberships/{missing}/edit",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/memberships/:id/extend",
    path: "/admin/memberships/{missing}/extend",
    expect: consoleSuperAdmin(400),
  },
  {
    method: "GET",
    route: "/admin/memberships/:id/remove",
    path: "/admin/memberships/{membershipId}/remove",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/memberships/:id/remove",
    path: "/admin/memberships/{missing}/remove",
    expect: consoleSuperAdmin(404),
  },
  { method: "GET", route: "/admin/outbox", path: "/admin/outbox", expect: consoleSuperAdmin(200) },
  { method: "GET", route: "/admin/outbox/:id", path: "/admin/outbox/{messageId}", expect: consoleSuperAdmin(200) },
  {
    method: "GET",
    route: "/admin/outbox/:id/preview",
    path: "/admin/outbox/{messageId}/preview",
    expect: consoleSuperAdmin(200),
  },

  // Console directories (issue 18): SUPER_ADMIN only, like the outbox; an operator with every permission gets 403.
  // Real ids (a company directory, its group and token): the revoke answers its confirmation, an
  // empty mapping means "grants nothing", an empty name is refused.
  { method: "GET", route: "/admin/directories", path: "/admin/directories", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/directories", path: "/admin/directories", expect: consoleSuperAdmin(400) },
  { method: "GET", route: "/admin/directories/new", path: "/admin/directories/new", expect: consoleSuperAdmin(200) },
  {
    method: "GET",
    route: "/admin/directories/:id",
    path: "/admin/directories/{directoryId}",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/directories/:id/tokens",
    path: "/admin/directories/{directoryId}/tokens",
    expect: consoleSuperAdmin(303),
  },
  {
    method: "POST",
    route: "/admin/directories/:id/tokens/:tokenId/revoke",
    path: "/admin/directories/{directoryId}/tokens/{directoryTokenId}/revoke",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/directories/:id/name",
    path: "/admin/directories/{directoryId}/name",
    expect: consoleSuperAdmin(400),
  },
  {
    method: "POST",
    route: "/admin/directories/:id/groups/:groupId/mapping",
    path: "/admin/directories/{directoryId}/groups/{directoryGroupId}/mapping",
    expect: consoleSuperAdmin(303),
  },

  // Console access groups and audit log (issue 7). grp_readonly_auditor is seeded by migration 0001.
  {
    method: "GET",
    route: "/admin/users/:id/access-groups",
    path: "/admin/users/{userId}/access-groups",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/users/:id/access-groups",
    path: "/admin/users/{userId}/access-groups",
    expect: consoleSuperAdmin(400),
  },
  {
    method: "POST",
    route: "/admin/users/:id/access-groups/:groupId/remove",
    path: "/admin/users/{userId}/access-groups/{missing}/remove",
    expect: consoleSuperAdmin(404),
  },
  { method: "GET", route: "/admin/access-groups", path: "/admin/access-groups", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/access-groups", path: "/admin/access-groups", expect: consoleSuperAdmin(400) },
  {
    method: "GET",
    route: "/admin/access-groups/:id",
    path: "/admin/access-groups/grp_readonly_auditor",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "POST",
    route: "/admin/access-groups/:id",
    path: "/admin/access-groups/grp_readonly_auditor",
    expect: consoleSuperAdmin(400),
  },
  {
    method: "POST",
    route: "/admin/access-groups/:id/permissions",
    path: "/admin/access-groups/{missing}/permissions",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/access-groups/:id/delete",
    path: "/admin/access-groups/{missing}/delete",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/access-groups/:id/members",
    path: "/admin/access-groups/{missing}/members",
    expect: consoleSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/admin/access-groups/:id/members/:userId/remove",
    path: "/admin/access-groups/{missing}/members/{userId}/remove",
    expect: consoleSuperAdmin(404),
  },
  { method: "GET", route: "/admin/audit", path: "/admin/audit", expect: consoleSuperAdmin(200) },
  { method: "GET", route: "/admin/audit/export.csv", path: "/admin/audit/export.csv", expect: consoleSuperAdmin(200) },

  // Account (every signed-in user, for themselves)
  { method: "GET", route: "/account", path: "/account", expect: self(200) },
  { method: "POST", route: "/account/profile", path: "/account/profile", expect: self(400) },
  { method: "POST", route: "/account/password", path: "/account/password", expect: self(400) },
  { method: "POST", route: "/account/sessions/end", path: "/account/sessions/end", expect: self(404) },
  { method: "POST", route: "/account/sessions/end-others", path: "/account/sessions/end-others", expect: self(303) },
  { method: "POST", route: "/account/tokens", path: "/account/tokens", expect: self(400) },
  { method: "POST", route: "/account/tokens/revoke", path: "/account/tokens/revoke", expect: self(404) },
  { method: "GET", route: "/account/recovery-codes", path: "/account/recovery-codes", expect: self(200) },
  { method: "POST", route: "/account/recovery-codes", path: "/account/recovery-codes", expect: self(400) },
  { method: "GET", route: "/account/recovery-codes/new", path: "/account/recovery-codes/new", expect: self(200) },
  { method: "GET", route: "/account/confirm", path: "/account/confirm", expect: self(200) },
  { method: "POST", route: "/account/confirm", path: "/account/confirm", expect: self(400) },

  // Operator workspace
  { method: "GET", route: "/tenants/:slug", path: "/tenants/{slug}", expect: workspaceRead(200) },
  { method: "POST", route: "/tenants/:slug/profile", path: "/tenants/{slug}/profile", expect: workspaceWrite(303) },
  { method: "POST", route: "/tenants/:slug/updates", path: "/tenants/{slug}/updates", expect: workspaceWrite(400) },
  {
    method: "GET",
    route: "/tenants/:slug/updates/:updateId/edit",
    path: "/tenants/{slug}/updates/{updateId}/edit",
    expect: workspaceWrite(200),
  },
  {
    method: "POST",
    route: "/tenants/:slug/updates/:updateId/edit",
    path: "/tenants/{slug}/updates/{updateId}/edit",
    expect: workspaceWrite(400),
  },
  {
    method: "GET",
    route: "/tenants/:slug/updates/:updateId/delete",
    path: "/tenants/{slug}/updates/{updateId}/delete",
    expect: workspaceWrite(200),
  },
  {
    method: "POST",
    route: "/tenants/:slug/updates/:updateId/delete",
    path: "/tenants/{slug}/updates/{missing}/delete",
    expect: workspaceWrite(404),
  },
  { method: "POST", route: "/tenants/:slug/clients", path: "/tenants/{slug}/clients", expect: workspaceWrite(400) },
  {
    method: "GET",
    route: "/tenants/:slug/clients/:membershipId/remove",
    path: "/tenants/{slug}/clients/{membershipId}/remove",
    expect: workspaceWrite(200),
  },
  {
    method: "POST",
    route: "/tenants/:slug/clients/:membershipId/remove",
    path: "/tenants/{slug}/clients/{missing}/remove",
    expect: workspaceWrite(404),
  },
  {
    method: "POST",
    route: "/tenants/:slug/clients/:membershipId/setup-link",
    path: "/tenants/{slug}/clients/{missing}/setup-link",
    expect: workspaceWrite(404),
  },
  {
    method: "GET",
    route: "/tenants/:slug/clients/:membershipId/setup-link",
    path: "/tenants/{slug}/clients/{membershipId}/setup-link",
    expect: workspaceWrite(200),
  },

  // Client portal
  { method: "GET", route: "/portal", path: "/portal", expect: answer([404, 404, 404, 404, 404, 303, 303, 303, 303]) },
  { method: "GET", route: "/portal/:slug", path: "/portal/{slug}", expect: portalRead(200) },
  { method: "POST", route: "/portal/:slug/users", path: "/portal/{slug}/users", expect: portalAdmin(400) },
  {
    method: "GET",
    route: "/portal/:slug/users/:membershipId/remove",
    path: "/portal/{slug}/users/{membershipId}/remove",
    expect: portalAdmin(200),
  },
  {
    method: "POST",
    route: "/portal/:slug/users/:membershipId/remove",
    path: "/portal/{slug}/users/{missing}/remove",
    expect: portalAdmin(404),
  },
  {
    method: "POST",
    route: "/portal/:slug/users/:membershipId/setup-link",
    path: "/portal/{slug}/users/{missing}/setup-link",
    expect: portalAdmin(404),
  },
  {
    method: "GET",
    route: "/portal/:slug/users/:membershipId/setup-link",
    path: "/portal/{slug}/users/{membershipId}/setup-link",
    expect: portalAdmin(200),
  },

  // API: the caller
  { method: "GET", route: "/api/v1/me", path: "/api/v1/me", expect: apiSelf(200) },
  { method: "GET", route: "/api/v1/me/tokens", path: "/api/v1/me/tokens", expect: apiSelf(200) },
  { method: "POST", route: "/api/v1/me/tokens", path: "/api/v1/me/tokens", expect: apiSelf(400) },
  { method: "DELETE", route: "/api/v1/me/tokens/:id", path: "/api/v1/me/tokens/{missing}", expect: apiSelf(404) },

  // API: console resources
  { method: "GET", route: "/api/v1/users", path: "/api/v1/users", expect: apiSuperAdmin(200) },
  { method: "POST", route: "/api/v1/users", path: "/api/v1/users", expect: apiSuperAdmin(400) },
  { method: "POST", route: "/api/v1/users/bulk", path: "/api/v1/users/bulk", expect: apiSuperAdmin(400) },
  { method: "GET", route: "/api/v1/users/:id", path: "/api/v1/users/{userId}", expect: apiSuperAdmin(200) },
  { method: "PATCH", route: "/api/v1/users/:id", path: "/api/v1/users/{userId}", expect: apiSuperAdmin(200) },
  {
    method: "POST",
    route: "/api/v1/users/:id/deactivate",
    path: "/api/v1/users/{missing}/deactivate",
    expect: apiSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/api/v1/users/:id/reactivate",
    path: "/api/v1/users/{missing}/reactivate",
    expect: apiSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/api/v1/users/:id/setup-link",
    path: "/api/v1/users/{missing}/setup-link",
    expect: apiSuperAdmin(404),
  },
  { method: "GET", route: "/api/v1/tenants", path: "/api/v1/tenants", expect: apiSuperAdmin(200) },
  { method: "POST", route: "/api/v1/tenants", path: "/api/v1/tenants", expect: apiSuperAdmin(400) },
  { method: "GET", route: "/api/v1/tenants/:id", path: "/api/v1/tenants/{tenantId}", expect: apiSuperAdmin(200) },
  { method: "PATCH", route: "/api/v1/tenants/:id", path: "/api/v1/tenants/{tenantId}", expect: apiSuperAdmin(200) },
  { method: "GET", route: "/api/v1/memberships", path: "/api/v1/memberships", expect: apiSuperAdmin(200) },
  { method: "POST", route: "/api/v1/memberships", path: "/api/v1/memberships", expect: apiSuperAdmin(400) },
  {
    method: "PATCH",
    route: "/api/v1/memberships/:id",
    path: "/api/v1/memberships/{missing}",
    expect: apiSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/api/v1/memberships/:id/extend",
    path: "/api/v1/memberships/{missing}/extend",
    expect: apiSuperAdmin(400),
  },
  {
    method: "DELETE",
    route: "/api/v1/memberships/:id",
    path: "/api/v1/memberships/{missing}",
    expect: apiSuperAdmin(404),
  },
  { method: "GET", route: "/api/v1/access-groups", path: "/api/v1/access-groups", expect: apiSuperAdmin(200) },
  { method: "POST", route: "/api/v1/access-groups", path: "/api/v1/access-groups", expect: apiSuperAdmin(400) },
  {
    method: "GET",
    route: "/api/v1/access-groups/:id",
    path: "/api/v1/access-groups/grp_readonly_auditor",
    expect: apiSuperAdmin(200),
  },
  {
    method: "PATCH",
    route: "/api/v1/access-groups/:id",
    path: "/api/v1/access-groups/{missing}",
    expect: apiSuperAdmin(400),
  },
  {
    method: "DELETE",
    route: "/api/v1/access-groups/:id",
    path: "/api/v1/access-groups/{missing}",
    expect: apiSuperAdmin(404),
  },
  {
    method: "PUT",
    route: "/api/v1/access-groups/:id/members",
    path: "/api/v1/access-groups/{missing}/members",
    expect: apiSuperAdmin(400),
  },
  { method: "GET", route: "/api/v1/audit-events", path: "/api/v1/audit-events", expect: apiSuperAdmin(200) },

  // API: a tenant's content
  {
    method: "GET",
    route: "/api/v1/tenants/:id/updates",
    path: "/api/v1/tenants/{tenantId}/updates",
    expect: apiTenantRead(200),
  },
  {
    method: "POST",
    route: "/api/v1/tenants/:id/updates",
    path: "/api/v1/tenants/{tenantId}/updates",
    expect: apiTenantWrite(400),
  },
  {
    method: "PATCH",
    route: "/api/v1/tenants/:id/updates/:updateId",
    path: "/api/v1/tenants/{tenantId}/updates/{updateId}",
    expect: apiTenantWrite(400),
  },
  {
    method: "DELETE",
    route: "/api/v1/tenants/:id/updates/:updateId",
    path: "/api/v1/tenants/{tenantId}/updates/{missing}",
    expect: apiTenantWrite(404),
  },
  {
    method: "GET",
    route: "/api/v1/tenants/:id/members",
    path: "/api/v1/tenants/{tenantId}/members",
    expect: apiTenantRead(200),
  },
  {
    method: "POST",
    route: "/api/v1/tenants/:id/members",
    path: "/api/v1/tenants/{tenantId}/members",
    expect: apiTenantClients(400),
  },
  {
    method: "DELETE",
    route: "/api/v1/tenants/:id/members/:membershipId",
    path: "/api/v1/tenants/{tenantId}/members/{missing}",
    expect: apiTenantClients(404),
  },

  // SCIM (/scim/v2): discovery is public; everything else needs a directory's token
  {
    method: "GET",
    route: "/scim/v2/ServiceProviderConfig",
    path: "/scim/v2/ServiceProviderConfig",
    expect: pagePublic,
  },
  { method: "GET", route: "/scim/v2/ResourceTypes", path: "/scim/v2/ResourceTypes", expect: pagePublic },
  { method: "GET", route: "/scim/v2/ResourceTypes/:name", path: "/scim/v2/ResourceTypes/User", expect: pagePublic },
  { method: "GET", route: "/scim/v2/Schemas", path: "/scim/v2/Schemas", expect: pagePublic },
  {
    method: "GET",
    route: "/scim/v2/Schemas/:urn",
    path: "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    expect: pagePublic,
  },
  { method: "GET", route: "/scim/v2/Users", path: "/scim/v2/Users", expect: scimDirectoryOnly },
  { method: "POST", route: "/scim/v2/Users", path: "/scim/v2/Users", expect: scimDirectoryOnly },
  { method: "POST", route: "/scim/v2/Users/.search", path: "/scim/v2/Users/.search", expect: scimDirectoryOnly },
  { method: "GET", route: "/scim/v2/Users/:id", path: "/scim/v2/Users/{userId}", expect: scimDirectoryOnly },
  { method: "PUT", route: "/scim/v2/Users/:id", path: "/scim/v2/Users/{userId}", expect: scimDirectoryOnly },
  { method: "PATCH", route: "/scim/v2/Users/:id", path: "/scim/v2/Users/{userId}", expect: scimDirectoryOnly },
  { method: "DELETE", route: "/scim/v2/Users/:id", path: "/scim/v2/Users/{userId}", expect: scimDirectoryOnly },
  { method: "GET", route: "/scim/v2/Groups", path: "/scim/v2/Groups", expect: scimDirectoryOnly },
  { method: "POST", route: "/scim/v2/Groups", path: "/scim/v2/Groups", expect: scimDirectoryOnly },
  { method: "GET", route: "/scim/v2/Groups/:id", path: "/scim/v2/Groups/{missing}", expect: scimDirectoryOnly },
  { method: "PUT", route: "/scim/v2/Groups/:id", path: "/scim/v2/Groups/{missing}", expect: scimDirectoryOnly },
  { method: "PATCH", route: "/scim/v2/Groups/:id", path: "/scim/v2/Groups/{missing}", expect: scimDirectoryOnly },
  { method: "DELETE", route: "/scim/v2/Groups/:id", path: "/scim/v2/Groups/{missing}", expect: scimDirectoryOnly },
  ...passkeySignInAccessRows,
  ...accountPasskeyAccessRows,
  ...setupPasskeyAccessRows,
  ...passkeyPolicyAccessRows,
  ...webhookAccessRows,
  ...eventsAccessRows,
  ...auditPageAccessRows,
  ...auditLogAccessRows,
  ...reviewsApiAccessRows,
  ...reviewsConsoleAccessRows,
];
