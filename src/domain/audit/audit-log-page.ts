// What Admin → Audit log shows, in ONE batch (test/budget: the page's row): a page of events with
// the names people know them by, every tenant for the tenant picker, and the people the filter
// names (the actor and the target, chosen by email, shown by email when the link carried an id),
// and the verifiable log's state: each row's leaf and checkpoint, the newest checkpoint, the
// events no checkpoint covers yet and, for a Super admin, the open findings (audit-log-status.ts).
// Names the row stored when the event happened come first (docs/PRODUCT.md §6: history is not
// rewritten); the current name, joined here, fills only what the row never stored: a tenant's name
// (rows keep its id) and a target whose label is empty.
import { type AnyColumn, and, desc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { accessGroups, auditEvents, type auditFindings, auditLeaves, tenants, users } from "../../db/schema";
import type { DomainContext } from "../context";
import { decodeCursor, encodeCursor, type Page, toPage } from "../pagination";
import { selectTenantChoices } from "../tenants/tenants";
import { selectOpenFindings } from "./audit-integrity";
import { type AuditEventRow, type AuditFilter, filterConditions } from "./audit-log";
import { leafStatusColumns, selectPendingEventCount } from "./audit-log-status";
import { type Checkpoint, selectLatestCheckpoint } from "./audit-tree";

export interface NamedAuditEvent extends AuditEventRow {
  /** The tenant's current name (rows store only its id); null for events outside a tenant. */
  tenantName: string | null;
  /** The target's current name, only when the row stored no label for it. */
  currentTargetName: string | null;
  /** The row's leaf in the Merkle tree; null until the sequencer appends it. */
  leafIndex: number | null;
  /** The size of the first checkpoint that covers the row's leaf; null while the row is pending. */
  checkpointSize: number | null;
}

export interface FilterPerson {
  id: string;
  email: string;
  displayName: string;
}

export interface AuditLogPage {
  events: Page<NamedAuditEvent>;
  tenants: Array<{ id: string; name: string }>;
  /** The users the filter's actor and target ids or emails name, when they exist. */
  people: FilterPerson[];
  log: {
    latestCheckpoint: Checkpoint | null;
    /** Events no checkpoint covers yet, counted up to pendingCountLimit + 1. */
    pendingEvents: number;
    /** Open findings, newest first: read only for a Super admin (empty otherwise). */
    openFindings: Array<typeof auditFindings.$inferSelect>;
  };
}

const targetUsers = alias(users, "target_users");
const targetTenants = alias(tenants, "target_tenants");
const targetGroups = alias(accessGroups, "target_groups");

function unlabelledTarget(type: string, id: AnyColumn): SQL {
  return and(isNull(auditEvents.targetLabel), eq(auditEvents.targetType, type), eq(auditEvents.targetId, id)) as SQL;
}

function selectNamedRows(ctx: Pick<DomainContext, "db">, filter: AuditFilter, beforeId: number | null, limit: number) {
  const conditions = filterConditions(filter);
  if (beforeId !== null) conditions.push(lt(auditEvents.id, beforeId));
  return ctx.db
    .select({
      event: auditEvents,
      // Named apart: D1 batches return rows as objects, where two columns called "name" would collide.
      tenantName: sql<string | null>`${tenants.name}`.as("tenant_name"),
      targetUserName: sql<string | null>`${targetUsers.displayName}`.as("target_user_name"),
      targetUserEmail: sql<string | null>`${targetUsers.email}`.as("target_user_email"),
      targetTenantName: sql<string | null>`${targetTenants.name}`.as("target_tenant_name"),
      targetGroupName: sql<string | null>`${targetGroups.name}`.as("target_group_name"),
      ...leafStatusColumns,
    })
    .from(auditEvents)
    .leftJoin(auditLeaves, eq(auditLeaves.eventId, auditEvents.id))
    .leftJoin(tenants, eq(tenants.id, auditEvents.tenantId))
    .leftJoin(targetUsers, unlabelledTarget("user", targetUsers.id))
    .leftJoin(targetTenants, unlabelledTarget("tenant", targetTenants.id))
    .leftJoin(targetGroups, unlabelledTarget("group", targetGroups.id))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}

function selectFilterPeople(ctx: Pick<DomainContext, "db">, filter: AuditFilter) {
  const ids = [filter.actorId, filter.targetId].filter((id): id is string => Boolean(id));
  const emails = [filter.actorEmail, filter.targetEmail]
    .filter((email): email is string => Boolean(email))
    .map((email) => email.trim().toLowerCase());
  const matches: SQL[] = [];
  if (ids.length > 0) matches.push(inArray(users.id, ids));
  if (emails.length > 0) matches.push(inArray(users.email, emails));
  return ctx.db
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .where(matches.length > 0 ? or(...matches) : sql`0`)
    .limit(4);
}

export async function readAuditLogPage(
  ctx: Pick<DomainContext, "db">,
  filter: AuditFilter,
  page: { cursor?: string | undefined; limit: number; withFindings: boolean },
): Promise<AuditLogPage> {
  const cursor = decodeCursor(page.cursor);
  const [rows, tenantChoices, people, latest, pending, findings] = await ctx.db.batch([
    selectNamedRows(ctx, filter, cursor ? Number(cursor.id) : null, page.limit + 1),
    selectTenantChoices(ctx.db),
    selectFilterPeople(ctx, filter),
    selectLatestCheckpoint(ctx),
    selectPendingEventCount(ctx),
    selectOpenFindings(ctx, page.withFindings ? 20 : 0),
  ]);
  const named = rows.map((row) => ({
    ...row.event,
    tenantName: row.tenantName,
    currentTargetName:
      (row.targetUserName && `${row.targetUserName} <${row.targetUserEmail}>`) ??
      row.targetTenantName ??
      row.targetGroupName,
    leafIndex: row.leafIndex,
    checkpointSize: row.checkpointSize,
  }));
  return {
    events: toPage(named, page.limit, (row) => encodeCursor({ time: row.at.getTime(), id: String(row.id) })),
    tenants: tenantChoices,
    people,
    log: { latestCheckpoint: latest[0] ?? null, pendingEvents: pending[0]?.pending ?? 0, openFindings: findings },
  };
}
