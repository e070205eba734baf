// The fan-out from events to webhook deliveries (docs/EVENTS.md "Delivery"). Events are audit rows
// written in the same batch as their change; SQL cannot match them to endpoints at that moment
// without a statement in every writer's batch, so a dispatcher turns them into deliveries right
// after (the request's background work) and on every cron run. It reads the events after its
// cursor in id order (ids follow commit order, domain/events/events.ts), writes one delivery per
// matching endpoint with INSERT … ON CONFLICT DO NOTHING on (endpoint, event), and moves the
// cursor forward only (max of old and new) in the same batch. Two dispatchers running at once
// therefore write each delivery once, and none skips an event: an event is passed over only by
// a batch that also queued it. An endpoint gets events after its after_event_id (when it was
// added or resumed); a paused or disabled one gets none.
import { asc, eq, gt, sql } from "drizzle-orm";
import { generateId } from "../../auth/crypto";
import { isForeignKeyViolation, type Statement } from "../../db/batch";
import { insertInChunks } from "../../db/chunked-insert";
import type { Db } from "../../db/client";
import { auditEvents, webhookDeliveries, webhookDispatch, webhookEndpoints } from "../../db/schema";
import { openFindingsCountSql } from "../audit/audit-integrity";
import { sequencedUpToSql } from "../audit/audit-tree";
import type { DomainContext } from "../context";
import { newestEventIdSql } from "../events/events";

/** Events read per dispatch batch. */
export const dispatchBatchSize = 200;

type DispatchContext = Pick<DomainContext, "db" | "now">;

const dispatchedUpToSql = sql<number>`(SELECT coalesce(max(${webhookDispatch.lastEventId}), 0) FROM ${webhookDispatch})`;

// The dispatcher starts after its cursor, or after the oldest start of any enabled endpoint when
// that is later (an endpoint added to a quiet instance does not make it scan years of events);
// with no enabled endpoint, after the newest event: nothing is read.
const readFromSql = sql<number>`max(${dispatchedUpToSql}, coalesce(
  (SELECT min(${webhookEndpoints.afterEventId}) FROM ${webhookEndpoints} WHERE ${webhookEndpoints.status} = 'enabled'),
  ${newestEventIdSql}))`;

function moveCursorTo(ctx: DispatchContext, eventId: number | typeof newestEventIdSql) {
  return ctx.db
    .insert(webhookDispatch)
    .values({ id: 1, lastEventId: eventId })
    .onConflictDoUpdate({
      target: webhookDispatch.id,
      set: { lastEventId: sql`max(${webhookDispatch.lastEventId}, excluded.last_event_id)` },
    });
}

interface EndpointFilter {
  id: string;
  eventTypes: string[];
  tenantId: string | null;
  afterEventId: number;
}

/** Whether an endpoint asks for an event: after its start, of its types, of its tenant. Also checked again before sending. */
export function wants(
  endpoint: EndpointFilter,
  event: { id: number; action: string; tenantId: string | null },
): boolean {
  if (event.id <= endpoint.afterEventId) return false;
  if (endpoint.eventTypes.length > 0 && !endpoint.eventTypes.includes(event.action)) return false;
  // A tenant-filtered endpoint gets that tenant's events only, never an instance-wide one.
  return endpoint.tenantId === null || endpoint.tenantId === event.tenantId;
}

export interface DispatchResult {
  events: number;
  deliveries: number;
  /** More events wait beyond this batch. */
  more: boolean;
}

/** One batch of the fan-out: at most `limit` events, two round trips (read, then write). */
export async function dispatchEvents(ctx: DispatchContext, limit = dispatchBatchSize): Promise<DispatchResult> {
  const [cursorRows, endpoints, events] = await ctx.db.batch([
    ctx.db
      .select({
        upTo: sql<number>`${dispatchedUpToSql}`.as("up_to"),
        newest: sql<number>`${newestEventIdSql}`.as("newest"),
      })
      .from(sql`(SELECT 1)`),
    ctx.db
      .select({
        id: webhookEndpoints.id,
        eventTypes: webhookEndpoints.eventTypes,
        tenantId: webhookEndpoints.tenantId,
        afterEventId: webhookEndpoints.afterEventId,
      })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.status, "enabled")),
    ctx.db
      .select({ id: auditEvents.id, action: auditEvents.action, tenantId: auditEvents.tenantId })
      .from(auditEvents)
      .where(gt(auditEvents.id, readFromSql))
      .orderBy(asc(auditEvents.id))
      .limit(limit),
  ]);
  const upTo = cursorRows[0]?.upTo ?? 0;
  const last = events.at(-1);
  if (!last) {
    // Nothing to queue: keep the cursor at the newest event, so a new endpoint starts from there.
    // The newest as read with the empty page, not as it is now: an event committed since is read next time.
    const newest = cursorRows[0]?.newest ?? 0;
    if (newest > upTo) await moveCursorTo(ctx, newest);
    return { events: 0, deliveries: 0, more: false };
  }
  const rows = events.flatMap((event) =>
    endpoints
      .filter((endpoint) => wants(endpoint, event))
      .map((endpoint) => ({
        id: generateId("whd"),
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.action,
        status: "pending" as const,
        attempts: 0,
        nextAttemptAt: ctx.now,
        createdAt: ctx.now,
      })),
  );
  const statements: Statement[] = [
    ...insertInChunks(ctx.db, webhookDeliveries, rows, { skipExisting: true }),
    moveCursorTo(ctx, last.id),
  ];
  try {
    await ctx.db.batch(statements as [Statement, ...Statement[]]);
  } catch (error) {
    // An endpoint deleted between the read and this write: its rows break the foreign key and
    // nothing of the batch is written. Read again (the caller loops on `more`).
    if (isForeignKeyViolation(error)) return { events: 0, deliveries: 0, more: true };
    throw error;
  }
  return { events: events.length, deliveries: rows.length, more: events.length === limit };
}

/**
 * What a request learns for free, as one more statement of the batch that loads its caller: whether
 * any endpoint is enabled, whether events wait that the dispatcher has not read yet (written by
 * a request that had no caller to learn this, such as a sign-in), whether events wait for the
 * audit log's sequencer (domain/audit/audit-tree.ts), and whether the audit log's check found rows
 * changed behind Gatehouse's back (the Super admins' banner). http/event-delivery.ts decides from
 * it what to do after the response.
 */
export interface EventDeliveryHint {
  liveEndpoints: boolean;
  undispatched: boolean;
  unsequenced: boolean;
  /** Open findings of the audit log's check, counted up to audit-integrity.ts openFindingsCountCap. */
  openAuditFindings: number;
}

export function selectEventDeliveryHint(db: Db) {
  return db
    .select({
      liveEndpoints:
        sql<number>`EXISTS (SELECT 1 FROM ${webhookEndpoints} WHERE ${webhookEndpoints.status} = 'enabled')`.as(
          "hint_live_endpoints",
        ),
      undispatched: sql<number>`${newestEventIdSql} > ${dispatchedUpToSql}`.as("hint_undispatched"),
      unsequenced: sql<number>`${newestEventIdSql} > ${sequencedUpToSql}`.as("hint_unsequenced"),
      openAuditFindings: openFindingsCountSql.as("hint_open_audit_findings"),
    })
    .from(sql`(SELECT 1)`);
}

export function readEventDeliveryHint(
  rows: Array<{ liveEndpoints: number; undispatched: number; unsequenced: number; openAuditFindings: number }>,
): EventDeliveryHint {
  const row = rows[0];
  return {
    liveEndpoints: Boolean(row?.liveEndpoints),
    undispatched: Boolean(row?.undispatched),
    unsequenced: Boolean(row?.unsequenced),
    openAuditFindings: Number(row?.openAuditFindings ?? 0),
  };
}
