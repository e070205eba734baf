// Stands in for @libsql/client and @libsql/client/web in the D1 deployment: wrangler.toml's [alias]
// points both here, so that Worker does not bundle the libSQL web client (about 30 KiB gzipped,
// docs/PERFORMANCE.md "Worker size"). wrangler.libsql.toml has no such alias and bundles the real
// client. Only createDbFromEnv calls createClient (drizzle's own createClient serves only URLs
// passed to drizzle(), which Gatehouse never does), after readStoreConfig has accepted LIBSQL_URL
// without a DB binding: a Worker deployed from wrangler.toml but configured for libSQL.
import type { Client, Config } from "@libsql/client/web";
import { libsqlLeftOutError } from "../env";

export function createClient(_config: Config): Client {
  throw libsqlLeftOutError();
}
