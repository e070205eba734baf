// Headers on every response (docs/SECURITY.md "Headers and errors"): a strict CSP with no inline
// script or style, no framing, no sniffing, HSTS, no referrer (setup links must never leak through
// a Referer), and no-store everywhere except the static assets.
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env";

export const applySecureHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
  strictTransportSecurity: "max-age=63072000; includeSubDomains",
  referrerPolicy: "no-referrer",
  xFrameOptions: "DENY",
  crossOriginEmbedderPolicy: false,
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
});

export const preventCaching = createMiddleware<AppEnv>(async function preventCaching(c, next) {
  await next();
  if (!new URL(c.req.url).pathname.startsWith("/static/")) c.header("Cache-Control", "no-store");
});
