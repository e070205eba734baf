// Chooses the store from the Worker's configuration: a D1 binding, or a libSQL URL and auth token
// (see README "Using libSQL / Turso"). Exactly one must be configured; src/env.ts says which.
//
// Workers cannot load native modules, so libSQL is reached through the web client (HTTP). Its
// client is made once per isolate (per env object) and reused by every request, as a D1 binding is.
import { createClient } from "@libsql/client/web";
import { type Bindings, readStoreConfig } from "../env";
import { createD1Db, createLibsqlDb, type Db } from "./client";

const dbsByEnv = new WeakMap<Bindings, Db>();

export function createDbFromEnv(env: Bindings): Db {
  const cached = dbsByEnv.get(env);
  if (cached) return cached;
  const store = readStoreConfig(env);
  const db =
    store.kind === "d1"
      ? createD1Db(store.database)
      : createLibsqlDb(createClient({ url: store.url, authToken: store.authToken }));
  dbsByEnv.set(env, db);
  return db;
}
