// The Worker's bindings outside the Worker, for the scripts that act on the database `npm start`
// serves (the bootstrap, `npm run scim:directory`): wrangler's platform proxy reaches the very same
// local D1 and KV that `wrangler dev` serves, and the domain code runs on them unchanged.
//
// With --remote it reaches the deployed D1 database and KV namespace of wrangler.toml through
// wrangler's remote bindings (needs `wrangler login`). --config=<file> reads another config than
// wrangler.toml: with --config=wrangler.libsql.toml the Worker deployed on libSQL is reached in its
// libSQL database; secrets cannot be read back from Cloudflare, so pass the token as
// LIBSQL_AUTH_TOKEN in the environment. With --persist-to=<dir> it uses the local state in <dir>,
// as `wrangler dev --persist-to <dir>` does (the browser suite starts each run from an empty one).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { createDbFromEnv } from "../src/db/connect";
import type { DomainContext } from "../src/domain/context";
import { type Bindings, readConfig } from "../src/env";

const remoteConfigPath = ".wrangler-bootstrap-remote.toml";

function writeRemoteConfig(configPath: string): string {
  const config = readFileSync(configPath, "utf8").replace(/^(binding = "(?:DB|KV)")$/gm, "$1\nremote = true");
  writeFileSync(remoteConfigPath, config);
  return remoteConfigPath;
}

export interface PlatformOptions {
  remote: boolean;
  persistTo: string | undefined;
  /** --config=<file>; wrangler.toml when not given. */
  config?: string | undefined;
}

/**
 * --remote, --config=<file>, and --persist-to=<dir> as `npm start` passes it; without --persist-to, the
 * GATEHOUSE_STATE_DIR that `npm start` was given (README), so a script run by hand beside it
 * reaches the same local database.
 */
export function readPlatformOptions(
  argv: readonly string[],
  stateDir: string | undefined = process.env.GATEHOUSE_STATE_DIR,
): PlatformOptions {
  const persistToArgument = argv.find((argument) => argument.startsWith("--persist-to="));
  const persistTo = persistToArgument?.slice("--persist-to=".length) ?? (stateDir || undefined);
  const config = argv.find((argument) => argument.startsWith("--config="))?.slice("--config=".length) || undefined;
  return { remote: argv.includes("--remote"), persistTo, config };
}

/**
 * Runs `work` with a DomainContext on the system actor over the local (or remote) bindings, and
 * always releases the proxy. Locally APP_ORIGIN is the address `npm start` serves (PORT, 8787).
 */
export async function withPlatformContext<T>(
  options: PlatformOptions,
  requestId: string,
  work: (ctx: DomainContext) => Promise<T>,
): Promise<T> {
  const config = options.config ?? "wrangler.toml";
  const configPath = options.remote ? writeRemoteConfig(config) : config;
  // wrangler keeps local state in <persist-to>/v3; getPlatformProxy takes that v3 folder itself.
  const persist = options.remote ? false : options.persistTo ? { path: join(options.persistTo, "v3") } : true;
  const proxy = await getPlatformProxy<Bindings>({ configPath, persist, remoteBindings: options.remote });
  const env: Bindings = proxy.env.LIBSQL_URL
    ? { ...proxy.env, LIBSQL_AUTH_TOKEN: process.env.LIBSQL_AUTH_TOKEN || proxy.env.LIBSQL_AUTH_TOKEN }
    : proxy.env;
  try {
    const localOrigin = `http://localhost:${process.env.PORT ?? "8787"}`;
    const appOrigin = options.remote ? env.APP_ORIGIN : (process.env.APP_ORIGIN ?? localOrigin);
    return await work({
      db: createDbFromEnv(env),
      kv: env.KV,
      now: new Date(),
      config: readConfig({ ...env, APP_ORIGIN: appOrigin }),
      actor: { kind: "system" },
      ip: null,
      requestId,
    });
  } finally {
    await proxy.dispose();
    if (options.remote) rmSync(remoteConfigPath, { force: true });
  }
}
