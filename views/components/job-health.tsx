// The cron's health line (for Admin → Memberships): when the scheduled jobs last ran, what they
// did, and a warning when they have not finished a run in two intervals or the last run failed.
// A fresh instance waiting for its first run is told when it is due, without a warning.
import { Notice } from "./form-fields";
import { Time } from "./time";

export interface JobHealthView {
  lastRunAt: Date | null;
  firstRunDueBy: Date | null;
  stale: boolean;
  failing: boolean;
  jobs: Array<{
    job: string;
    label: string;
    lastFinishedAt: Date | null;
    lastResult: Record<string, number | boolean> | null;
    lastError: string | null;
  }>;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "2 memberships recorded as expired, 1 expiry notice queued, 3 emails sent". */
export function describeJobResults(jobs: JobHealthView["jobs"]): string {
  const parts: string[] = [];
  const number = (result: Record<string, number | boolean> | null, key: string) => Number(result?.[key] ?? 0);
  for (const { job, lastResult } of jobs) {
    if (!lastResult) continue;
    if (job === "expiry_sweep") {
      parts.push(`${plural(number(lastResult, "revoked"), "membership", "memberships")} recorded as expired`);
      if (lastResult.complete === false) parts.push("more left for the next run");
    }
    if (job === "expiry_notices") {
      parts.push(`${plural(number(lastResult, "emails"), "expiry notice", "expiry notices")} queued`);
      if (lastResult.complete === false) parts.push("more left for the next run");
    }
    if (job === "outbox_delivery") {
      parts.push(`${plural(number(lastResult, "sent"), "email", "emails")} sent`);
      if (number(lastResult, "retried") > 0) parts.push(`${number(lastResult, "retried")} to retry`);
      if (number(lastResult, "failed") > 0) parts.push(`${number(lastResult, "failed")} failed for good`);
    }
    if (job === "webhook_delivery" && number(lastResult, "attempted") > 0) {
      parts.push(`${plural(number(lastResult, "delivered"), "webhook", "webhooks")} delivered`);
      if (number(lastResult, "retried") > 0) parts.push(`${number(lastResult, "retried")} webhooks to retry`);
    }
    if (job === "audit_log" && number(lastResult, "newFindings") > 0) {
      parts.push(`${plural(number(lastResult, "newFindings"), "audit row", "audit rows")} found changed`);
    }
  }
  return parts.join(", ");
}

export function JobHealthLine({ health, timeZone }: { health: JobHealthView; timeZone: string }) {
  if (!health.lastRunAt && health.firstRunDueBy) {
    return (
      <p class="muted">
        The scheduled jobs have not run yet: they run every five minutes, the first by{" "}
        <Time value={health.firstRunDueBy} timeZone={timeZone} />. They record expired memberships in the audit log and
        send the emails; access ends at each expiry anyway.
      </p>
    );
  }
  if (!health.lastRunAt) {
    return (
      <Notice kind="warning">
        The scheduled jobs have not run yet. Expired memberships lose access at once anyway; the jobs record the expiry
        in the audit log and send the notices. Check the cron trigger.
      </Notice>
    );
  }
  const failures = health.jobs.filter((job) => job.lastError);
  const summary = describeJobResults(health.jobs);
  return (
    <div class="job-health">
      <p class="muted">
        Scheduled jobs last ran <Time value={health.lastRunAt} timeZone={timeZone} />
        {summary ? `: ${summary}.` : "."}
      </p>
      {health.stale && (
        <Notice kind="warning">
          The scheduled jobs have not completed a run in the last 10 minutes (two cron intervals). Access still ends at
          each expiry, but the audit log, the expiry notices and email delivery are behind. Check the cron trigger.
        </Notice>
      )}
      {failures.length > 0 && (
        <Notice kind="error">
          <ul>
            {failures.map((job) => (
              <li>
                {job.label} failed in its last run: {job.lastError}
              </li>
            ))}
          </ul>
        </Notice>
      )}
    </div>
  );
}
