// Access rows of the routes in test/budget/route-budgets-passkeys-policy.ts (see route-access-table.ts for the personas).
// The policy page is an instance-wide setting: Super admins only, whatever an access group grants.
// An empty form changes nothing (no role was required and none is ticked), so the allowed answer is the redirect.
import { apiSuperAdmin, consoleSuperAdmin, type RouteRow } from "./route-access-answers";

export const passkeyPolicyAccessRows: RouteRow[] = [
  { method: "GET", route: "/admin/sign-in-policy", path: "/admin/sign-in-policy", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/sign-in-policy", path: "/admin/sign-in-policy", expect: consoleSuperAdmin(303) },
  {
    method: "GET",
    route: "/api/v1/users/:id/factors",
    path: "/api/v1/users/{userId}/factors",
    expect: apiSuperAdmin(200),
  },
];
