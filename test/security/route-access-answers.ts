// The personas of the access table and the answers a route gives them, shared by
// route-access-table.ts and its per-area files (route-access-passkeys-*.ts).

export const personas = ["sa", "full", "ro", "con", "exp", "cadm", "cview", "off", "anon"] as const;
export type Persona = (typeof personas)[number];
export type Expected = Record<Persona, number>;

export interface RouteRow {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  route: string;
  path: string;
  expect: Expected;
  body?: Record<string, unknown>;
}

export function answer(values: [number, number, number, number, number, number, number, number, number]): Expected {
  return Object.fromEntries(personas.map((persona, index) => [persona, values[index]])) as Expected;
}

//                         sa   full   ro   con  exp  cadm cview off  anon
export const pagePublic = answer([200, 200, 200, 200, 200, 200, 200, 200, 200]);
export const consoleSuperAdmin = (ok: number) => answer([ok, 403, 403, 403, 403, 403, 403, 303, 303]);
export const consoleAnyStaff = (ok: number) => answer([ok, ok, ok, ok, ok, 403, 403, 303, 303]);
export const self = (ok: number) => answer([ok, ok, ok, ok, ok, ok, ok, 303, 303]);
export const workspaceRead = (ok: number) => answer([ok, ok, ok, ok, 404, 404, 404, 303, 303]);
export const workspaceWrite = (ok: number) => answer([ok, ok, 403, ok, 404, 404, 404, 303, 303]);
export const portalRead = (ok: number) => answer([404, 404, 404, 404, 404, ok, ok, 303, 303]);
export const portalAdmin = (ok: number) => answer([404, 404, 404, 404, 404, ok, 403, 303, 303]);
export const apiSuperAdmin = (ok: number) => answer([ok, 403, 403, 403, 403, 403, 403, 401, 401]);
export const apiSelf = (ok: number) => answer([ok, ok, ok, ok, ok, ok, ok, 401, 401]);
export const apiTenantRead = (ok: number) => answer([ok, ok, ok, ok, 404, ok, ok, 401, 401]);
export const apiTenantWrite = (ok: number) => answer([ok, ok, 403, ok, 404, 403, 403, 401, 401]);
export const apiTenantClients = (ok: number) => answer([ok, ok, 403, ok, 404, ok, 403, 401, 401]);
// /scim/v2 takes a directory's token and nothing else: no cookie and no personal API token of any
// person opens it (test/scim/ drives it with directory tokens). Discovery is public (RFC 7643 §5).
export const scimDirectoryOnly = answer([401, 401, 401, 401, 401, 401, 401, 401, 401]);
