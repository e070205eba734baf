// Access rows of GET /api/v1/events (see route-access-table.ts for the personas): it takes the
// console permission audit:read, as the audit log does, which among the personas only the Super
// admin holds; no credentials, or a deactivated account's, get 401.
import { apiSuperAdmin, type RouteRow } from "./route-access-answers";

export const eventsAccessRows: RouteRow[] = [
  { method: "GET", route: "/api/v1/events", path: "/api/v1/events", expect: apiSuperAdmin(200) },
];
