// `npm run scim:directory -- --tenant <slug>` (or `--staff`, and `--name "…"`): creates a SCIM
// directory in the database `npm start` serves and prints its SCIM base URL and token
// (scripts/scim-directory-command.ts), so provisioning can start without the console.

import { readPlatformOptions, withPlatformContext } from "./local-platform";
import { CommandRefusal, createDirectoryForCommand, parseScimDirectoryArguments } from "./scim-directory-command";

const argv = process.argv.slice(2);
try {
  const request = parseScimDirectoryArguments(
    argv.filter((argument) => argument !== "--remote" && !argument.startsWith("--persist-to=")),
  );
  console.log(
    await withPlatformContext(readPlatformOptions(argv), "scim-directory", (ctx) =>
      createDirectoryForCommand(ctx, request),
    ),
  );
} catch (error) {
  if (!(error instanceof CommandRefusal)) throw error;
  console.error(`gatehouse: ${error.message}`);
  process.exitCode = 1;
}
