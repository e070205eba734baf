// Tenants (docs/PRODUCT.md §3): a name and a unique slug ([a-z0-9-]{3,63}), plus a short profile.
import { and, asc, eq, gt, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { isUniqueViolation, runBatch } from "../../db/batch";
import type { Db } from "../../db/client";
import { tenants } from "../../db/schema";
import { AppError } from "../../errors";
import type { TenantRef } from "../access";
import { insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { decodeTextCursor, encodeTextCursor, type Page, toPage } from "../pagination";
import { multiLineTextSchema, singleLineTextSchema } from "../text";

export type TenantRow = typeof tenants.$inferSelect;

export const tenantSlugSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9-]{3,63}$/, "Use 3 to 63 lower-case letters, digits and dashes, for example acme-corp.");
const tenantNameSchema = singleLineTextSchema("Name")
  .min(1, "Name is required.")
  .max(100, "Use at most 100 characters.");
const tenantDescriptionSchema = multiLineTextSchema("Description").max(2000, "Use at most 2000 characters.");

export const createTenantSchema = z.strictObject({
  name: tenantNameSchema,
  slug: tenantSlugSchema,
  description: tenantDescriptionSchema.optional().default(""),
});

export const updateTenantSchema = z.strictObject({
  name: tenantNameSchema.optional(),
  slug: tenantSlugSchema.optional(),
  description: tenantDescriptionSchema.optional(),
});

export function toTenantDto(tenant: TenantRow) {
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    description: tenant.description,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

function slugTakenError(slug: string): AppError {
  return new AppError("SLUG_TAKEN", {
    detail: `The slug "${slug}" is already taken. Choose another.`,
    fieldErrors: [{ field: "slug", message: "This slug is already taken." }],
  });
}

export function describeTenant(tenant: Pick<TenantRow, "id" | "name" | "slug">) {
  return { type: "tenant" as const, id: tenant.id, label: `${tenant.name} (${tenant.slug})` };
}

export async function createTenant(ctx: DomainContext, input: z.output<typeof createTenantSchema>): Promise<TenantRow> {
  const tenant: TenantRow = {
    id: generateId("tnt"),
    name: input.name,
    slug: input.slug,
    description: input.description,
    createdAt: ctx.now,
    createdBy: ctx.actor.kind === "user" ? ctx.actor.principal.user.id : null,
    updatedAt: ctx.now,
  };
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(tenants).values(tenant),
      insertAuditEvent(ctx, {
        action: "tenant.created",
        target: describeTenant(tenant),
        tenantId: tenant.id,
        details: { slug: tenant.slug },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "tenants.slug")) throw slugTakenError(input.slug);
    throw error;
  }
  return tenant;
}

export async function updateTenant(
  ctx: DomainContext,
  tenantId: string,
  changes: z.output<typeof updateTenantSchema>,
): Promise<TenantRow> {
  const tenant = await findTenantById(ctx, tenantId);
  if (!tenant) throw new AppError("NOT_FOUND");
  return applyTenantChanges(ctx, tenant, changes);
}

/** The change itself, for pages that already read the tenant (by its slug) for the request. */
export async function applyTenantChanges(
  ctx: DomainContext,
  tenant: TenantRow,
  changes: z.output<typeof updateTenantSchema>,
): Promise<TenantRow> {
  const values = Object.fromEntries(
    Object.entries(changes).filter(([key, value]) => value !== undefined && value !== tenant[key as keyof TenantRow]),
  );
  if (Object.keys(values).length === 0) return tenant;
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(tenants)
        .set({ ...values, updatedAt: ctx.now })
        .where(eq(tenants.id, tenant.id)),
      insertAuditEvent(ctx, {
        action: "tenant.updated",
        target: describeTenant(tenant),
        tenantId: tenant.id,
        details: { fields: Object.keys(values), ...(values.slug ? { previousSlug: tenant.slug } : {}) },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "tenants.slug") && changes.slug) throw slugTakenError(changes.slug);
    throw error;
  }
  return { ...tenant, ...values, updatedAt: ctx.now };
}

/** A tenant named by slug (pages) or id (API), to run alone or inside a db.batch(). */
export function selectTenantByRef(db: Db, ref: TenantRef) {
  return db.select().from(tenants).where(tenantRefCondition(ref)).limit(1);
}

/** The condition "this is the tenant `ref` names". */
export function tenantRefCondition(ref: TenantRef): SQL {
  return "slug" in ref ? eq(tenants.slug, ref.slug) : eq(tenants.id, ref.id);
}

/** The id of the tenant `ref` names, as a subquery for reads keyed by tenant in the same batch. */
export function tenantIdOf(ref: TenantRef): SQL {
  return sql`(SELECT ${tenants.id} FROM ${tenants} WHERE ${tenantRefCondition(ref)})`;
}

export async function findTenantById(ctx: Pick<DomainContext, "db">, tenantId: string): Promise<TenantRow | null> {
  const [tenant] = await selectTenantByRef(ctx.db, { id: tenantId });
  return tenant ?? null;
}

export async function findTenantBySlug(ctx: Pick<DomainContext, "db">, slug: string): Promise<TenantRow | null> {
  const [tenant] = await selectTenantByRef(ctx.db, { slug });
  return tenant ?? null;
}

export const listTenantsQuerySchema = z.strictObject({
  // NFC like the names it is compared with, or a decomposed "é" would find nothing.
  query: z.string().trim().normalize("NFC").max(200, "Search for at most 200 characters.").optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type TenantListRow = TenantRow & { memberCount: number };

/** Alphabetical by name, with each tenant's number of live memberships. */
export async function listTenants(
  ctx: DomainContext,
  query: z.output<typeof listTenantsQuerySchema>,
): Promise<Page<TenantListRow>> {
  const conditions: SQL[] = [];
  if (query.query) {
    // instr(), not LIKE: D1 refuses LIKE patterns over 50 bytes, and a substring needs no escaping.
    const needle = query.query.toLowerCase();
    conditions.push(sql`(instr(lower(${tenants.name}), ${needle}) > 0 OR instr(${tenants.slug}, ${needle}) > 0)`);
  }
  const cursor = decodeTextCursor(query.cursor);
  if (cursor)
    conditions.push(
      or(gt(tenants.name, cursor.key), and(eq(tenants.name, cursor.key), gt(tenants.id, cursor.id))) as SQL,
    );
  const memberCount = sql<number>`(SELECT count(*) FROM memberships AS m WHERE m.tenant_id = ${tenants.id}
    AND m.revoked_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ${ctx.now.getTime()}))`;
  const rows = await ctx.db
    .select({ tenant: tenants, memberCount })
    .from(tenants)
    .where(and(...conditions))
    .orderBy(asc(tenants.name), asc(tenants.id))
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => encodeTextCursor({ key: row.tenant.name, id: row.tenant.id }));
  return {
    items: page.items.map((row) => ({ ...row.tenant, memberCount: Number(row.memberCount) })),
    nextCursor: page.nextCursor,
  };
}

/** Every tenant's id and name, for pickers (a thousand tenants is a few kilobytes), to run alone or in a batch. */
export function selectTenantChoices(db: Db) {
  return db.select({ id: tenants.id, name: tenants.name }).from(tenants).orderBy(asc(tenants.name));
}

export async function listTenantChoices(ctx: Pick<DomainContext, "db">): Promise<Array<{ id: string; name: string }>> {
  return selectTenantChoices(ctx.db);
}
