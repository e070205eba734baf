// Everything a tenant page shows (the operator workspace and the client portal), read in ONE
// batch keyed by the slug: the tenant, a page of updates, a page of its client users and a page of
// the staff who have access. Each list pages on its own cursor, so no read grows with the tenant.
import type { DomainContext } from "../context";
import { clientMembershipRoles, staffMembershipRoles } from "../memberships/memberships-rules";
import { selectTenantPeople, tenantPeoplePerPage, toPeoplePage } from "./tenant-people";
import { pageOfUpdates, selectTenantUpdates } from "./tenant-updates";
import { selectTenantByRef, tenantIdOf } from "./tenants";

export const updatesPerPage = 20;

export interface TenantPageCursors {
  updatesCursor?: string | undefined;
  clientsCursor?: string | undefined;
  staffCursor?: string | undefined;
}

export async function readTenantPage(ctx: DomainContext, slug: string, cursors: TenantPageCursors) {
  const tenantId = tenantIdOf({ slug });
  const [tenantRows, updateRows, clientRows, staffRows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, { slug }),
    selectTenantUpdates(ctx, tenantId, { cursor: cursors.updatesCursor, limit: updatesPerPage }),
    selectTenantPeople(ctx, tenantId, {
      roles: clientMembershipRoles,
      cursor: cursors.clientsCursor,
      limit: tenantPeoplePerPage,
    }),
    selectTenantPeople(ctx, tenantId, {
      roles: staffMembershipRoles,
      cursor: cursors.staffCursor,
      limit: tenantPeoplePerPage,
    }),
  ]);
  const tenant = tenantRows[0];
  if (!tenant) return null;
  return {
    tenant,
    updates: pageOfUpdates(updateRows, updatesPerPage),
    clients: toPeoplePage(clientRows, tenantPeoplePerPage),
    staff: toPeoplePage(staffRows, tenantPeoplePerPage),
  };
}
