// Run by `npm start` after the migrations: creates the first SUPER_ADMIN on an empty local
// database and prints the setup link, through the same local D1 and KV that `wrangler dev` serves
// (scripts/local-platform.ts, which also explains --remote and --persist-to=<dir>).
import { bootstrapFirstAdmin } from "../src/domain/invites/bootstrap";
import { readPlatformOptions, withPlatformContext } from "./local-platform";

await withPlatformContext(readPlatformOptions(process.argv), "bootstrap", async (ctx) => {
  const outcome = await bootstrapFirstAdmin(ctx);
  if (outcome.kind === "nothing_to_do") {
    console.log("gatehouse: the database already has users and an active SUPER_ADMIN; no bootstrap needed.");
    return;
  }
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
});
