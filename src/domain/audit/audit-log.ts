// Reading the audit log (docs/PRODUCT.md §6): newest first, filtered by actor, action, target, tenant and time,
// keyset-paginated on the id, so a page costs the same at any depth. "Newest" is the order rows
// were recorded (the autoincrement id, which follows the clock to the millisecond): every filter
// has an index ending in the id (actor_id, id), (target_id, id), … so no page ever sorts, which
// is what lets a 100,000-row export run in linear time. Rows are shown as written:
// actor and target names are the snapshots taken when the event happened. Nothing here (or
// anywhere) updates or deletes an audit row; the database refuses it anyway (migration 0001).
import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { auditEvents, users } from "../../db/schema";
import type { DomainContext } from "../context";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";
import { type AuditAction, auditActions, insertAuditEvent } from "./audit";

export interface AuditFilter {
  actorId?: string | undefined;
  /** The actor's email as it was recorded (also catches failed sign-ins of unknown emails). */
  actorEmail?: string | undefined;
  action?: AuditAction | undefined;
  targetId?: string | undefined;
  /** The target user's current email (the page's filter field); matched through the users table. */
  targetEmail?: string | undefined;
  tenantId?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

const idFilter = z.string().trim().min(1).max(254).optional();
const instant = z.iso
  .datetime({ offset: true, message: "Use an ISO-8601 time such as 2026-12-31T17:00:00Z." })
  .transform((value) => new Date(value))
  .optional();

export const auditActionSchema = z.enum(auditActions, "Unknown action; see docs/AUDIT.md for the list.");

export const auditQuerySchema = z.strictObject({
  actorId: idFilter,
  action: auditActionSchema.optional(),
  targetId: idFilter,
  tenantId: idFilter,
  from: instant,
  to: instant,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type AuditEventRow = typeof auditEvents.$inferSelect;

export function filterConditions(filter: AuditFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.actorId) conditions.push(eq(auditEvents.actorId, filter.actorId));
  if (filter.actorEmail) conditions.push(eq(auditEvents.actorEmail, filter.actorEmail.trim().toLowerCase()));
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.targetId) conditions.push(eq(auditEvents.targetId, filter.targetId));
  if (filter.targetEmail) {
    const email = filter.targetEmail.trim().toLowerCase();
    conditions.push(sql`${auditEvents.targetId} IN (SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${email})`);
  }
  if (filter.tenantId) conditions.push(eq(auditEvents.tenantId, filter.tenantId));
  if (filter.from) conditions.push(gte(auditEvents.at, filter.from));
  if (filter.to) conditions.push(lt(auditEvents.at, filter.to));
  return conditions;
}

/** Up to `limit` rows recorded before the row `beforeId` (all when null), newest first. */
export async function readAuditRows(
  ctx: Pick<DomainContext, "db">,
  filter: AuditFilter,
  beforeId: number | null,
  limit: number,
): Promise<AuditEventRow[]> {
  const conditions = filterConditions(filter);
  if (beforeId !== null) conditions.push(lt(auditEvents.id, beforeId));
  return ctx.db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}

export async function listAuditEvents(
  ctx: Pick<DomainContext, "db">,
  filter: AuditFilter,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<AuditEventRow>> {
  const cursor = decodeCursor(page.cursor);
  const rows = await readAuditRows(ctx, filter, cursor ? Number(cursor.id) : null, page.limit + 1);
  return toPage(rows, page.limit, (row) => encodeCursor({ time: row.at.getTime(), id: String(row.id) }));
}

export function toAuditEventDto(row: AuditEventRow) {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    action: row.action,
    actor: { kind: row.actorKind, id: row.actorId, name: row.actorName, email: row.actorEmail },
    target: { type: row.targetType, id: row.targetId, label: row.targetLabel },
    tenantId: row.tenantId,
    details: row.details,
    ip: row.ip,
    requestId: row.requestId,
  };
}

/** The filter as plain values, for the audit.exported event and for links. */
export function describeFilter(filter: AuditFilter): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value instanceof Date) described[key] = value.toISOString();
    else if (typeof value === "string" && value !== "") described[key] = value;
  }
  return described;
}

/** Exports are themselves audited: who took a copy of which part of the log. */
export async function recordAuditExport(
  ctx: DomainContext,
  filter: AuditFilter,
  format: "CSV" | "JSON",
): Promise<void> {
  await insertAuditEvent(ctx, {
    action: "audit.exported",
    target: { type: "audit", id: null, label: `audit log (${format})` },
    details: { filter: describeFilter(filter) },
  });
}
