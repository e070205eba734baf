// Access rows of the Audit log page's Super admin actions (see route-access-table.ts for the
// personas): "Seal now" and acknowledging the findings are SUPER_ADMIN only, whatever access
// groups grant (an auditor with audit:read sees the page, not the buttons, and gets 403). The
// empty form is the whole form, so the Super admin's answer is the redirect back to the page.
import { consoleSuperAdmin, type RouteRow } from "./route-access-answers";

export const auditPageAccessRows: RouteRow[] = [
  { method: "POST", route: "/admin/audit/seal", path: "/admin/audit/seal", expect: consoleSuperAdmin(303) },
  {
    method: "POST",
    route: "/admin/audit/findings/acknowledge",
    path: "/admin/audit/findings/acknowledge",
    expect: consoleSuperAdmin(303),
  },
];
