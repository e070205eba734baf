// The cron trigger's entry (wrangler.toml: every 5 minutes). Runs the jobs in order — the sweep,
// the access reviews, the expiry notices, webhooks, then email, so mail queued by this run goes
// out in this run, and last the audit log, so this run's events are in the checkpoint it seals — each on
// its own: one job failing is recorded in job_runs and logged, and the others still run.
// Cron runs can be retried, skipped or overlap; every job is idempotent (see each module).
import { createDbFromEnv } from "../db/connect";
import type { DomainContext } from "../domain/context";
import { type JobName, type JobResult, recordJobFinished, recordJobStarted } from "../domain/job-health";
import { type Bindings, readConfig } from "../env";
import { writeLog } from "../log";
import { runAccessReviews } from "./access-reviews";
import { deliverOutbox } from "./deliver-outbox";
import { deliverWebhooksOnSchedule } from "./deliver-webhooks";
import { createEmailProvider, type EmailProvider, maskSetupTokens, type ProviderOptions } from "./email-providers";
import { noticeRunSeconds, queueExpiryNotices } from "./expiry-notices";
import { sweepExpiredMemberships } from "./expiry-sweep";
import { maintainAuditLog } from "./maintain-audit-log";

/** Drizzle wraps driver errors as "Failed query: … params: …": keep the driver's first line only. */
function summarizeError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const text =
    cause instanceof Error
      ? `${cause.name}: ${cause.message.split(/\r\n|\r|\n|\u2028|\u2029/)[0]}`
      : "non-error thrown";
  return maskSetupTokens(text).slice(0, 500);
}

async function runRecordedJob(
  ctx: DomainContext,
  job: JobName,
  work: () => Promise<JobResult>,
): Promise<JobResult | null> {
  try {
    await recordJobStarted(ctx.db, job, ctx.now);
    const result = await work();
    await recordJobFinished(ctx.db, job, ctx.now, { result });
    return result;
  } catch (error) {
    const summary = summarizeError(error);
    writeLog("error", "job_failed", { job, requestId: ctx.requestId, error: summary });
    await recordJobFinished(ctx.db, job, ctx.now, { error: summary }).catch(() => undefined);
    return null;
  }
}

export type ScheduledRunResult = Record<JobName, JobResult | null>;

/**
 * The jobs of one cron run, for a context and provider the caller built (tests build their own).
 * `readClock` is the wall clock the notices' deadline is checked against (tests pass their own).
 */
export async function runJobs(
  ctx: DomainContext,
  provider: EmailProvider,
  readClock: () => Date = () => new Date(),
): Promise<ScheduledRunResult> {
  const noticeLimits = { deadline: new Date(ctx.now.getTime() + noticeRunSeconds * 1000), readClock };
  const expirySweep = await runRecordedJob(ctx, "expiry_sweep", async () => ({
    ...(await sweepExpiredMemberships(ctx)),
  }));
  // After the sweep (expired memberships are recorded) and before email (its reminders go out now).
  const accessReviews = await runRecordedJob(ctx, "access_reviews", async () => ({
    ...(await runAccessReviews(ctx)),
  }));
  const expiryNotices = await runRecordedJob(ctx, "expiry_notices", async () => ({
    ...(await queueExpiryNotices(ctx, noticeLimits)),
  }));
  // Before email: an endpoint this run disables queues its email to the Super admins.
  const webhookDelivery = await runRecordedJob(ctx, "webhook_delivery", async () => ({
    ...(await deliverWebhooksOnSchedule(ctx, readClock)),
  }));
  const outboxDelivery = await runRecordedJob(ctx, "outbox_delivery", async () => ({
    ...(await deliverOutbox(ctx, provider)),
  }));
  const auditLog = await runRecordedJob(ctx, "audit_log", () => maintainAuditLog(ctx));
  return {
    expiry_sweep: expirySweep,
    access_reviews: accessReviews,
    expiry_notices: expiryNotices,
    webhook_delivery: webhookDelivery,
    outbox_delivery: outboxDelivery,
    audit_log: auditLog,
  };
}

export async function runScheduledJobs(
  env: Bindings,
  now: Date,
  options: ProviderOptions = {},
): Promise<ScheduledRunResult> {
  const config = readConfig(env);
  const ctx: DomainContext = {
    db: createDbFromEnv(env),
    kv: env.KV,
    now,
    config,
    actor: { kind: "system" },
    ip: null,
    // Audit rows written by this run share one id, like the rows of one request.
    requestId: `cron-${crypto.randomUUID()}`,
  };
  return runJobs(ctx, createEmailProvider(config, env, options));
}
