import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { type Bindings, readConfig } from "../env";
import type { AppEnv } from "./app-env";
import { type BackgroundRunner, selectBackgroundRunner } from "./background";

export interface AppOptions {
  /** The clock. Production uses the real one; tests pass their own to travel in time. */
  clock: () => Date;
  createDb: (env: Bindings) => Db;
  /** Takes background work when a request has no ExecutionContext (tests: collectBackgroundWork). */
  runInBackground?: BackgroundRunner;
}

export function provideRequestContext(options: AppOptions) {
  return createMiddleware<AppEnv>(async function provideRequestContext(c, next) {
    c.set("requestId", crypto.randomUUID());
    c.set("now", options.clock());
    c.set("config", readConfig(c.env));
    c.set("db", options.createDb(c.env));
    c.set("ip", c.req.header("cf-connecting-ip") ?? null);
    c.set("principal", null);
    c.set("runInBackground", selectBackgroundRunner(c, options.runInBackground));
    await next();
    c.header("X-Request-Id", c.get("requestId"));
  });
}
