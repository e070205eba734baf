// The store under test. Tests that run on both stores (auth, domain, jobs, db) take the Worker's
// env and raw SQL access from here, never from "cloudflare:test" or env.DB, and build their Db
// with createDbFromEnv(env) as the Worker does.
//
// This file is the D1 variant (the "d1" project: workerd with a local D1 and KV). The "libsql"
// project of vitest.config.ts replaces it with test/node/store.ts: Node, a local libSQL file, and
// a local KV namespace from miniflare.
import { env as workerEnv } from "cloudflare:test";
import type { Bindings } from "../../src/env";
import type { RawDb } from "./raw-db";

export const storeName = "d1" as "d1" | "libsql";

export const env: Bindings = workerEnv;

export const rawDb: RawDb = workerEnv.DB;
