// Everything a tenant page shows (the operator workspace and the client portal), read in ONE
// batch keyed by the slug: the tenant, a page of updates and the live members.
import { eq, sql } from "drizzle-orm";
import { tenants } from "../db/schema";
import type { DomainContext } from "./context";
import { selectTenantPeople, splitTenantPeople } from "./tenant-people";
import { pageOfUpdates, selectTenantUpdates } from "./tenant-updates";

export const updatesPerPage = 20;

export async function readTenantPage(ctx: DomainContext, slug: string, options: { updatesCursor?: string | undefined }) {
  const tenantId = sql`(SELECT id FROM tenants WHERE slug = ${slug})`;
  const [tenantRows, updateRows, peopleRows] = await ctx.db.batch([
    ctx.db.select().from(tenants).where(eq(tenants.slug, slug)).limit(1),
    selectTenantUpdates(ctx, tenantId, { cursor: options.updatesCursor, limit: updatesPerPage }),
    selectTenantPeople(ctx, tenantId),
  ]);
  const tenant = tenantRows[0];
  if (!tenant) return null;
  return { tenant, updates: pageOfUpdates(updateRows, updatesPerPage), people: splitTenantPeople(peopleRows) };
}
