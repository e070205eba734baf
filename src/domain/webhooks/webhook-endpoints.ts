// Webhook endpoints (docs/EVENTS.md "Endpoints"): a SUPER_ADMIN adds a URL, the event types it
// wants (none chosen = every type) and optionally one tenant whose events alone it gets. The
// signing secret is shown once and kept sealed (auth/secrets.ts); a rotation keeps signing with the
// old secret too for 24 hours, so the receiver can switch over without refusing a delivery. An
// endpoint gets the events recorded after it was added or last resumed, never older ones. Audit
// labels name the endpoint by its description and host, never its full URL: a path can be a secret.
import { and, eq, ne } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { encryptSecret } from "../../auth/secrets";
import { generateWebhookSecret } from "../../auth/webhook-signatures";
import { runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { tenants, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import { type AuditAction, auditActions, insertAuditEvent } from "../audit/audit";
import { actorRole, actorUserId, type DomainContext } from "../context";
import { newestEventIdSql } from "../events/events";
import { singleLineTextSchema } from "../text";
import { findWebhookUrlProblem } from "./webhook-urls";

/** How long the secret a rotation replaced still signs deliveries. */
export const secretOverlapSeconds = 24 * 60 * 60;

export const webhookEndpointSchema = z.strictObject({
  url: z.string().trim().min(1, "Enter the URL that receives the events.").max(2000, "Use at most 2000 characters."),
  description: singleLineTextSchema("Description").max(100, "Use at most 100 characters."),
  eventTypes: z.array(z.enum(auditActions, "Unknown event type; see docs/EVENTS.md.")).max(auditActions.length),
  tenantId: z.string().trim().max(64).nullable(),
});
export type WebhookEndpointInput = z.output<typeof webhookEndpointSchema>;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

export function secretPurposeOf(endpointId: string): string {
  return `webhook-endpoint:${endpointId}`;
}

export function assertMayManageWebhooks(ctx: DomainContext): void {
  if (actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can manage webhook endpoints." });
  }
}

export function describeWebhookEndpoint(endpoint: { id: string; url: string; description: string }) {
  const host = new URL(endpoint.url).host;
  return {
    type: "webhook_endpoint" as const,
    id: endpoint.id,
    label: endpoint.description ? `${endpoint.description} (${host})` : host,
  };
}

async function checkEndpointInput(ctx: DomainContext, input: WebhookEndpointInput): Promise<WebhookEndpointInput> {
  const problem = findWebhookUrlProblem(input.url, ctx.config.APP_ORIGIN);
  if (problem) throw fieldError("url", problem);
  const tenantId = input.tenantId || null;
  if (tenantId) {
    const [tenant] = await ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).limit(1);
    if (!tenant) throw fieldError("tenantId", "This company does not exist (any more). Choose another.");
  }
  return { ...input, url: new URL(input.url).href, eventTypes: [...new Set(input.eventTypes)], tenantId };
}

export function webhookEndpointNotFound(): AppError {
  return new AppError("NOT_FOUND", { detail: "No such webhook endpoint." });
}

async function findEndpoint(ctx: DomainContext, id: string): Promise<WebhookEndpointRow> {
  const [endpoint] = await ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).limit(1);
  if (!endpoint) throw webhookEndpointNotFound();
  return endpoint;
}

export interface CreatedWebhookEndpoint {
  endpoint: WebhookEndpointRow;
  /** The whsec_ secret, for the page that shows it once. */
  secret: string;
}

export async function createWebhookEndpoint(
  ctx: DomainContext,
  raw: WebhookEndpointInput,
): Promise<CreatedWebhookEndpoint> {
  assertMayManageWebhooks(ctx);
  const input = await checkEndpointInput(ctx, raw);
  const id = generateId("whe");
  const secret = generateWebhookSecret();
  const endpoint = {
    id,
    url: input.url,
    description: input.description,
    eventTypes: input.eventTypes,
    tenantId: input.tenantId,
    status: "enabled" as const,
    disabledReason: null,
    secretSealed: await encryptSecret(ctx.config.SECRETS_KEYS, secret, secretPurposeOf(id)),
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    lastSuccessAt: null,
    createdAt: ctx.now,
    createdBy: actorUserId(ctx.actor),
    updatedAt: ctx.now,
  };
  const [inserted] = (await runBatch(ctx.db, [
    ctx.db
      .insert(webhookEndpoints)
      .values({ ...endpoint, afterEventId: newestEventIdSql })
      .returning(),
    insertAuditEvent(ctx, {
      action: "webhook_endpoint.created",
      target: describeWebhookEndpoint(endpoint),
      tenantId: input.tenantId,
      details: { eventTypes: input.eventTypes, tenantId: input.tenantId },
    }),
  ])) as [WebhookEndpointRow[]];
  return { endpoint: inserted?.[0] ?? { ...endpoint, afterEventId: 0 }, secret };
}

/** Changes what an endpoint receives and where; audited with the fields that changed. */
export async function updateWebhookEndpoint(
  ctx: DomainContext,
  id: string,
  raw: WebhookEndpointInput,
): Promise<WebhookEndpointRow> {
  assertMayManageWebhooks(ctx);
  const before = await findEndpoint(ctx, id);
  const input = await checkEndpointInput(ctx, raw);
  const changed = (["url", "description", "eventTypes", "tenantId"] as const).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(input[field]),
  );
  if (changed.length === 0) return before;
  const after = { ...before, ...input, updatedAt: ctx.now };
  await runBatch(ctx.db, [
    ctx.db
      .update(webhookEndpoints)
      .set({
        url: input.url,
        description: input.description,
        eventTypes: input.eventTypes,
        tenantId: input.tenantId,
        updatedAt: ctx.now,
      })
      .where(eq(webhookEndpoints.id, id)),
    insertAuditEvent(ctx, {
      action: "webhook_endpoint.updated",
      target: describeWebhookEndpoint(after),
      tenantId: input.tenantId,
      details: { changed, eventTypes: input.eventTypes, tenantId: input.tenantId },
    }),
  ]);
  return after;
}

async function changeStatus(
  ctx: DomainContext,
  id: string,
  action: Extract<AuditAction, "webhook_endpoint.paused" | "webhook_endpoint.resumed">,
): Promise<WebhookEndpointRow> {
  assertMayManageWebhooks(ctx);
  const endpoint = await findEndpoint(ctx, id);
  const resume = action === "webhook_endpoint.resumed";
  const target = resume ? "enabled" : "paused";
  if (endpoint.status === target) return endpoint;
  if (!resume && endpoint.status === "disabled") {
    throw new AppError("STATE_CONFLICT", { detail: "This endpoint is disabled already; resume it to send again." });
  }
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(webhookEndpoints)
        .set(
          resume
            ? // Resuming starts from now: what happened meanwhile is in the events API, not queued.
              {
                status: target,
                disabledReason: null,
                failingSince: null,
                afterEventId: newestEventIdSql,
                updatedAt: ctx.now,
              }
            : { status: target, updatedAt: ctx.now },
        )
        .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.status, endpoint.status))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action,
        target: describeWebhookEndpoint(endpoint),
        tenantId: endpoint.tenantId,
        details: { previousStatus: endpoint.status },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) {
      throw new AppError("STATE_CONFLICT", {
        detail: "Someone changed this endpoint meanwhile. Reload and try again.",
      });
    }
    throw error;
  }
  return { ...endpoint, status: target };
}

export function pauseWebhookEndpoint(ctx: DomainContext, id: string) {
  return changeStatus(ctx, id, "webhook_endpoint.paused");
}

export function resumeWebhookEndpoint(ctx: DomainContext, id: string) {
  return changeStatus(ctx, id, "webhook_endpoint.resumed");
}

/** A new secret, shown once; the one it replaces keeps signing for 24 hours beside it. */
export async function rotateWebhookSecret(ctx: DomainContext, id: string): Promise<CreatedWebhookEndpoint> {
  assertMayManageWebhooks(ctx);
  const endpoint = await findEndpoint(ctx, id);
  const secret = generateWebhookSecret();
  const secretSealed = await encryptSecret(ctx.config.SECRETS_KEYS, secret, secretPurposeOf(id));
  const previousSecretExpiresAt = new Date(ctx.now.getTime() + secretOverlapSeconds * 1000);
  await runBatch(ctx.db, [
    ctx.db
      .update(webhookEndpoints)
      .set({ secretSealed, previousSecretSealed: endpoint.secretSealed, previousSecretExpiresAt, updatedAt: ctx.now })
      .where(eq(webhookEndpoints.id, id)),
    insertAuditEvent(ctx, {
      action: "webhook_endpoint.secret_rotated",
      target: describeWebhookEndpoint(endpoint),
      tenantId: endpoint.tenantId,
      details: { overlapEndsAt: previousSecretExpiresAt.toISOString() },
    }),
  ]);
  return {
    endpoint: { ...endpoint, secretSealed, previousSecretSealed: endpoint.secretSealed, previousSecretExpiresAt },
    secret,
  };
}

/** Removes the endpoint with its queued deliveries and attempts; the audit log keeps that it existed. */
export async function deleteWebhookEndpoint(ctx: DomainContext, id: string): Promise<WebhookEndpointRow> {
  assertMayManageWebhooks(ctx);
  const endpoint = await findEndpoint(ctx, id);
  await runBatch(ctx.db, [
    ctx.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
    insertAuditEvent(ctx, {
      action: "webhook_endpoint.deleted",
      target: describeWebhookEndpoint(endpoint),
      tenantId: endpoint.tenantId,
      details: {},
    }),
  ]);
  return endpoint;
}

/**
 * Sends a delivery again, now, with the same webhook-id, on a fresh retry schedule. One that is
 * being sent at this moment is left to that attempt.
 */
export async function resendWebhookDelivery(ctx: DomainContext, endpointId: string, deliveryId: string) {
  assertMayManageWebhooks(ctx);
  const endpoint = await findEndpoint(ctx, endpointId);
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(webhookDeliveries)
        .set({ status: "pending", attempts: 0, nextAttemptAt: ctx.now })
        .where(
          and(
            eq(webhookDeliveries.id, deliveryId),
            eq(webhookDeliveries.endpointId, endpointId),
            ne(webhookDeliveries.status, "sending"),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "webhook_endpoint.delivery_resent",
        target: describeWebhookEndpoint(endpoint),
        tenantId: endpoint.tenantId,
        details: { deliveryId },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) {
      throw new AppError("STATE_CONFLICT", { detail: "This delivery is being sent right now, or no longer exists." });
    }
    throw error;
  }
  return endpoint;
}
