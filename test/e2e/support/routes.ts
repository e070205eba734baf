// The sweep's list of routes is the checked-in access table (test/security/route-access-table.ts):
// authorization.test.ts fails when the app serves a route without a row there, so every route
// added on any branch reaches the sweep too, with its expected answer for an anonymous caller.
import { type RouteRow, routeAccessTable } from "../../security/route-access-table";

export { type RouteRow, routeAccessTable };

/** Fills {placeholders}; one this suite does not know (a future route's) becomes an id that exists nowhere. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "x_missing");
}

export function isApiRow(row: RouteRow): boolean {
  return row.route.startsWith("/api/");
}

/**
 * /scim/v2 (RFC 7644): neither a page nor the JSON API. It takes a directory's bearer token and
 * nothing else (no cookie, no personal API token), and answers in application/scim+json, errors
 * included (the SCIM Error schema, `status` as a string), never with a page or a redirect.
 */
export function isScimRow(row: RouteRow): boolean {
  return row.route.startsWith("/scim/");
}

/** SCIM discovery (RFC 7643 §5, RFC 7644 §4): public, as identity providers read it before they hold a token. */
export function isScimDiscoveryRow(row: RouteRow): boolean {
  return isScimRow(row) && /^\/scim\/v2\/(ServiceProviderConfig|ResourceTypes|Schemas)\b/.test(row.route);
}

export const scimErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

/** What is wrong with an answer that should be a SCIM error of this status ("" when nothing). */
export function scimErrorProblem(
  answer: { status: number; headers: Record<string, string>; text: string },
  status: number,
): string {
  if (answer.status !== status) return `answered ${answer.status}, not ${status}`;
  if (!answer.headers["content-type"]?.startsWith("application/scim+json"))
    return `not application/scim+json (${answer.headers["content-type"]})`;
  let body: { schemas?: unknown; status?: unknown } = {};
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    return "a body that is not JSON";
  }
  if (!Array.isArray(body.schemas) || !body.schemas.includes(scimErrorSchema)) return "not the SCIM Error schema";
  if (body.status !== String(status)) return `status ${JSON.stringify(body.status)} is not the string "${status}"`;
  return "";
}

/** The table route a concrete path belongs to ("/admin/users/usr_1" → "GET /admin/users/:id"). */
export function routeOf(method: string, path: string): string | null {
  const pathname = path.split("?")[0] ?? path;
  const matches = routeAccessTable.filter((row) => {
    if (row.method !== method) return false;
    const pattern = new RegExp(`^${row.route.replace(/:[A-Za-z]+/g, "[^/]+")}$`);
    return pattern.test(pathname);
  });
  // The most specific route wins: "/admin/users/new" over "/admin/users/:id".
  matches.sort((a, b) => (a.route.match(/:/g)?.length ?? 0) - (b.route.match(/:/g)?.length ?? 0));
  const best = matches[0];
  return best ? `${best.method} ${best.route}` : null;
}
