// Headers on every response (docs/SECURITY.md "Headers and errors"): a strict CSP with no inline
// script or style, no framing, no sniffing, HSTS, no referrer (setup links must never leak through
// a Referer), and no-store everywhere except the static assets and the audit log's verifier keys.
//
// One exception: the Outbox's email preview (GET /admin/outbox/:id/preview, SUPER_ADMIN only)
// answers a stored email's HTML for the message page to frame. Its CSP sandboxes the document
// (opaque origin, no scripts, no forms, no popups), loads nothing but inline styles and data:
// images, and lets only Gatehouse's own pages frame it (docs/DECISIONS.md "The Outbox previews").
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env";

const applyConsoleHeaders = secureHeaders({
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

/** The one path whose response may be framed, by Gatehouse itself: an email's HTML preview. */
export const emailPreviewPath = /^\/admin\/outbox\/[^/]+\/preview$/;

/**
 * The preview's CSP: `sandbox` with no allow-* token (an opaque origin: no scripts, forms, popups
 * or top navigation), nothing loaded but the inline styles email HTML carries (mail clients drop
 * style sheets) and data: images, framed by Gatehouse's own pages only.
 */
export const emailPreviewCsp =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export const applySecureHeaders = createMiddleware<AppEnv>(async function applySecureHeaders(c, next) {
  await applyConsoleHeaders(c, next);
  // Only the preview itself: its refusals (403, the sign-in redirect) keep the console's headers.
  if (c.res.status === 200 && emailPreviewPath.test(c.req.path)) {
    c.res.headers.set("Content-Security-Policy", emailPreviewCsp);
    c.res.headers.set("X-Frame-Options", "SAMEORIGIN");
  }
});

/** Public, the same for everyone, and cacheable: the static assets and the audit log's published keys. */
const cacheablePaths = /^\/static\/|^\/\.well-known\/gatehouse-audit-keys$/;

export const preventCaching = createMiddleware<AppEnv>(async function preventCaching(c, next) {
  await next();
  if (!cacheablePaths.test(new URL(c.req.url).pathname)) c.header("Cache-Control", "no-store");
});
