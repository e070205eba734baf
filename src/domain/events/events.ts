// Events (docs/EVENTS.md): every audit event is also an event, with the audit log's action as its
// type. The audit row's autoincrement id orders them: SQLite gives ids in commit order and never
// reuses one, so "every event after id N" read later never misses one committed meanwhile and
// never repeats one. That is what lets a consumer catch up from its last cursor (GET
// /api/v1/events) and the dispatcher fan events out to webhook endpoints
// (domain/webhooks/webhook-dispatch.ts) with nothing lost or doubled. Events live as long as the
// audit log, which keeps every row (docs/PRODUCT.md §6): far beyond the 30 days promised.
import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import type { Db } from "../../db/client";
import { auditEvents, tenants } from "../../db/schema";
import { AppError } from "../../errors";
import { type AuditAction, auditActions } from "../audit/audit";
import type { DomainContext } from "../context";
import { decodeCursor, encodeCursor } from "../pagination";

/** The newest audit id: where a new endpoint, or one resumed, starts. For a batch or a subquery. */
export const newestEventIdSql = sql<number>`(SELECT coalesce(max(${auditEvents.id}), 0) FROM ${auditEvents})`;

const eventTypeList = z
  .string()
  .max(4000)
  .transform((value, context): AuditAction[] => {
    const types = value
      .split(",")
      .map((type) => type.trim())
      .filter(Boolean);
    const unknown = types.filter((type) => !(auditActions as readonly string[]).includes(type));
    if (unknown.length > 0) {
      context.addIssue({ code: "custom", message: `Unknown event type ${unknown.join(", ")}; see docs/EVENTS.md.` });
      return z.NEVER;
    }
    return types as AuditAction[];
  });

export const eventsQuerySchema = z.strictObject({
  after: z.string().max(200).optional(),
  types: eventTypeList.optional(),
  tenantId: z.string().trim().min(1).max(254).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type EventsQuery = z.output<typeof eventsQuerySchema>;

/** What an event says, in the API and in every webhook body. Never a secret: audit details carry none. */
export interface EventPayload {
  id: string;
  type: string;
  timestamp: string;
  data: {
    actor: { kind: string; id: string | null; name: string; email: string | null };
    target: { type: string | null; id: string | null; label: string | null };
    tenant: { id: string; name: string | null; slug: string | null } | null;
    details: Record<string, unknown>;
    requestId: string | null;
    ip: string | null;
  };
}

const eventColumns = {
  id: auditEvents.id,
  at: auditEvents.at,
  action: auditEvents.action,
  actorKind: auditEvents.actorKind,
  actorId: auditEvents.actorId,
  actorName: auditEvents.actorName,
  actorEmail: auditEvents.actorEmail,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  targetLabel: auditEvents.targetLabel,
  tenantId: auditEvents.tenantId,
  tenantName: tenants.name,
  tenantSlug: tenants.slug,
  details: auditEvents.details,
  ip: auditEvents.ip,
  requestId: auditEvents.requestId,
};

export type EventRow = Awaited<ReturnType<typeof selectEventsById>>[number];

/** The public id of the event behind audit row `id`; also every delivery's webhook-id. */
export function eventIdOf(auditId: number): string {
  return `evt_${auditId}`;
}

export function toEventPayload(row: EventRow): EventPayload {
  return {
    id: eventIdOf(row.id),
    type: row.action,
    timestamp: row.at.toISOString(),
    data: {
      actor: { kind: row.actorKind, id: row.actorId, name: row.actorName, email: row.actorEmail },
      target: { type: row.targetType, id: row.targetId, label: row.targetLabel },
      tenant: row.tenantId ? { id: row.tenantId, name: row.tenantName, slug: row.tenantSlug } : null,
      details: row.details,
      requestId: row.requestId,
      ip: row.ip,
    },
  };
}

/** Events matching `where`, oldest first, with their tenant's current name. For a batch. */
function selectEvents(db: Db, where: SQL | undefined) {
  return db
    .select(eventColumns)
    .from(auditEvents)
    .leftJoin(tenants, eq(tenants.id, auditEvents.tenantId))
    .where(where)
    .orderBy(asc(auditEvents.id));
}

/** Events with the given audit ids. For a batch. */
export function selectEventsById(db: Db, ids: number[]) {
  return selectEvents(db, inArray(auditEvents.id, ids));
}

function invalidAfter(): AppError {
  return new AppError("VALIDATION_FAILED", { fieldErrors: [{ field: "after", message: "This cursor is not valid." }] });
}

function decodeEventCursor(after: string | undefined): number {
  let cursor: ReturnType<typeof decodeCursor>;
  try {
    cursor = decodeCursor(after);
  } catch {
    throw invalidAfter();
  }
  if (!cursor) return 0;
  const id = Number(cursor.id);
  if (!Number.isSafeInteger(id) || id < 0) throw invalidAfter();
  return id;
}

function encodeEventCursor(auditId: number): string {
  return encodeCursor({ time: 0, id: String(auditId) });
}

export interface EventsPage {
  data: EventPayload[];
  /** Where to continue from: past the last event served, or past every event read when nothing more matches. */
  nextCursor: string;
  hasMore: boolean;
}

/** Events after the cursor, oldest first: a consumer stores nextCursor and asks again with it. */
export async function listEvents(ctx: Pick<DomainContext, "db">, query: EventsQuery): Promise<EventsPage> {
  const afterId = decodeEventCursor(query.after);
  const conditions = [gt(auditEvents.id, afterId)];
  if (query.types && query.types.length > 0) conditions.push(inArray(auditEvents.action, query.types));
  if (query.tenantId) conditions.push(eq(auditEvents.tenantId, query.tenantId));
  const [rows, newestRows] = await ctx.db.batch([
    selectEvents(ctx.db, and(...conditions)).limit(query.limit + 1),
    ctx.db.select({ newest: sql<number>`${newestEventIdSql}`.as("newest") }).from(sql`(SELECT 1)`),
  ]);
  const page = rows.slice(0, query.limit);
  const hasMore = rows.length > query.limit;
  // Read in the same transaction: when nothing more matches, every event up to the newest was
  // seen, so the cursor moves past them and a filtered poll does not read them again.
  const seenUpTo = hasMore ? (page.at(-1)?.id ?? afterId) : Math.max(afterId, newestRows[0]?.newest ?? 0);
  return { data: page.map(toEventPayload), nextCursor: encodeEventCursor(seenUpTo), hasMore };
}
