// Authentication and authorization middleware. Every route that is not on the explicit public
// allowlist (login, setup, static assets, health) sits behind requireAccess, and requireAccess
// asks the one authorize() of domain/access.ts: pages and API share the decision.
import { createMiddleware } from "hono/factory";
import { readApiTokenLookupKey } from "../auth/token-format";
import { authorize, type Principal, type Requirement } from "../domain/access";
import { loadPrincipal } from "../domain/principal";
import { AppError } from "../errors";
import type { AppContext, AppEnv } from "./app-env";
import { clearCookie, readCookie } from "./cookies";

const bearerPattern = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/** Reads the caller from an API token (API only) or the session cookie. Never refuses by itself. */
export function loadCaller(options: { acceptApiTokens: boolean }) {
  return createMiddleware<AppEnv>(async function loadCaller(c, next) {
    const authorization = c.req.header("authorization");
    const now = c.get("now");
    let principal: Principal | null = null;
    if (options.acceptApiTokens && authorization !== undefined) {
      // A token we cannot have issued (bad prefix, length or checksum) is refused unread.
      const presented = bearerPattern.exec(authorization)?.[1];
      const lookupKey = presented ? readApiTokenLookupKey(presented) : null;
      principal = lookupKey ? await loadPrincipal(c.get("db"), { kind: "api_token", token: lookupKey }, now) : null;
    } else {
      const sessionToken = readCookie(c, "session");
      if (sessionToken) {
        principal = await loadPrincipal(c.get("db"), { kind: "session", token: sessionToken }, now);
        if (!principal) clearCookie(c, "session");
      }
    }
    c.set("principal", principal);
    await next();
  });
}

function deny(status: 401 | 403 | 404, forbiddenDetail: string | undefined): AppError {
  if (status === 403) return new AppError("FORBIDDEN", forbiddenDetail ? { detail: forbiddenDetail } : {});
  return new AppError(status === 401 ? "UNAUTHENTICATED" : "NOT_FOUND");
}

/** `forbiddenDetail`: why a 403 is answered, when the route can say more than "not allowed". */
export function requireAccess(
  requirement: Requirement | ((c: AppContext) => Requirement),
  options: { forbiddenDetail?: string } = {},
) {
  return createMiddleware<AppEnv>(async function requireAccess(c, next) {
    const decision = authorize(c.get("principal"), typeof requirement === "function" ? requirement(c) : requirement);
    if (!decision.allowed) {
      if (decision.passkeyEnrolmentRequired) throw new AppError("PASSKEY_ENROLMENT_REQUIRED");
      throw deny(decision.status, options.forbiddenDetail);
    }
    await next();
  });
}

/** For handlers that already passed requireAccess: the principal, typed as present. */
export function currentPrincipal(c: AppContext): Principal {
  const principal = c.get("principal");
  if (!principal) throw new AppError("UNAUTHENTICATED");
  return principal;
}
