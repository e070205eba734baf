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
import { deliverEventsAfterChanges } from "./http/event-delivery";
import { handlePageError } from "./http/page-errors";
import { type AppOptions, provideRequestContext, readClientAddress } from "./http/request-context";
import { scimErrorResponse } from "./http/scim";
import { applySecureHeaders, preventCaching } from "./http/security-headers";
import { adminPages } from "./routes/admin";
import { apiV1 } from "./routes/api/v1";
import { authPages } from "./routes/auth";
import { portalPages } from "./routes/portal";
import { scimV2 } from "./routes/scim";
import { staticRoutes } from "./routes/static";
import { workspacePages } from "./routes/tenants";
import { wellKnownRoutes } from "./routes/well-known";

function isApiPath(url: string): boolean {
  return new URL(url).pathname.startsWith("/api/");
}

function isScimPath(url: string): boolean {
  return new URL(url).pathname.startsWith("/scim/");
}

export function createApp(options: Partial<AppOptions> = {}) {
  const resolved: AppOptions = {
    clock: () => new Date(),
    createDb: createDbFromEnv,
    clientAddress: readClientAddress,
    ...options,
  };

  // The page groups: each sets its own layout (src/http/page-renderer.tsx); errors become pages.
  const pages = new Hono<AppEnv>()
    .use(csrf())
    .use(loadCaller({ acceptApiTokens: false }))
    .route("/", authPages)
    .route("/admin", adminPages)
    .route("/tenants", workspacePages)
    .route("/portal", portalPages);
  pages.onError(handlePageError);

  const app = new Hono<AppEnv>()
    .use(provideRequestContext(resolved))
    .use(deliverEventsAfterChanges)
    .use(applySecureHeaders)
    .use(preventCaching)
    .use(limitRequestBodies())
    .route("/static", staticRoutes)
    // Public like /static: no session, no CSRF (GET only); the audit log's verifier keys.
    .route("/.well-known", wellKnownRoutes)
    // Touches nothing (no session, no store): the runtime's ceiling for benchmarks, and a liveness probe.
    .get("/healthz", (c) => c.text("ok"))
    .route("/api/v1", apiV1)
    .route("/scim/v2", scimV2)
    .route("/", pages);

  // Unknown paths under /api/v1 never get here (the API answers them itself, src/routes/api/v1/index.ts).
  app.notFound((c) => {
    if (isScimPath(c.req.url)) return scimErrorResponse(new AppError("NOT_FOUND"));
    return isApiPath(c.req.url)
      ? problemResponse(c, new AppError("NOT_FOUND"))
      : handlePageError(new AppError("NOT_FOUND"), c);
  });
  app.onError((error, c) => {
    // Refusals before the SCIM routes (a body over the limit) still answer in SCIM's own shape.
    if (isScimPath(c.req.url)) {
      logUnexpectedError(c, error);
      return scimErrorResponse(toAppError(error));
    }
    if (isApiPath(c.req.url)) {
      logUnexpectedError(c, error);
      return problemResponse(c, toAppError(error));
    }
    return handlePageError(error, c);
  });
  return app;
}
