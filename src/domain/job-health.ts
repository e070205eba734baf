// When each cron job last ran and what it did (table job_runs, one row per job), and whether that
// is recent enough. Cron triggers can be skipped or retried: a job with no finished run in two
// intervals is "stale", which the Memberships page shows as a warning. Expiry still bites at
// request time; a stale sweep only means the audit log and the notices lag behind.
//
// A fresh instance has not had a run yet: until two intervals have passed since it was set up
// (its first user, the bootstrap admin, was created) that is expected, not an alarm
// (`firstRunDueBy`); only after that does "never ran" turn into a warning.
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobRuns, users } from "../db/schema";
import type { DomainContext } from "./context";

export const jobNames = [
  "expiry_sweep",
  "access_reviews",
  "expiry_notices",
  "outbox_delivery",
  "webhook_delivery",
  "audit_log",
] as const;
export type JobName = (typeof jobNames)[number];

export const cronIntervalSeconds = 300;
export const jobStaleAfterSeconds = 2 * cronIntervalSeconds;

export const jobLabels: Record<JobName, string> = {
  expiry_sweep: "Expiry sweep",
  access_reviews: "Access reviews",
  expiry_notices: "Expiry notices",
  outbox_delivery: "Email delivery",
  webhook_delivery: "Webhook delivery",
  audit_log: "Audit log sealing and check",
};

export type JobResult = Record<string, number | boolean>;

export interface JobStatus {
  job: JobName;
  label: string;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastResult: JobResult | null;
  lastError: string | null;
  stale: boolean;
}

export interface JobHealth {
  /** The most recent start of any job, or null when the cron never ran. */
  lastRunAt: Date | null;
  /** When no job has run yet on an instance set up less than two intervals ago: when the first run is due. */
  firstRunDueBy: Date | null;
  /** Some job has not finished a run within two cron intervals. */
  stale: boolean;
  /** Some job's last run ended in an error. */
  failing: boolean;
  jobs: JobStatus[];
}

export function recordJobStarted(db: Db, job: JobName, now: Date) {
  return db
    .insert(jobRuns)
    .values({ job, lastStartedAt: now })
    .onConflictDoUpdate({ target: jobRuns.job, set: { lastStartedAt: now } });
}

export function recordJobFinished(db: Db, job: JobName, now: Date, outcome: { result: JobResult } | { error: string }) {
  return db
    .update(jobRuns)
    .set({
      lastFinishedAt: now,
      lastResult: "result" in outcome ? outcome.result : null,
      lastError: "error" in outcome ? outcome.error : null,
    })
    .where(eq(jobRuns.job, job));
}

/**
 * A cron run is due within one interval of the set-up; a missed first run is only worth an alarm
 * after a second interval, as for any later run. Null once that grace is over (or unknown).
 */
function findFirstRunDueBy(setUpAt: Date | null, now: Date): Date | null {
  if (!setUpAt || now.getTime() - setUpAt.getTime() > jobStaleAfterSeconds * 1000) return null;
  return new Date(setUpAt.getTime() + cronIntervalSeconds * 1000);
}

function isStale(lastFinishedAt: Date | null, now: Date): boolean {
  return !lastFinishedAt || now.getTime() - lastFinishedAt.getTime() > jobStaleAfterSeconds * 1000;
}

/**
 * Every job's last run (one row per job) and when the instance was set up (its first user's
 * creation), in one statement, to run alone or inside a db.batch(). The set-up time comes from a
 * one-row subquery joined to the runs, so it is there even before any run.
 */
export function selectJobRuns(db: Db) {
  const setUp = db
    .select({ setUpAt: sql`min(${users.createdAt})`.mapWith(users.createdAt).as("set_up_at") })
    .from(users)
    .as("set_up");
  return db
    .select({
      setUpAt: setUp.setUpAt,
      job: jobRuns.job,
      lastStartedAt: jobRuns.lastStartedAt,
      lastFinishedAt: jobRuns.lastFinishedAt,
      lastResult: jobRuns.lastResult,
      lastError: jobRuns.lastError,
    })
    .from(setUp)
    .leftJoin(jobRuns, sql`1 = 1`);
}

export type JobRunRow = Awaited<ReturnType<typeof selectJobRuns>>[number];

export async function readJobHealth(ctx: Pick<DomainContext, "db" | "now">): Promise<JobHealth> {
  return toJobHealth(await selectJobRuns(ctx.db), ctx.now);
}

export function toJobHealth(rows: JobRunRow[], now: Date): JobHealth {
  const jobs = jobNames.map((job): JobStatus => {
    const row = rows.find((candidate) => candidate.job === job);
    return {
      job,
      label: jobLabels[job],
      lastStartedAt: row?.lastStartedAt ?? null,
      lastFinishedAt: row?.lastFinishedAt ?? null,
      lastResult: (row?.lastResult as JobResult | null) ?? null,
      lastError: row?.lastError ?? null,
      stale: isStale(row?.lastFinishedAt ?? null, now),
    };
  });
  const starts = jobs.flatMap((job) => (job.lastStartedAt ? [job.lastStartedAt.getTime()] : []));
  const firstRunDueBy = starts.length === 0 ? findFirstRunDueBy(rows[0]?.setUpAt ?? null, now) : null;
  return {
    lastRunAt: starts.length > 0 ? new Date(Math.max(...starts)) : null,
    firstRunDueBy,
    stale: firstRunDueBy === null && jobs.some((job) => job.stale),
    failing: jobs.some((job) => job.lastError !== null),
    jobs,
  };
}
