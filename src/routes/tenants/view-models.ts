import type { PersonRow } from "../../views/components/tenant-people";
import type { TenantPerson } from "../domain/tenants/tenant-people";

export function toPersonRows(people: TenantPerson[], viewerId: string): PersonRow[] {
  return people.map((person) => ({ ...person, isSelf: person.userId === viewerId }));
}

/** The cursors a tenant page was opened with (?updates=, ?clients=, ?staff=). */
export function tenantPageCursors(c: { req: { query: (name: string) => string | undefined } }) {
  return {
    updatesCursor: c.req.query("updates") || undefined,
    clientsCursor: c.req.query("clients") || undefined,
    staffCursor: c.req.query("staff") || undefined,
  };
}
