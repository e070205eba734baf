// Access rows of Admin → Webhooks (test/budget/route-budgets-webhooks.ts; see route-access-table.ts
// for the personas): SUPER_ADMIN only, like Directories and the Outbox, so an Operator holding every
// permission gets 403. The fixture has no endpoint (an enabled one would start background deliveries
// after every write of the sweep), so one endpoint's routes target {missing}: allowed shows as 404.
// An empty "Add endpoint" form is refused with the form again (400).
import { consoleSuperAdmin, type RouteRow } from "./route-access-answers";

const ofMissingEndpoint = (method: "GET" | "POST", route: string): RouteRow => ({
  method,
  route: `/admin/webhooks/:id${route}`,
  path: `/admin/webhooks/{missing}${route.replace(":deliveryId", "{missing}")}`,
  expect: consoleSuperAdmin(404),
});

export const webhookAccessRows: RouteRow[] = [
  { method: "GET", route: "/admin/webhooks", path: "/admin/webhooks", expect: consoleSuperAdmin(200) },
  { method: "POST", route: "/admin/webhooks", path: "/admin/webhooks", expect: consoleSuperAdmin(400) },
  { method: "GET", route: "/admin/webhooks/new", path: "/admin/webhooks/new", expect: consoleSuperAdmin(200) },
  ofMissingEndpoint("GET", ""),
  ofMissingEndpoint("GET", "/edit"),
  ofMissingEndpoint("POST", "/edit"),
  ofMissingEndpoint("POST", "/pause"),
  ofMissingEndpoint("POST", "/resume"),
  ofMissingEndpoint("POST", "/rotate-secret"),
  ofMissingEndpoint("GET", "/delete"),
  ofMissingEndpoint("POST", "/delete"),
  ofMissingEndpoint("POST", "/deliveries/:deliveryId/resend"),
];
