// Request bodies are capped per route before anything reads them (docs/SECURITY.md "Request
// bodies", the table in docs/API.md "Request limits"). hono's bodyLimit refuses at once when the
// declared Content-Length is over the limit, and otherwise counts a streamed body as it arrives and
// stops at the first chunk over it: an oversized body is never read in full, let alone parsed.
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono/types";
import { scimLimits } from "../domain/scim/scim-schemas";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";

const kibibyteBytes = 1024;
const mebibyteBytes = 1024 * kibibyteBytes;

/** Forms and ordinary JSON: the largest legitimate one (a 5,000-character update) is far below. */
export const defaultBodyLimitBytes = 64 * kibibyteBytes;

/** 500 invite rows with memberships come to about 250 KB. */
export const bulkInviteBodyLimitBytes = mebibyteBytes;

/** SCIM writes: a group replaced with all its members (10,000 members come to about 600 KB); advertised in ServiceProviderConfig. */
export const scimBodyLimitBytes = scimLimits.maxPayloadBytes;

/** Routes allowed more than the default; a path ending in "/" covers everything under it. Keep docs/API.md "Request limits" in step. */
const largerBodyRoutes = [
  { method: "POST", path: "/api/v1/users/bulk", limitBytes: bulkInviteBodyLimitBytes },
  ...["POST", "PUT", "PATCH"].map((method) => ({ method, path: "/scim/v2/", limitBytes: scimBodyLimitBytes })),
];

function matchesRoute(route: { method: string; path: string }, method: string, path: string): boolean {
  if (route.method !== method) return false;
  return route.path.endsWith("/") ? path.startsWith(route.path) : path === route.path;
}

function describeBytes(bytes: number): string {
  return bytes % mebibyteBytes === 0 ? `${bytes / mebibyteBytes} MiB` : `${bytes / kibibyteBytes} KiB`;
}

function refuseBodiesOver(limitBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: limitBytes,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", {
        detail: `The request body is larger than the ${describeBytes(limitBytes)} (${limitBytes} bytes) this route accepts.`,
        extensions: { limitBytes },
      });
    },
  });
}

export function limitRequestBodies() {
  const defaultLimit = refuseBodiesOver(defaultBodyLimitBytes);
  const exceptions = largerBodyRoutes.map((route) => ({ ...route, limit: refuseBodiesOver(route.limitBytes) }));
  return createMiddleware<AppEnv>(async function limitRequestBodies(c, next) {
    const path = new URL(c.req.url).pathname;
    const exception = exceptions.find((route) => matchesRoute(route, c.req.method, path));
    const limit = exception?.limit ?? defaultLimit;
    // A streamed body (no Content-Length) is only counted as it is read, and a route that takes no
    // body (a DELETE) never reads it: read it here, through the limit, so every route answers 413.
    return limit(c, async () => {
      if (c.req.raw.body && !c.req.header("content-length")) await c.req.arrayBuffer();
      await next();
    });
  });
}
