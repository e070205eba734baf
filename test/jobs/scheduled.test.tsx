import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { readJobHealth, selectJobRuns, toJobHealth } from "../../src/domain/job-health";
import { createEmailProvider } from "../../src/jobs/email-providers";
import { runJobs, runScheduledJobs } from "../../src/jobs/scheduled";
import { JobHealthLine, type JobHealthView } from "../../views/components/job-health";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, signInAs, testContext } from "../helpers/factories";
import { insertTestMemberships, readMembership } from "../helpers/memberships";
import { env, rawDb } from "../helpers/store";

async function membershipsSeenByApi(agent: Awaited<ReturnType<typeof signInAs>>): Promise<string[]> {
  const response = await agent.json("GET", "/api/v1/me");
  const body = (await response.json()) as { memberships: Array<{ id: string }> };
  return body.memberships.map((membership) => membership.id);
}

describe("scheduled jobs", () => {
  it("ends access at the expiry minute, then records the revocation and sends the notice through the outbox", async () => {
    const clock = new TestClock("2026-03-02T10:00:00Z");
    const app = createTestApp(clock);
    const tenant = await createTestTenant(clock, "Initech");
    const expiresAt = new Date(clock.now().getTime() + 5 * 60_000);
    const contractor = await createActiveUser(clock, {
      role: "CONTRACTOR",
      memberships: [{ tenantId: tenant.id, role: "OPERATOR_FULL", expiresAt }],
    });
    const agent = await signInAs(app, clock, contractor);
    const [membershipId] = await membershipsSeenByApi(agent);
    const lines: string[] = [];

    await runScheduledJobs(env, clock.now(), { log: (line) => lines.push(line) });
    expect(lines.join("\n")).toContain("Your access to Initech expires within the hour");

    clock.set(expiresAt);
    expect(await membershipsSeenByApi(agent)).toEqual([]);
    expect((await readMembership(membershipId as string))?.revoked_at).toBeNull();

    await runScheduledJobs(env, clock.now(), { log: (line) => lines.push(line) });
    expect(await readMembership(membershipId as string)).toMatchObject({
      revoked_at: expiresAt.getTime(),
      revoke_reason: "expired",
    });
    const audit = await rawDb
      .prepare("SELECT actor_name, request_id FROM audit_events WHERE action = 'membership.expired' AND target_id = ?")
      .bind(membershipId)
      .all<{ actor_name: string; request_id: string }>();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0]?.request_id).toMatch(/^cron-[0-9a-f-]{36}$/);
    const notices = await rawDb
      .prepare("SELECT status FROM outbox WHERE kind = 'expiry_notice' AND user_id = ?")
      .bind(contractor.id)
      .all();
    expect(notices.results).toEqual([{ status: "sent" }]);
  });

  it("stops queueing notices 20 s after the run's scheduled time and says more are left", async () => {
    const clock = new TestClock("2026-07-02T10:00:00Z");
    const { member } = await insertTestMemberships(clock, 30, 3_600_000);
    const ctx = testContext(clock);
    const provider = createEmailProvider(ctx.config, env, { log: () => undefined });

    // The wall clock reads 20 s past the scheduled time after the first round.
    const result = await runJobs(ctx, provider, () => new Date(clock.now().getTime() + 20_000));

    expect(result.expiry_notices).toEqual({ memberships: 25, emails: 50, complete: false });
    const queued = await rawDb
      .prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'expiry_notice' AND user_id = ?")
      .bind(member.id)
      .first<{ n: number }>();
    expect(queued?.n).toBe(25);
  });

  it("records every job's run; health turns stale after two intervals without a finished run", async () => {
    const clock = new TestClock("2026-04-02T10:00:00Z");
    await runScheduledJobs(env, clock.now(), { log: () => undefined });

    const fresh = await readJobHealth(testContext(clock));
    expect(fresh).toMatchObject({ lastRunAt: clock.now(), stale: false, failing: false });
    expect(fresh.jobs.map((job) => [job.job, job.lastFinishedAt?.getTime()])).toEqual([
      ["expiry_sweep", clock.now().getTime()],
      ["access_reviews", clock.now().getTime()],
      ["expiry_notices", clock.now().getTime()],
      ["outbox_delivery", clock.now().getTime()],
      ["webhook_delivery", clock.now().getTime()],
      ["audit_log", clock.now().getTime()],
    ]);
    expect(fresh.jobs[0]?.lastResult).toEqual({ revoked: 0, batches: 1, complete: true });

    clock.advanceSeconds(600);
    expect((await readJobHealth(testContext(clock))).stale).toBe(false);
    clock.advanceSeconds(1);
    expect((await readJobHealth(testContext(clock))).stale).toBe(true);
  });

  it("runs the other jobs when one fails, and records the failure", async () => {
    const clock = new TestClock("2026-05-02T10:00:00Z");
    const ctx = testContext(clock);
    let batches = 0;
    const failingFirstBatch = new Proxy(ctx.db, {
      get(target, property, receiver) {
        if (property !== "batch") return Reflect.get(target, property, receiver);
        return (...args: Parameters<Db["batch"]>) => {
          batches += 1;
          return batches === 1 ? Promise.reject(new Error("injected D1 failure")) : target.batch(...args);
        };
      },
    });
    const provider = createEmailProvider(ctx.config, env, { log: () => undefined });

    const result = await runJobs({ ...ctx, db: failingFirstBatch }, provider);

    expect(result.expiry_sweep).toBeNull();
    expect(result.access_reviews).not.toBeNull();
    expect(result.expiry_notices).not.toBeNull();
    expect(result.outbox_delivery).not.toBeNull();
    expect(result.webhook_delivery).not.toBeNull();
    expect(result.audit_log).not.toBeNull();
    const health = await readJobHealth(ctx);
    expect(health.failing).toBe(true);
    expect(health.jobs.find((job) => job.job === "expiry_sweep")?.lastError).toBe("Error: injected D1 failure");
  });

  it("renders the health line: the last run and its results, a warning when stale, the failure when failing", async () => {
    const lastRunAt = new Date("2026-06-02T10:00:00Z");
    const jobs: JobHealthView["jobs"] = [
      {
        job: "expiry_sweep",
        label: "Expiry sweep",
        lastFinishedAt: lastRunAt,
        lastResult: { revoked: 2, batches: 1, complete: true },
        lastError: null,
      },
      {
        job: "expiry_notices",
        label: "Expiry notices",
        lastFinishedAt: lastRunAt,
        lastResult: { memberships: 1, emails: 1 },
        lastError: null,
      },
      {
        job: "outbox_delivery",
        label: "Email delivery",
        lastFinishedAt: lastRunAt,
        lastResult: null,
        lastError: "Error: D1 down",
      },
    ];
    const healthy = String(
      <JobHealthLine
        health={{ lastRunAt, firstRunDueBy: null, stale: false, failing: false, jobs: jobs.slice(0, 2) }}
        timeZone="UTC"
      />,
    );
    expect(healthy).toContain("2 memberships recorded as expired, 1 expiry notice queued.");
    expect(healthy).not.toContain("notice-warning");

    const unfinished = jobs.map((job) =>
      job.job === "expiry_notices" ? { ...job, lastResult: { memberships: 25, emails: 50, complete: false } } : job,
    );
    const behind = String(
      <JobHealthLine
        health={{ lastRunAt, firstRunDueBy: null, stale: false, failing: false, jobs: unfinished.slice(0, 2) }}
        timeZone="UTC"
      />,
    );
    expect(behind).toContain("50 expiry notices queued, more left for the next run.");

    const stale = String(
      <JobHealthLine health={{ lastRunAt, firstRunDueBy: null, stale: true, failing: true, jobs }} timeZone="UTC" />,
    );
    expect(stale).toContain("have not completed a run in the last 10 minutes");
    expect(stale).toContain("Email delivery failed in its last run: Error: D1 down");

    const never = String(
      <JobHealthLine
        health={{ lastRunAt: null, firstRunDueBy: null, stale: true, failing: false, jobs: [] }}
        timeZone="UTC"
      />,
    );
    expect(never).toContain("have not run yet");
    expect(never).toContain("notice-warning");

    const waiting = String(
      <JobHealthLine
        health={{
          lastRunAt: null,
          firstRunDueBy: new Date("2026-06-02T10:05:00Z"),
          stale: false,
          failing: false,
          jobs,
        }}
        timeZone="UTC"
      />,
    );
    expect(waiting).toContain("have not run yet: they run every five minutes, the first by");
    expect(waiting).toContain("2026-06-02T10:05:00.000Z");
    expect(waiting).not.toContain("notice-warning");
    expect(waiting).not.toContain("Check the cron trigger");
  });

  it("does not alarm before the first run is due: a fresh instance waits two intervals from its set-up", async () => {
    const clock = new TestClock("2026-08-02T10:00:00Z");
    const setUpAt = new Date("2026-08-02T09:58:00Z");
    const noRunYet = [
      { setUpAt, job: null, lastStartedAt: null, lastFinishedAt: null, lastResult: null, lastError: null },
    ];

    expect(toJobHealth(noRunYet, clock.now())).toMatchObject({
      lastRunAt: null,
      firstRunDueBy: new Date("2026-08-02T10:03:00Z"),
      stale: false,
    });
    // Ten minutes after the set-up a missing first run is as stale as any missing run.
    expect(toJobHealth(noRunYet, new Date("2026-08-02T10:08:00Z"))).toMatchObject({
      firstRunDueBy: new Date("2026-08-02T10:03:00Z"),
      stale: false,
    });
    expect(toJobHealth(noRunYet, new Date("2026-08-02T10:08:01Z"))).toMatchObject({ firstRunDueBy: null, stale: true });

    // On the store: the set-up time is the first user's creation, read beside the runs in one statement.
    const health = await readJobHealth(testContext(clock));
    const first = await rawDb.prepare("SELECT min(created_at) AS at FROM users").first<{ at: number | null }>();
    const expected = first?.at ?? null;
    const [row] = await selectJobRuns(testContext(clock).db);
    expect(row?.setUpAt?.getTime() ?? null).toBe(expected);
    expect(health.jobs).toHaveLength(6);
  });
});
