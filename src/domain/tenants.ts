// Tenants (SPEC §3): name and a unique slug.
import { asc } from "drizzle-orm";
import { tenants } from "../db/schema";
import type { DomainContext } from "./context";

export type TenantRow = typeof tenants.$inferSelect;

/** Every tenant's id and name, for pickers (a thousand tenants is a few kilobytes). */
export async function listTenantChoices(ctx: Pick<DomainContext, "db">): Promise<Array<{ id: string; name: string }>> {
  return ctx.db.select({ id: tenants.id, name: tenants.name }).from(tenants).orderBy(asc(tenants.name));
}
