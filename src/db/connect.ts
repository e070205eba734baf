// Chooses the store from the Worker's configuration: a D1 binding, or a libSQL URL (see README
// "Using libSQL / Turso"). Exactly one must be configured.
import type { Bindings } from "../env";
import { createD1Db, type Db } from "./client";

export function createDbFromEnv(env: Bindings): Db {
  if (env.DB) return createD1Db(env.DB);
  throw new Error("Gatehouse configuration is invalid: no D1 binding named DB");
}
