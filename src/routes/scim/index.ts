// /scim/v2: the SCIM 2.0 service provider (RFC 7643 / RFC 7644; docs/SCIM.md). A directory's token
// is the only way in (authorize(), requirement `scim`), and everything a request reaches is that
// directory's own: an id or a name from another directory answers exactly as a made-up one does.
import { Hono } from "hono";
import { recordDirectoryError } from "../../domain/scim/directory-errors";
import { AppError } from "../../errors";
import type { AppEnv } from "../../http/app-env";
import { logUnexpectedError, toAppError } from "../../http/errors";
import { requireDirectory, scimErrorResponse, scimTypeOf } from "../../http/scim";
import { scimDiscovery } from "./discovery";
import { scimGroups } from "./groups";
import { scimUsers } from "./users";

/** Refusals a directory's administrator should see on its page; a 404 is a normal answer to a lookup. */
function isWorthRecording(status: number): boolean {
  return status !== 404 && status !== 401;
}

export const scimV2 = new Hono<AppEnv>()
  // Public, before the token is read: discovery holds no data (RFC 7643 §5; discovery.ts).
  .route("/", scimDiscovery)
  .use(requireDirectory())
  .route("/Users", scimUsers)
  .route("/Groups", scimGroups)
  // Last, after every endpoint: a path or method none of them answers.
  .all("*", function refuseUnknownEndpoint() {
    throw new AppError("NOT_FOUND", { detail: "No SCIM endpoint answers this method and path." });
  });

scimV2.onError(async (error, c) => {
  logUnexpectedError(c, error);
  const refusal = toAppError(error);
  const caller = c.get("directoryCaller");
  if (caller && isWorthRecording(refusal.status)) {
    await recordDirectoryError(
      c.get("db"),
      caller.directory.id,
      {
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        status: refusal.status,
        scimType: scimTypeOf(refusal),
        detail: refusal.detail ?? refusal.title,
      },
      c.get("now"),
    );
  }
  return scimErrorResponse(refusal);
});
