// Tenant updates (docs/PRODUCT.md §4): short posts for the client — a title and a plain-text body (line
// breaks kept, never rendered as markup) — written by OPERATOR_FULL, read by every member.
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { tenantUpdates, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { TenantRef } from "../access";
import { insertAuditEvent } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";
import { multiLineTextSchema, singleLineTextSchema } from "../text";
import { selectTenantByRef, type TenantRow, tenantIdOf } from "./tenants";

export const tenantUpdateSchema = z.strictObject({
  title: singleLineTextSchema("Title").min(1, "Give the update a title.").max(200, "Use at most 200 characters."),
  body: multiLineTextSchema("The text").min(1, "Write the update.").max(5000, "Use at most 5000 characters."),
});

export type TenantUpdateInput = z.output<typeof tenantUpdateSchema>;

export interface TenantUpdateView {
  id: string;
  tenantId: string;
  title: string;
  body: string;
  authorId: string | null;
  authorName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toTenantUpdateDto(update: TenantUpdateView) {
  return {
    id: update.id,
    tenantId: update.tenantId,
    title: update.title,
    body: update.body,
    author: update.authorId ? { id: update.authorId, name: update.authorName } : null,
    createdAt: update.createdAt.toISOString(),
    updatedAt: update.updatedAt.toISOString(),
  };
}

// Distinct column names, so this select can also run inside a db.batch() (docs/STORES.md, "Store rules").
export const tenantUpdateSelection = {
  id: tenantUpdates.id,
  tenantId: tenantUpdates.tenantId,
  title: tenantUpdates.title,
  body: tenantUpdates.body,
  authorId: tenantUpdates.authorId,
  authorName: users.displayName,
  createdAt: tenantUpdates.createdAt,
  updatedAt: tenantUpdates.updatedAt,
};

/** Newest first; the query for a page, to run alone or inside a batch. */
export function selectTenantUpdates(
  ctx: Pick<DomainContext, "db">,
  tenantId: string | SQL,
  options: { cursor?: string | undefined; limit: number },
) {
  const conditions: SQL[] = [eq(tenantUpdates.tenantId, tenantId)];
  const cursor = decodeCursor(options.cursor);
  if (cursor) {
    conditions.push(
      or(
        lt(tenantUpdates.createdAt, new Date(cursor.time)),
        and(eq(tenantUpdates.createdAt, new Date(cursor.time)), lt(tenantUpdates.id, cursor.id)),
      ) as SQL,
    );
  }
  return ctx.db
    .select(tenantUpdateSelection)
    .from(tenantUpdates)
    .leftJoin(users, eq(users.id, tenantUpdates.authorId))
    .where(and(...conditions))
    .orderBy(desc(tenantUpdates.createdAt), desc(tenantUpdates.id))
    .limit(options.limit + 1);
}

export function pageOfUpdates(rows: TenantUpdateView[], limit: number): Page<TenantUpdateView> {
  return toPage(rows, limit, (row) => encodeCursor({ time: row.createdAt.getTime(), id: row.id }));
}

/** A page of a tenant's updates, read with the tenant (by slug or id) in one batch; NOT_FOUND when the tenant is. */
export async function listTenantUpdates(
  ctx: Pick<DomainContext, "db">,
  ref: TenantRef,
  options: { cursor?: string | undefined; limit: number },
) {
  const [tenantRows, rows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, ref),
    selectTenantUpdates(ctx, tenantIdOf(ref), options),
  ]);
  if (!tenantRows[0]) throw new AppError("NOT_FOUND");
  return pageOfUpdates(rows, options.limit);
}

function describeUpdate(tenant: TenantRow, update: { id: string; title: string }) {
  return { type: "tenant_update" as const, id: update.id, label: `${update.title} (${tenant.slug})` };
}

export async function postTenantUpdate(ctx: DomainContext, tenant: TenantRow, input: TenantUpdateInput) {
  const update = {
    id: generateId("upd"),
    tenantId: tenant.id,
    ...input,
    authorId: actorUserId(ctx.actor),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await runBatch(ctx.db, [
    ctx.db.insert(tenantUpdates).values(update),
    insertAuditEvent(ctx, {
      action: "tenant.update_posted",
      target: describeUpdate(tenant, update),
      tenantId: tenant.id,
      details: {},
    }),
  ]);
  return update;
}

export type TenantUpdateRow = typeof tenantUpdates.$inferSelect;

/**
 * A tenant (by slug on pages, by id in the API) and one of its updates, read in one batch;
 * NOT_FOUND when either is missing or the update belongs to another tenant.
 */
export async function findTenantWithUpdate(ctx: Pick<DomainContext, "db">, ref: TenantRef, updateId: string) {
  const [tenantRows, updateRows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, ref),
    ctx.db
      .select()
      .from(tenantUpdates)
      .where(and(eq(tenantUpdates.id, updateId), eq(tenantUpdates.tenantId, tenantIdOf(ref))))
      .limit(1),
  ]);
  const tenant = tenantRows[0];
  const update = updateRows[0];
  if (!tenant || !update) throw new AppError("NOT_FOUND");
  return { tenant, update };
}

async function writeUpdateChange(
  ctx: DomainContext,
  tenant: TenantRow,
  existing: TenantUpdateRow,
  change: TenantUpdateInput | null,
) {
  const scope = and(eq(tenantUpdates.id, existing.id), eq(tenantUpdates.tenantId, tenant.id));
  try {
    await runBatch(ctx.db, [
      change
        ? ctx.db
            .update(tenantUpdates)
            .set({ ...change, updatedAt: ctx.now })
            .where(scope)
        : ctx.db.delete(tenantUpdates).where(scope),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: change ? "tenant.update_edited" : "tenant.update_deleted",
        target: describeUpdate(tenant, { id: existing.id, title: change?.title ?? existing.title }),
        tenantId: tenant.id,
        details: {},
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("NOT_FOUND");
    throw error;
  }
  return { ...existing, ...(change ?? {}), updatedAt: ctx.now };
}

/** Edits an update read with its tenant (findTenantWithUpdate). */
export function editTenantUpdate(
  ctx: DomainContext,
  tenant: TenantRow,
  existing: TenantUpdateRow,
  change: TenantUpdateInput,
) {
  return writeUpdateChange(ctx, tenant, existing, change);
}

/** Deletes an update read with its tenant (findTenantWithUpdate). */
export async function deleteTenantUpdate(
  ctx: DomainContext,
  tenant: TenantRow,
  existing: TenantUpdateRow,
): Promise<void> {
  await writeUpdateChange(ctx, tenant, existing, null);
}
