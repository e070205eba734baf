// /api/v1: the JSON API (docs/PRODUCT.md §5). Same domain code and the same authorize() as the pages.
import { Hono } from "hono";
import { AppError } from "../../../errors";
import { loadCaller } from "../../../http/access";
import { requireJsonBodies, requireSameOriginForCookieWrites } from "../../../http/api-middleware";
import type { AppEnv } from "../../../http/app-env";
import { logUnexpectedError, problemResponse, toAppError } from "../../../http/errors";
import { accessGroupsApi } from "./access-groups";
import { accessReviewItemsApi, accessReviewRunsApi, accessReviewsApi } from "./access-reviews";
import { auditEventsApi } from "./audit-events";
import { auditLogApi } from "./audit-log";
import { eventsApi } from "./events";
import { meApi } from "./me";
import { membershipsApi } from "./memberships";
import { tenantContentApi } from "./tenant-content";
import { tenantsApi } from "./tenants";
import { usersApi } from "./users";

export const apiV1 = new Hono<AppEnv>()
  .use(requireJsonBodies())
  .use(loadCaller({ acceptApiTokens: true }))
  .use(requireSameOriginForCookieWrites())
  .route("/me", meApi)
  .route("/users", usersApi)
  .route("/tenants", tenantsApi)
  .route("/tenants", tenantContentApi)
  .route("/memberships", membershipsApi)
  .route("/access-groups", accessGroupsApi)
  .route("/access-reviews", accessReviewsApi)
  .route("/access-review-runs", accessReviewRunsApi)
  .route("/access-review-items", accessReviewItemsApi)
  .route("/audit-events", auditEventsApi)
  .route("/audit", auditLogApi)
  .route("/events", eventsApi)
  // Last, after every endpoint: a path or method none of them answers gets the API's own 404. (A
  // sub-app's notFound() is never consulted once it is mounted with route(); its onError is.)
  .all("*", function refuseUnknownEndpoint() {
    throw new AppError("NOT_FOUND", { detail: "No /api/v1 endpoint answers this method and path." });
  });

apiV1.onError((error, c) => {
  logUnexpectedError(c, error);
  return problemResponse(c, toAppError(error));
});
