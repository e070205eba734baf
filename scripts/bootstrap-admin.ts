// Run by `npm start` after the migrations: creates the first SUPER_ADMIN on an empty local
// database and prints the setup link. It uses wrangler's platform proxy, so it writes to the very
// same local D1 and KV that `wrangler dev` serves, through the same domain code.
import { getPlatformProxy } from "wrangler";
import { createD1Db } from "../src/db/client";
import { bootstrapFirstAdmin } from "../src/domain/bootstrap";
import { type Bindings, readConfig } from "../src/env";

const port = process.env.PORT ?? "8787";
const { env, dispose } = await getPlatformProxy<Bindings & { DB: D1Database }>({ configPath: "wrangler.toml", persist: true });
try {
  const config = readConfig({ ...env, APP_ORIGIN: process.env.APP_ORIGIN ?? `http://127.0.0.1:${port}` });
  const outcome = await bootstrapFirstAdmin({
    db: createD1Db(env.DB),
    kv: env.KV,
    now: new Date(),
    config,
    actor: { kind: "system" },
    ip: null,
    requestId: "bootstrap",
  });
  if (outcome.kind === "nothing_to_do") {
    console.log("gatehouse: the database already has an active SUPER_ADMIN; no bootstrap needed.");
  } else {
    const { invite } = outcome;
    const verb =
      outcome.kind === "created" ? "Created the first SUPER_ADMIN" : "The first SUPER_ADMIN has not finished setup; issued a new link for";
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
}
