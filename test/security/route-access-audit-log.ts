// Access rows of the verifiable audit log's routes (see route-access-table.ts for the personas):
// the exports and the API take the console permission audit:read, which among the personas only the
// Super admin holds; the verifier keys are public. Rows run in this order: the JSON export seals a
// checkpoint first (the CSV export's row earlier in the table does too), so the newest checkpoint and
// a consistency proof up to it exist for the rows after it. A size never sealed is the Super admin's
// 404, and an event that does not exist its 409 (no leaf: "pending").
import { apiSuperAdmin, consoleSuperAdmin, pagePublic, type RouteRow } from "./route-access-answers";

export const auditLogAccessRows: RouteRow[] = [
  {
    method: "GET",
    route: "/admin/audit/export.json",
    path: "/admin/audit/export.json",
    expect: consoleSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/api/v1/audit/checkpoints",
    path: "/api/v1/audit/checkpoints",
    expect: apiSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/api/v1/audit/checkpoints/latest",
    path: "/api/v1/audit/checkpoints/latest",
    expect: apiSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/api/v1/audit/checkpoints/:treeSize",
    path: "/api/v1/audit/checkpoints/999999999",
    expect: apiSuperAdmin(404),
  },
  {
    method: "GET",
    route: "/api/v1/audit/consistency",
    path: "/api/v1/audit/consistency?from=1",
    expect: apiSuperAdmin(200),
  },
  {
    method: "GET",
    route: "/api/v1/audit-events/:id/proof",
    path: "/api/v1/audit-events/999999999/proof",
    expect: apiSuperAdmin(409),
  },
  {
    method: "GET",
    route: "/.well-known/gatehouse-audit-keys",
    path: "/.well-known/gatehouse-audit-keys",
    expect: pagePublic,
  },
];
