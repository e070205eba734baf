// The tenant pages' view models, shared by the operator workspace and the client portal: people
// rows for the viewer, and the cursors and "more" links of each list on the page.
import type { PersonRow } from "../../../views/components/tenant-people";
import type { TenantPageCursors } from "../../domain/tenants/tenant-page";
import type { TenantPerson } from "../../domain/tenants/tenant-people";

export function toPersonRows(people: TenantPerson[], viewerId: string): PersonRow[] {
  return people.map((person) => ({ ...person, isSelf: person.userId === viewerId }));
}

/** The cursors a tenant page was opened with (?updates=, ?clients=, ?staff=). */
export function tenantPageCursors(c: { req: { query: (name: string) => string | undefined } }): TenantPageCursors {
  return {
    updatesCursor: c.req.query("updates") || undefined,
    clientsCursor: c.req.query("clients") || undefined,
    staffCursor: c.req.query("staff") || undefined,
  };
}

/** A list's "more" link on the tenant page at `path`: only that list's next cursor, or null on its last page. */
export function nextListHref(
  path: string,
  list: "updates" | "clients" | "staff",
  nextCursor: string | null,
): string | null {
  return nextCursor ? `${path}?${new URLSearchParams({ [list]: nextCursor }).toString()}` : null;
}
