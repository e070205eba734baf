// Stands in for "@libsql/client/web" in the libsql project (vitest.config.ts). The web client
// speaks only HTTP to a libSQL server, and there is none in the tests: every client the Worker's
// code asks for (src/db/connect.ts, with the LIBSQL_URL of test/node/store.ts) is this test
// file's local database instead. Everything above the client (configuration checks, the
// per-isolate cache, drizzle's libSQL driver, write-mode batches) is the production code.
import type { Client, Config } from "@libsql/client";
import { localClient } from "./local-database";

export * from "@libsql/client";

export function createClient(_config: Config): Client {
  return localClient;
}
