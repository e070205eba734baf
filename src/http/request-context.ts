import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { type Bindings, type Config, readConfig } from "../env";
import type { AppEnv } from "./app-env";
import { type BackgroundRunner, selectBackgroundRunner } from "./background";

export interface AppOptions {
  /** The clock. Production uses the real one; tests pass their own to travel in time. */
  clock: () => Date;
  createDb: (env: Bindings) => Db;
  /** The client address. Production reads it as CLIENT_ADDRESS_SOURCE says; tests pass their own. */
  clientAddress: (request: Request, config: Config) => string | null;
  /** Takes background work when a request has no ExecutionContext (tests: collectBackgroundWork). */
  runInBackground?: BackgroundRunner;
}

/** The one address of every client in local mode: wrangler dev listens on 127.0.0.1 only. */
const localClientAddress = "127.0.0.1";

// Cloudflare's edge sets CF-Connecting-IP to the address the connection came from, replacing any
// copy the client sent. Under wrangler dev nothing replaces it (and miniflare fills request.cf
// too, so the request cannot tell), so a client could name a new address on every attempt and
// never meet the per-address throttle: local mode ignores the header (docs/SECURITY.md
// "The client address").
export function readClientAddress(request: Request, config: Config): string | null {
  if (config.CLIENT_ADDRESS_SOURCE === "local") return localClientAddress;
  return request.headers.get("cf-connecting-ip");
}

export function provideRequestContext(options: AppOptions) {
  return createMiddleware<AppEnv>(async function provideRequestContext(c, next) {
    c.set("requestId", crypto.randomUUID());
    c.set("now", options.clock());
    const config = readConfig(c.env);
    c.set("config", config);
    c.set("db", options.createDb(c.env));
    c.set("ip", options.clientAddress(c.req.raw, config));
    c.set("principal", null);
    c.set("runInBackground", selectBackgroundRunner(c, options.runInBackground));
    await next();
    c.header("X-Request-Id", c.get("requestId"));
  });
}
