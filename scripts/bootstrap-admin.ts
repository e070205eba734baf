// Run by `npm start` after the migrations: creates the first SUPER_ADMIN on an empty local
// database and prints the setup link. It goes through wrangler's platform proxy, so it writes to
// the very same local D1 and KV that `wrangler dev` serves, with the same domain code.
//
// With --remote it does the same against the deployed D1 database and KV namespace of
// wrangler.toml through wrangler's remote bindings (needs `wrangler login`). A Worker configured
// for libSQL (LIBSQL_URL in wrangler.toml) is bootstrapped in its libSQL database; secrets cannot
// be read back from Cloudflare, so pass the token as LIBSQL_AUTH_TOKEN in the environment.
// With --persist-to=<dir> it uses the local state in <dir>, as `wrangler dev --persist-to <dir>`
// does (the browser suite starts each run from an empty one).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { createDbFromEnv } from "../src/db/connect";
import { bootstrapFirstAdmin } from "../src/domain/invites/bootstrap";
import { type Bindings, readConfig } from "../src/env";

const remote = process.argv.includes("--remote");
const persistToArgument = process.argv.find((argument) => argument.startsWith("--persist-to="));
const persistTo = persistToArgument?.slice("--persist-to=".length);
const remoteConfigPath = ".wrangler-bootstrap-remote.toml";

function writeRemoteConfig(): string {
  const config = readFileSync("wrangler.toml", "utf8").replace(/^(binding = "(?:DB|KV)")$/gm, "$1\nremote = true");
  writeFileSync(remoteConfigPath, config);
  return remoteConfigPath;
}

const configPath = remote ? writeRemoteConfig() : "wrangler.toml";
// wrangler keeps local state in <persist-to>/v3; getPlatformProxy takes that v3 folder itself.
const persist = remote ? false : persistTo ? { path: join(persistTo, "v3") } : true;
const proxy = await getPlatformProxy<Bindings>({ configPath, persist, remoteBindings: remote });
const { dispose } = proxy;
const env: Bindings = proxy.env.LIBSQL_URL
  ? { ...proxy.env, LIBSQL_AUTH_TOKEN: process.env.LIBSQL_AUTH_TOKEN || proxy.env.LIBSQL_AUTH_TOKEN }
  : proxy.env;
try {
  const localOrigin = `http://127.0.0.1:${process.env.PORT ?? "8787"}`;
  const config = readConfig({ ...env, APP_ORIGIN: remote ? env.APP_ORIGIN : (process.env.APP_ORIGIN ?? localOrigin) });
  const outcome = await bootstrapFirstAdmin({
    db: createDbFromEnv(env),
    kv: env.KV,
    now: new Date(),
    config,
    actor: { kind: "system" },
    ip: null,
    requestId: "bootstrap",
  });
  if (outcome.kind === "nothing_to_do") {
    console.log("gatehouse: the database already has users and an active SUPER_ADMIN; no bootstrap needed.");
  } else {
    const { invite } = outcome;
    const verb =
      outcome.kind === "created"
        ? "Created the first SUPER_ADMIN"
        : "The first SUPER_ADMIN has not finished setup; issued a new link for";
    console.log(
      [
        "",
        "──────────────────────────────────────────────────────────────────────────",
        `gatehouse: ${verb} ${invite.user.email}.`,
        `Open this one-time setup link (valid until ${invite.setupLinkExpiresAt.toISOString()}):`,
        "",
        `  ${invite.setupUrl}`,
        "",
        "──────────────────────────────────────────────────────────────────────────",
        "",
      ].join("\n"),
    );
  }
} finally {
  await dispose();
  if (remote) rmSync(remoteConfigPath, { force: true });
}
