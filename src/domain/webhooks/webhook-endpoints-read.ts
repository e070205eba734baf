// The console's reads of webhook endpoints (Admin → Webhooks), each page's data in one batch:
// delivery counts are aggregates (one row per endpoint and status), attempts are capped. No read
// here returns a sealed secret: the console shows a secret only once, from the flash.
// D1 answers a batch's rows as objects keyed by column name, so every joined column that could
// share a name with another (id, status, attempts) is aliased.
import { asc, count, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
  tenants,
  type WebhookDeliveryStatus,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
} from "../../db/schema";
import type { DomainContext } from "../context";
import { eventIdOf } from "../events/events";
import { attemptsPerSchedule } from "./webhook-delivery";
import { assertMayManageWebhooks, webhookEndpointNotFound } from "./webhook-endpoints";

export const webhookEndpointsListLimit = 200;
export const webhookAttemptsShown = 50;
const tenantChoicesLimit = 500;

/** An endpoint as the console shows it: never its sealed secrets. */
const endpointColumns = {
  id: webhookEndpoints.id,
  url: webhookEndpoints.url,
  description: webhookEndpoints.description,
  eventTypes: webhookEndpoints.eventTypes,
  tenantId: webhookEndpoints.tenantId,
  status: webhookEndpoints.status,
  disabledReason: webhookEndpoints.disabledReason,
  previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
  failingSince: webhookEndpoints.failingSince,
  lastSuccessAt: webhookEndpoints.lastSuccessAt,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
  tenantName: sql<string | null>`${tenants.name}`.as("endpoint_tenant_name"),
};

export type WebhookDeliveryCounts = Record<WebhookDeliveryStatus, number>;

export interface WebhookEndpointSummary {
  id: string;
  url: string;
  description: string;
  /** Empty: every event type. */
  eventTypes: string[];
  tenant: { id: string; name: string } | null;
  status: "enabled" | "paused" | "disabled";
  disabledReason: "gone" | "failing" | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  deliveries: WebhookDeliveryCounts;
}

function selectEndpoints(db: Db, where?: SQL) {
  return db
    .select(endpointColumns)
    .from(webhookEndpoints)
    .leftJoin(tenants, eq(tenants.id, webhookEndpoints.tenantId))
    .where(where);
}

function selectDeliveryCounts(db: Db, where?: SQL) {
  return db
    .select({
      endpointId: webhookDeliveries.endpointId,
      deliveryStatus: sql<WebhookDeliveryStatus>`${webhookDeliveries.status}`.as("delivery_status"),
      deliveries: count(),
    })
    .from(webhookDeliveries)
    .where(where)
    .groupBy(webhookDeliveries.endpointId, webhookDeliveries.status);
}

function toCounts(
  rows: Array<{ endpointId: string; deliveryStatus: WebhookDeliveryStatus; deliveries: number }>,
  endpointId: string,
): WebhookDeliveryCounts {
  const counts: WebhookDeliveryCounts = { pending: 0, sending: 0, delivered: 0, failed: 0 };
  for (const row of rows) if (row.endpointId === endpointId) counts[row.deliveryStatus] = Number(row.deliveries);
  return counts;
}

type EndpointRow = Awaited<ReturnType<typeof selectEndpoints>>[number];

function toSummary(row: EndpointRow, counts: WebhookDeliveryCounts): WebhookEndpointSummary {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    tenant: row.tenantId && row.tenantName ? { id: row.tenantId, name: row.tenantName } : null,
    status: row.status,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    lastSuccessAt: row.lastSuccessAt,
    createdAt: row.createdAt,
    deliveries: counts,
  };
}

/** Every endpoint, newest first, with its deliveries counted by status: one batch. */
export async function listWebhookEndpoints(
  ctx: DomainContext,
): Promise<{ items: WebhookEndpointSummary[]; truncated: boolean }> {
  assertMayManageWebhooks(ctx);
  const [rows, counts] = await ctx.db.batch([
    selectEndpoints(ctx.db)
      .orderBy(desc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
      .limit(webhookEndpointsListLimit + 1),
    selectDeliveryCounts(ctx.db),
  ]);
  const items = rows.slice(0, webhookEndpointsListLimit).map((row) => toSummary(row, toCounts(counts, row.id)));
  return { items, truncated: rows.length > webhookEndpointsListLimit };
}

export interface WebhookAttemptView {
  id: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  delivery: {
    id: string;
    /** As the payload and the events API name it: evt_<audit id>. */
    eventId: string;
    eventType: string;
    status: WebhookDeliveryStatus;
    nextAttemptAt: Date;
    attempts: number;
  };
}

export interface WebhookEndpointPage {
  endpoint: WebhookEndpointSummary & { updatedAt: Date };
  /** Until when the secret a rotation replaced still signs beside the new one; null when it does not. */
  previousSecretSignsUntil: Date | null;
  attempts: WebhookAttemptView[];
  /** How many attempts one delivery's schedule makes, for "n of 7 attempts made". */
  attemptsPerSchedule: number;
}

/** One endpoint's page: the endpoint, its newest attempts with their delivery, its counts: one batch. */
export async function loadWebhookEndpointPage(ctx: DomainContext, endpointId: string): Promise<WebhookEndpointPage> {
  assertMayManageWebhooks(ctx);
  const [rows, attempts, counts] = await ctx.db.batch([
    selectEndpoints(ctx.db, eq(webhookEndpoints.id, endpointId)).limit(1),
    ctx.db
      .select({
        id: webhookAttempts.id,
        at: webhookAttempts.at,
        statusCode: webhookAttempts.statusCode,
        error: webhookAttempts.error,
        durationMs: webhookAttempts.durationMs,
        deliveryId: webhookAttempts.deliveryId,
        eventId: webhookDeliveries.eventId,
        eventType: webhookDeliveries.eventType,
        deliveryStatus: sql<WebhookDeliveryStatus>`${webhookDeliveries.status}`.as("delivery_status"),
        nextAttemptAt: webhookDeliveries.nextAttemptAt,
        deliveryAttempts: sql<number>`${webhookDeliveries.attempts}`.as("delivery_attempts"),
      })
      .from(webhookAttempts)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
      .where(eq(webhookAttempts.endpointId, endpointId))
      .orderBy(desc(webhookAttempts.id))
      .limit(webhookAttemptsShown),
    selectDeliveryCounts(ctx.db, eq(webhookDeliveries.endpointId, endpointId)),
  ]);
  const row = rows[0];
  if (!row) throw webhookEndpointNotFound();
  const expires = row.previousSecretExpiresAt;
  return {
    endpoint: { ...toSummary(row, toCounts(counts, row.id)), updatedAt: row.updatedAt },
    previousSecretSignsUntil: expires && expires > ctx.now ? expires : null,
    attemptsPerSchedule,
    attempts: attempts.map((attempt) => ({
      id: attempt.id,
      at: attempt.at,
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
      delivery: {
        id: attempt.deliveryId,
        eventId: eventIdOf(attempt.eventId),
        eventType: attempt.eventType,
        status: attempt.deliveryStatus,
        nextAttemptAt: attempt.nextAttemptAt,
        attempts: Number(attempt.deliveryAttempts),
      },
    })),
  };
}

export type TenantChoice = { id: string; name: string };

function selectTenantChoices(db: Db) {
  return db
    .select({ id: tenants.id, name: tenants.name })
    .from(tenants)
    .orderBy(asc(tenants.name), asc(tenants.id))
    .limit(tenantChoicesLimit);
}

/** What the "Add endpoint" form offers: the tenants an endpoint may be limited to. */
export async function loadWebhookFormChoices(ctx: DomainContext): Promise<{ tenants: TenantChoice[] }> {
  assertMayManageWebhooks(ctx);
  return { tenants: await selectTenantChoices(ctx.db) };
}

/** One endpoint for its edit form (with the tenant choices) or its delete confirmation: one batch. */
export async function loadWebhookEndpoint(
  ctx: DomainContext,
  endpointId: string,
  options: { withTenantChoices: boolean },
): Promise<{ endpoint: WebhookEndpointSummary; tenants: TenantChoice[] }> {
  assertMayManageWebhooks(ctx);
  const one = selectEndpoints(ctx.db, eq(webhookEndpoints.id, endpointId)).limit(1);
  const [rows, choices] = options.withTenantChoices
    ? await ctx.db.batch([one, selectTenantChoices(ctx.db)])
    : [await one, []];
  const row = rows[0];
  if (!row) throw webhookEndpointNotFound();
  const endpoint = toSummary(row, toCounts([], row.id));
  // The endpoint's own tenant is always a choice, even beyond the first 500: otherwise the form
  // would select "every tenant" and saving it would widen the filter.
  const own = endpoint.tenant;
  const tenants =
    options.withTenantChoices && own && !choices.some((choice) => choice.id === own.id)
      ? [{ id: own.id, name: own.name }, ...choices]
      : choices;
  return { endpoint, tenants };
}
