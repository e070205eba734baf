// Access rows of the access reviews' API and portal page (see route-access-table.ts for the personas;
// docs/API.md "Access reviews"). Campaigns and a review's progress are the Super admin's alone
// (instance-admin: an access group grants nothing here); items are for everyone signed in, each
// person reaching only the items authorize() lets them review, so an item nobody has answers 404 to
// all of them and a body that is not valid 400. The portal's review page is the tenant's client
// admins' (portalAdmin: a viewer 403, staff 404, as the portal answers).
import { apiSelf, apiSuperAdmin, portalAdmin, type RouteRow } from "./route-access-answers";

export const reviewsApiAccessRows: RouteRow[] = [
  { method: "GET", route: "/api/v1/access-reviews", path: "/api/v1/access-reviews", expect: apiSuperAdmin(200) },
  { method: "POST", route: "/api/v1/access-reviews", path: "/api/v1/access-reviews", expect: apiSuperAdmin(400) },
  {
    method: "GET",
    route: "/api/v1/access-reviews/:id",
    path: "/api/v1/access-reviews/{missing}",
    expect: apiSuperAdmin(404),
  },
  {
    method: "PATCH",
    route: "/api/v1/access-reviews/:id",
    path: "/api/v1/access-reviews/{missing}",
    expect: apiSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/api/v1/access-reviews/:id/stop",
    path: "/api/v1/access-reviews/{missing}/stop",
    expect: apiSuperAdmin(404),
  },
  {
    method: "POST",
    route: "/api/v1/access-reviews/:id/start",
    path: "/api/v1/access-reviews/{missing}/start",
    expect: apiSuperAdmin(404),
  },
  {
    method: "GET",
    route: "/api/v1/access-review-runs/:runId",
    path: "/api/v1/access-review-runs/{missing}",
    expect: apiSuperAdmin(404),
  },
  { method: "GET", route: "/api/v1/access-review-items", path: "/api/v1/access-review-items", expect: apiSelf(200) },
  {
    method: "POST",
    route: "/api/v1/access-review-items/decisions",
    path: "/api/v1/access-review-items/decisions",
    expect: apiSelf(400),
  },
  {
    method: "GET",
    route: "/api/v1/access-review-items/:id",
    path: "/api/v1/access-review-items/{missing}",
    expect: apiSelf(404),
  },
  {
    method: "POST",
    route: "/api/v1/access-review-items/:id/decision",
    path: "/api/v1/access-review-items/{missing}/decision",
    expect: apiSelf(400),
  },
  {
    method: "POST",
    route: "/api/v1/access-review-items/:id/advice",
    path: "/api/v1/access-review-items/{missing}/advice",
    expect: apiSelf(400),
  },
  { method: "GET", route: "/portal/:slug/reviews", path: "/portal/{slug}/reviews", expect: portalAdmin(200) },
  {
    method: "POST",
    route: "/portal/:slug/reviews/items/:itemId/decision",
    path: "/portal/{slug}/reviews/items/{missing}/decision",
    expect: portalAdmin(400),
  },
  {
    method: "POST",
    route: "/portal/:slug/reviews/decisions",
    path: "/portal/{slug}/reviews/decisions",
    expect: portalAdmin(400),
  },
  {
    method: "POST",
    route: "/portal/:slug/reviews/items/:itemId/advice",
    path: "/portal/{slug}/reviews/items/{missing}/advice",
    expect: portalAdmin(400),
  },
];
