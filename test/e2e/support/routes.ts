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

/** /scim/v2: a directory's token or nothing (its discovery is public); refusals are SCIM Errors, not problems. */
export function isScimRow(row: RouteRow): boolean {
  return row.route.startsWith("/scim/");
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
