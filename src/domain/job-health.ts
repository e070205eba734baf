// When each cron job last ran and what it did (table job_runs, one row per job), and whether that
// is recent enough. Cron triggers can be skipped or retried: a job with no finished run in two
// intervals is "stale", which the Memberships page shows as a warning. Expiry still bites at
// request time; a stale sweep only means the audit log and the notices lag behind.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobRuns } from "../db/schema";
import type { DomainContext } from "./context";

export const jobNames = ["expiry_sweep", "expiry_notices", "outbox_delivery"] as const;
export type JobName = (typeof jobNames)[number];

export const cronIntervalSeconds = 300;
export const jobStaleAfterSeconds = 2 * cronIntervalSeconds;

export const jobLabels: Record<JobName, string> = {
  expiry_sweep: "Expiry sweep",
  expiry_notices: "Expiry notices",
  outbox_delivery: "Email delivery",
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

function isStale(lastFinishedAt: Date | null, now: Date): boolean {
  return !lastFinishedAt || now.getTime() - lastFinishedAt.getTime() > jobStaleAfterSeconds * 1000;
}

/** Every job's last run (one row per job), to run alone or inside a db.batch(). */
export function selectJobRuns(db: Db) {
  return db.select().from(jobRuns);
}

export async function readJobHealth(ctx: Pick<DomainContext, "db" | "now">): Promise<JobHealth> {
  return toJobHealth(await selectJobRuns(ctx.db), ctx.now);
}

export function toJobHealth(rows: Array<typeof jobRuns.$inferSelect>, now: Date): JobHealth {
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
  return {
    lastRunAt: starts.length > 0 ? new Date(Math.max(...starts)) : null,
    stale: jobs.some((job) => job.stale),
    failing: jobs.some((job) => job.lastError !== null),
    jobs,
  };
}
