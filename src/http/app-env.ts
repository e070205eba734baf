import type { Context } from "hono";
import type { Db } from "../db/client";
import type { Principal } from "../domain/access";
import type { Actor, DomainContext } from "../domain/context";
import type { DirectoryCaller } from "../domain/scim/scim-caller";
import type { Bindings, Config } from "../env";
import type { BackgroundRunner } from "./background";

export interface AppVariables {
  requestId: string;
  now: Date;
  db: Db;
  config: Config;
  ip: string | null;
  principal: Principal | null;
  /** The directory calling /scim/v2 (src/http/scim.ts); unset everywhere else. */
  directoryCaller: DirectoryCaller | null;
  /** Work that outlives the response: call runInBackground(c, work) from http/background.ts. */
  runInBackground: BackgroundRunner;
}

export type AppEnv = { Bindings: Bindings; Variables: AppVariables };
export type AppContext = Context<AppEnv>;

/** The domain context of this request: its stores, its clock and its caller. */
export function domainContext(c: AppContext, actor?: Actor): DomainContext {
  const principal = c.get("principal");
  return {
    db: c.get("db"),
    kv: c.env.KV,
    now: c.get("now"),
    config: c.get("config"),
    actor: actor ?? (principal ? { kind: "user", principal } : { kind: "anonymous", email: null }),
    ip: c.get("ip"),
    requestId: c.get("requestId"),
  };
}

export function clientOf(c: AppContext) {
  return { ip: c.get("ip"), userAgent: c.req.header("user-agent") ?? null };
}
