// Global middleware and sub-app mounting. createApp() takes the clock, the store factory and the
// client address reader so tests can build the very same app with a clock and an address they control.
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { createDbFromEnv } from "./db/connect";
import { AppError } from "./errors";
import { loadCaller } from "./http/access";
import type { AppEnv } from "./http/app-env";
import { limitRequestBodies } from "./http/body-limits";
import { logUnexpectedError, problemResponse, toAppError } from "./http/errors";
import { handlePageError } from "./http/page-errors";
import { type AppOptions, provideRequestContext, readClientAddress } from "./http/request-context";
import { applySecureHeaders, preventCaching } from "./http/security-headers";
import { accountRoutes } from "./routes/account";
import { adminAccessGroupMemberRoutes } from "./routes/admin/access-group-members";
import { adminAccessGroupRoutes } from "./routes/admin/access-groups";
import { adminAuditRoutes } from "./routes/admin/audit";
import { adminMembershipRoutes } from "./routes/admin/memberships";
import { adminOutboxRoutes } from "./routes/admin/outbox";
import { adminTenantRoutes } from "./routes/admin/tenants";
import { adminUserAccessGroupRoutes } from "./routes/admin/user-access-groups";
import { adminUserTabRoutes } from "./routes/admin/user-tabs";
import { adminUserRoutes } from "./routes/admin/users";
import { apiV1 } from "./routes/api/v1";
import { homeRoutes } from "./routes/home";
import { portalRoutes } from "./routes/portal";
import { setupRoutes } from "./routes/setup";
import { signInRoutes } from "./routes/sign-in";
import { staticRoutes } from "./routes/static";
import { tenantWorkspaceRoutes } from "./routes/tenant-workspace";

function isApiPath(url: string): boolean {
  return new URL(url).pathname.startsWith("/api/");
}

export function createApp(options: Partial<AppOptions> = {}) {
  const resolved: AppOptions = { clock: () => new Date(), createDb: createDbFromEnv, clientAddress: readClientAddress, ...options };

  const pages = new Hono<AppEnv>()
    .use(csrf())
    .use(loadCaller({ acceptApiTokens: false }))
    .route("/", signInRoutes)
    .route("/", setupRoutes)
    .route("/", homeRoutes)
    .route("/admin/users", adminUserRoutes)
    .route("/admin/users", adminUserTabRoutes)
    .route("/admin/tenants", adminTenantRoutes)
    .route("/admin/memberships", adminMembershipRoutes)
    .route("/admin/users", adminUserAccessGroupRoutes)
    .route("/admin/access-groups", adminAccessGroupRoutes)
    .route("/admin/access-groups", adminAccessGroupMemberRoutes)
    .route("/admin/audit", adminAuditRoutes)
    .route("/account", accountRoutes)
    .route("/tenants", tenantWorkspaceRoutes)
    .route("/portal", portalRoutes)
    .route("/admin/outbox", adminOutboxRoutes);
  pages.onError(handlePageError);

  const app = new Hono<AppEnv>()
    .use(provideRequestContext(resolved))
    .use(applySecureHeaders)
    .use(preventCaching)
    .use(limitRequestBodies())
    .route("/static", staticRoutes)
    // Touches nothing (no session, no store): the runtime's ceiling for benchmarks, and a liveness probe.
    .get("/healthz", (c) => c.text("ok"))
    .route("/api/v1", apiV1)
    .route("/", pages);

  app.notFound((c) =>
    isApiPath(c.req.url) ? problemResponse(c, new AppError("NOT_FOUND")) : handlePageError(new AppError("NOT_FOUND"), c),
  );
  app.onError((error, c) => {
    if (isApiPath(c.req.url)) {
      logUnexpectedError(c, error);
      return problemResponse(c, toAppError(error));
    }
    return handlePageError(error, c);
  });
  return app;
}
