// Sending webhook deliveries (docs/EVENTS.md "Delivery", "Retries", "Safety"), per the Standard
// Webhooks specification: headers webhook-id (the event's id, the same on every retry and resend),
// webhook-timestamp (the real time of sending, read from `readClock`, never a test clock) and
// webhook-signature (auth/webhook-signatures.ts), the event JSON as the body.
//
// Claiming is one conditional UPDATE … RETURNING, as for email (jobs/deliver-outbox.ts): due
// deliveries of enabled endpoints, at most one per endpoint, and none of an endpoint that has one
// in flight, so an endpoint never gets two requests at once. Up to ten lanes send side by side, and
// a lane that is done claims the next due delivery by itself: a hanging endpoint holds its own lane
// (10 s at most per attempt), never the other endpoints' deliveries, nor another run. The claim moves next_attempt_at one lease ahead; a
// run that dies mid-send leaves the delivery due again after the lease (at least once; the
// webhook-id lets receivers deduplicate). Each attempt has a 10-second timeout, redirects are not
// followed, the URL is checked again before sending (APP_ORIGIN may have changed since it was
// saved), and a run stops claiming when its deadline (real time) is closer than one timeout, or
// after maximumAttemptsPerRun attempts (D1 allows 1,000 queries per invocation; an attempt takes three).
//
// After a failure the next attempt is 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later; the seventh
// failure gives the delivery up. 410 Gone disables the endpoint at once; so does failing for 5
// days in a row (failing_since). Either way every active Super admin is emailed, and the endpoint
// waits for an admin to resume it.
import { addSeconds } from "date-fns";
import { and, eq, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { decryptSecret } from "../../auth/secrets";
import { signWebhook } from "../../auth/webhook-signatures";
import type { Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { users, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { buildWebhookDisabledEmail } from "../emails";
import { type EventRow, eventIdOf, selectEventsById, toEventPayload } from "../events/events";
import { insertOutboxMessage } from "../outbox";
import { dispatchEvents, wants } from "./webhook-dispatch";
import { describeWebhookEndpoint, secretPurposeOf, type WebhookEndpointRow } from "./webhook-endpoints";
import { findWebhookUrlProblem } from "./webhook-urls";

/** After the nth failed attempt, the next one waits retryDelaysSeconds[n - 1]; after the last, none. */
export const retryDelaysSeconds = [300, 1800, 7200, 18000, 36000, 36000] as const;
/** Attempts of one schedule: the first and one per retry. */
export const attemptsPerSchedule = retryDelaysSeconds.length + 1;
export const attemptTimeoutMs = 10_000;
/**
 * Longer than any run can hold a claim: a run's `now` can be older than the real time (the cron's
 * is its scheduled time, and the email and expiry jobs may run first), and a run lasts at most 60 s.
 */
export const deliveryLeaseSeconds = 900;
export const failingDaysBeforeDisabling = 5;
/** Deliveries sent side by side, each of another endpoint. */
export const deliveryLanes = 10;
export const maximumAttemptsPerRun = 250;
/** Dispatch batches per run, 200 events each. */
export const maximumDispatchBatches = 20;
const errorMaxLength = 300;

export interface DeliveryRun {
  /** The real clock: webhook-timestamp and the run's deadline. */
  readClock: () => Date;
  deadline: Date;
}

export interface WebhookDeliveryResult {
  attempted: number;
  delivered: number;
  retried: number;
  failed: number;
  disabledEndpoints: number;
}

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

function isDue(now: Date) {
  return and(inArray(webhookDeliveries.status, ["pending", "sending"]), lte(webhookDeliveries.nextAttemptAt, now));
}

/** Writes about a claimed delivery apply only while this run's claim on it holds. */
function stillClaimed(delivery: DeliveryRow) {
  return and(
    eq(webhookDeliveries.id, delivery.id),
    eq(webhookDeliveries.status, "sending"),
    eq(webhookDeliveries.attempts, delivery.attempts),
  );
}

async function claimDueDeliveries(ctx: DomainContext, limit: number): Promise<DeliveryRow[]> {
  const now = ctx.now.getTime();
  // Driven by the endpoints, so the cost does not grow with a backlog: for each enabled endpoint
  // with none in flight (a `sending` row whose lease still runs), its first due delivery, read in
  // order from webhook_deliveries_open_idx without a sort.
  const candidates = sql`SELECT d.id FROM ${webhookEndpoints} e
    JOIN ${webhookDeliveries} d ON d.id = (SELECT d2.id FROM ${webhookDeliveries} d2
      WHERE d2.endpoint_id = e.id AND d2.status IN ('pending', 'sending') AND d2.next_attempt_at <= ${now}
      ORDER BY d2.next_attempt_at, d2.event_id LIMIT 1)
    WHERE e.status = 'enabled'
      AND NOT EXISTS (SELECT 1 FROM ${webhookDeliveries} s
        WHERE s.endpoint_id = e.id AND s.status = 'sending' AND s.next_attempt_at > ${now})
    ORDER BY d.next_attempt_at, d.event_id LIMIT ${limit}`;
  return ctx.db
    .update(webhookDeliveries)
    .set({
      status: "sending",
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      nextAttemptAt: addSeconds(ctx.now, deliveryLeaseSeconds),
    })
    .where(and(sql`${webhookDeliveries.id} IN (${candidates})`, isDue(ctx.now)))
    .returning();
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

function describeError(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `No answer within ${attemptTimeoutMs / 1000} seconds.`;
  }
  const text = error instanceof Error ? error.message : String(error);
  return `Could not connect: ${text}`.slice(0, errorMaxLength);
}

async function readSigningSecrets(ctx: DomainContext, endpoint: WebhookEndpointRow): Promise<string[]> {
  const purpose = secretPurposeOf(endpoint.id);
  const secrets = [await decryptSecret(ctx.config.SECRETS_KEYS, endpoint.secretSealed, purpose)];
  if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > ctx.now) {
    secrets.push(await decryptSecret(ctx.config.SECRETS_KEYS, endpoint.previousSecretSealed, purpose));
  }
  return secrets;
}

async function send(
  ctx: DomainContext,
  run: DeliveryRun,
  endpoint: WebhookEndpointRow,
  event: EventRow,
): Promise<Outcome> {
  const id = eventIdOf(event.id);
  const body = JSON.stringify(toEventPayload(event));
  const started = run.readClock().getTime();
  const timestampSeconds = Math.floor(started / 1000);
  const refused = findWebhookUrlProblem(endpoint.url, ctx.config.APP_ORIGIN);
  if (refused) return { statusCode: null, error: `Not sent: ${refused}`, durationMs: 0 };
  let signature: string;
  try {
    signature = await signWebhook(await readSigningSecrets(ctx, endpoint), { id, timestampSeconds, body });
  } catch (error) {
    // A configuration fault (a key gone from SECRETS_KEYS), not the receiver's: say which.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      statusCode: null,
      error: `Not sent: the signing secret cannot be read (${reason})`.slice(0, errorMaxLength),
      durationMs: 0,
    };
  }
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": `${ctx.config.APP_NAME}-Webhooks/1`,
        "webhook-id": id,
        "webhook-timestamp": String(timestampSeconds),
        "webhook-signature": signature,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(attemptTimeoutMs),
    });
    await response.body?.cancel();
    const durationMs = run.readClock().getTime() - started;
    if (response.status >= 200 && response.status < 300)
      return { statusCode: response.status, error: null, durationMs };
    const redirect = response.status >= 300 && response.status < 400;
    return {
      statusCode: response.status,
      error: redirect ? "Redirects are not followed: give the final URL." : `Answered ${response.status}.`,
      durationMs,
    };
  } catch (error) {
    return { statusCode: null, error: describeError(error), durationMs: run.readClock().getTime() - started };
  }
}

type Verdict = "delivered" | "retried" | "failed";

function nextStep(
  ctx: DomainContext,
  delivery: DeliveryRow,
  outcome: Outcome,
): { verdict: Verdict; nextAttemptAt: Date | null } {
  if (outcome.error === null) return { verdict: "delivered", nextAttemptAt: null };
  const delay = retryDelaysSeconds[delivery.attempts - 1];
  if (outcome.statusCode === 410 || delay === undefined) return { verdict: "failed", nextAttemptAt: null };
  return { verdict: "retried", nextAttemptAt: addSeconds(ctx.now, delay) };
}

/** Why the endpoint must be disabled after this outcome, if it must. */
function disablingReason(
  ctx: DomainContext,
  endpoint: WebhookEndpointRow,
  outcome: Outcome,
): "gone" | "failing" | null {
  if (outcome.statusCode === 410) return "gone";
  if (outcome.error === null || !endpoint.failingSince) return null;
  const failingMs = ctx.now.getTime() - endpoint.failingSince.getTime();
  return failingMs >= failingDaysBeforeDisabling * 24 * 3600 * 1000 ? "failing" : null;
}

function recordOutcome(
  ctx: DomainContext,
  delivery: DeliveryRow,
  outcome: Outcome,
): { statements: Statement[]; verdict: Verdict } {
  const step = nextStep(ctx, delivery, outcome);
  const statusOf = { delivered: "delivered", retried: "pending", failed: "failed" } as const;
  const statements: Statement[] = [
    ctx.db
      .update(webhookDeliveries)
      .set({
        status: statusOf[step.verdict],
        nextAttemptAt: step.nextAttemptAt ?? ctx.now,
        lastAttemptAt: ctx.now,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
      })
      .where(stillClaimed(delivery)),
    // Only while the delivery exists: an endpoint deleted during the attempt took it away.
    ctx.db.insert(webhookAttempts).select(
      ctx.db
        .select({
          id: sql<null>`NULL`.as("id"),
          deliveryId: webhookDeliveries.id,
          endpointId: webhookDeliveries.endpointId,
          at: sql<number>`${ctx.now.getTime()}`.as("at"),
          statusCode: sql<number | null>`${outcome.statusCode}`.as("status_code"),
          error: sql<string | null>`${outcome.error}`.as("error"),
          durationMs: sql<number>`${outcome.durationMs}`.as("duration_ms"),
        })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.id, delivery.id)),
    ),
    ctx.db
      .update(webhookEndpoints)
      .set(
        outcome.error === null
          ? { failingSince: null, lastSuccessAt: ctx.now }
          : { failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${ctx.now.getTime()})` },
      )
      .where(eq(webhookEndpoints.id, delivery.endpointId)),
  ];
  return { statements, verdict: step.verdict };
}

/**
 * Disables the endpoint (once: the write is conditional on it being enabled), audits it with
 * Gatehouse as the actor and emails every active Super admin, all in one batch.
 */
async function disableEndpoint(
  ctx: DomainContext,
  endpoint: WebhookEndpointRow,
  reason: "gone" | "failing",
): Promise<boolean> {
  const admins = await ctx.db
    .select({ id: users.id, email: users.email, displayName: users.displayName, timeZone: users.timeZone })
    .from(users)
    .where(
      and(
        eq(users.role, "SUPER_ADMIN"),
        isNotNull(users.activatedAt),
        isNull(users.deactivatedAt),
        isNull(users.erasedAt),
      ),
    );
  const host = new URL(endpoint.url).host;
  const emails = await Promise.all(
    admins.map(async (admin) => ({
      admin,
      message: await buildWebhookDisabledEmail({
        appName: ctx.config.APP_NAME,
        appOrigin: ctx.config.APP_ORIGIN,
        to: admin.email,
        recipientName: admin.displayName,
        timeZone: admin.timeZone,
        endpoint: { id: endpoint.id, description: endpoint.description, host },
        reason,
      }),
    })),
  );
  // One batch: the endpoint is disabled with its audit row and emails, or not at all (a guard
  // stops the batch when another run or an admin changed the endpoint first).
  try {
    await ctx.db.batch([
      ctx.db
        .update(webhookEndpoints)
        .set({ status: "disabled", disabledReason: reason, updatedAt: ctx.now })
        .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.status, "enabled"))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(
        { ...ctx, actor: { kind: "system" } },
        {
          action: "webhook_endpoint.disabled",
          target: describeWebhookEndpoint(endpoint),
          tenantId: endpoint.tenantId,
          details: { reason },
        },
      ),
      ...emails.map(({ admin, message }) =>
        insertOutboxMessage(ctx.db, message, ctx.now, {
          userId: admin.id,
          dedupeKey: `webhook-disabled:${endpoint.id}:${ctx.now.getTime()}:${admin.id}`,
        }),
      ),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) return false;
    throw error;
  }
  return true;
}

function mayStartAttempt(run: DeliveryRun): boolean {
  return run.readClock().getTime() + attemptTimeoutMs + 2000 < run.deadline.getTime();
}

/**
 * A claimed delivery that must not be sent: back to waiting, as it was, when its endpoint is not
 * enabled (it goes after a resume); dropped as `failed`, with the reason on the endpoint's page,
 * when the endpoint no longer asks for its event. Neither counts as a failure of the receiver.
 */
function releaseOrDrop(ctx: DomainContext, delivery: DeliveryRow, release: boolean) {
  return ctx.db
    .update(webhookDeliveries)
    .set(
      release
        ? { status: "pending", attempts: delivery.attempts - 1, nextAttemptAt: ctx.now }
        : {
            status: "failed",
            lastError: "Not sent: the endpoint no longer asks for this event (its types or tenant changed).",
          },
    )
    .where(stillClaimed(delivery));
}

/** Sends one claimed delivery and records its outcome; disables the endpoint when it must. */
async function deliverClaimed(
  ctx: DomainContext,
  run: DeliveryRun,
  delivery: DeliveryRow,
  result: WebhookDeliveryResult,
): Promise<void> {
  const [endpoints, events] = await ctx.db.batch([
    ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId)),
    selectEventsById(ctx.db, [delivery.eventId]),
  ]);
  const [endpoint] = endpoints;
  const [event] = events;
  // Deleted since the claim, with its deliveries: nothing to send or record.
  if (!endpoint || !event) return;
  // Matched when it was queued; checked again now, so an endpoint paused, or moved to another
  // tenant or other types since (an edit, a resend of an old delivery), never gets what it no
  // longer asks for.
  if (endpoint.status !== "enabled" || !wants(endpoint, event)) {
    await releaseOrDrop(ctx, delivery, endpoint.status !== "enabled");
    return;
  }
  const outcome = await send(ctx, run, endpoint, event);
  const recorded = recordOutcome(ctx, delivery, outcome);
  await ctx.db.batch(recorded.statements as [Statement, ...Statement[]]);
  result.attempted += 1;
  result[recorded.verdict] += 1;
  const reason = disablingReason(ctx, endpoint, outcome);
  if (reason && (await disableEndpoint(ctx, endpoint, reason))) result.disabledEndpoints += 1;
}

/**
 * One lane: the delivery it was given, then whichever is due next of an endpoint with none in
 * flight, until none is or the deadline nears. Lanes never wait for each other, so a slow
 * endpoint holds its own lane only.
 */
async function runLane(
  ctx: DomainContext,
  run: DeliveryRun,
  first: DeliveryRow,
  state: { result: WebhookDeliveryResult; claimsLeft: number },
): Promise<void> {
  let delivery: DeliveryRow | undefined = first;
  while (delivery) {
    await deliverClaimed(ctx, run, delivery, state.result);
    if (!mayStartAttempt(run) || state.claimsLeft <= 0) return;
    state.claimsLeft -= 1;
    [delivery] = await claimDueDeliveries(ctx, 1);
  }
}

/** Claims, sends and records due deliveries, up to deliveryLanes side by side, until none is due or the deadline nears. */
export async function deliverDueWebhooks(ctx: DomainContext, run: DeliveryRun): Promise<WebhookDeliveryResult> {
  const result: WebhookDeliveryResult = { attempted: 0, delivered: 0, retried: 0, failed: 0, disabledEndpoints: 0 };
  if (!mayStartAttempt(run)) return result;
  const claimed = await claimDueDeliveries(ctx, deliveryLanes);
  const state = { result, claimsLeft: maximumAttemptsPerRun - claimed.length };
  await Promise.all(claimed.map((delivery) => runLane(ctx, run, delivery, state)));
  return result;
}

export interface EventDeliveryResult extends WebhookDeliveryResult {
  events: number;
  queued: number;
  /** Events still wait beyond this run's dispatch batches. */
  more: boolean;
}

/**
 * Queues what the events since the last run call for (webhook-dispatch.ts), then sends what is due:
 * after a change (the request's background work, http/event-delivery.ts) and on every cron run.
 */
export async function deliverEvents(ctx: DomainContext, run: DeliveryRun): Promise<EventDeliveryResult> {
  let events = 0;
  let queued = 0;
  let more = true;
  for (let batch = 0; more && batch < maximumDispatchBatches; batch++) {
    if (run.readClock().getTime() >= run.deadline.getTime()) break;
    const dispatched = await dispatchEvents(ctx);
    events += dispatched.events;
    queued += dispatched.deliveries;
    more = dispatched.more;
  }
  return { events, queued, more, ...(await deliverDueWebhooks(ctx, run)) };
}
