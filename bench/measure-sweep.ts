// Measures one expiry-sweep run that revokes 10,000 expired memberships among 100,000:
// `npx tsx bench/measure-sweep.ts` (or `… <memberships> <expired>` for other sizes). Seeds a fresh
// local D1 under bench/.state/ (never .wrangler/), migrated by `wrangler d1 migrations apply` and
// opened with wrangler's getPlatformProxy, then runs the real sweepExpiredMemberships through
// drizzle, counting D1 batches and statements and summing what D1 reports per statement (rows
// read and written, SQL time).
import { rmSync } from "node:fs";
import { getPlatformProxy } from "wrangler";
import { createD1Db } from "../src/db/client";
import { sweepExpiredMemberships } from "../src/jobs/expiry-sweep";
import { runWrangler } from "./lib/processes";

const statePath = "bench/.state/measure-sweep";

export interface SweepMeasurement {
  memberships: number;
  expired: number;
  revoked: number;
  auditEvents: number;
  wallMs: number;
  batches: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  sqlMs: number;
  queryPlan: string[];
  rerun: { revoked: number; batches: number; rowsRead: number };
}

interface D1Meta {
  rows_read?: number;
  rows_written?: number;
  duration?: number;
}

/** Counts what goes through D1's batch(): calls, statements and the meta D1 returns for each. */
function countingDatabase(database: D1Database) {
  const totals = { batches: 0, statements: 0, rowsRead: 0, rowsWritten: 0, sqlMs: 0 };
  const counted = new Proxy(database, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== "batch") return typeof value === "function" ? value.bind(target) : value;
      return async (statements: D1PreparedStatement[]) => {
        totals.batches += 1;
        totals.statements += statements.length;
        const results = await target.batch(statements);
        for (const result of results) {
          const meta = result.meta as D1Meta;
          totals.rowsRead += meta.rows_read ?? 0;
          totals.rowsWritten += meta.rows_written ?? 0;
          totals.sqlMs += meta.duration ?? 0;
        }
        return results;
      };
    },
  });
  return { counted, totals };
}

// Integer constants are written into the SQL: D1 binds JS numbers as REAL, and i / 100.0 is no user id.
/** users × 100 tenants, all live: `expired` of them spread evenly and past expiry, 2 per step expiring later, the rest open-ended. */
async function seed(database: D1Database, now: number, memberships: number, expired: number): Promise<void> {
  const tenants = 100;
  const step = Math.floor(memberships / expired);
  const users = memberships / tenants;
  await database.batch([
    database
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
         INSERT INTO tenants (id, name, slug, created_at, updated_at)
         SELECT 'tnt_' || i, 'Tenant ' || i, 'tenant-' || i, 0, 0 FROM n`,
      )
      .bind(tenants),
    database
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
         INSERT INTO users (id, email, first_name, last_name, display_name, role, activated_at, created_at, updated_at)
         SELECT 'usr_' || i, 'user' || i || '@example.test', 'User', i, 'User ' || i, 'CONTRACTOR', 0, 0, 0 FROM n`,
      )
      .bind(users),
    database
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
         INSERT INTO memberships (id, user_id, tenant_id, role, expires_at, created_at, updated_at)
         SELECT printf('mbr_%08d', i), 'usr_' || (i / ${tenants}), 'tnt_' || (i % ${tenants}), 'OPERATOR_READONLY',
           CASE WHEN i % ${step} = 0 THEN ${now} - 1 - (i / ${step}) * 1000
                WHEN i % ${step} IN (1, 2) THEN ${now} + 86400000 + i * 1000
                ELSE NULL END,
           0, 0
         FROM n`,
      )
      .bind(memberships),
  ]);
}

async function countRows(database: D1Database, sql: string): Promise<number> {
  return (await database.prepare(sql).first<{ n: number }>())?.n ?? 0;
}

export async function measureSweep(memberships = 100_000, expiredCount = 10_000): Promise<SweepMeasurement> {
  rmSync(statePath, { recursive: true, force: true });
  // The real migrations, applied as `npm start` applies them; the proxy opens the same local D1.
  runWrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", statePath]);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: "wrangler.toml",
    persist: { path: `${statePath}/v3` },
  });
  try {
    const database = proxy.env.DB;
    const now = Date.parse("2026-11-23T12:00:00Z");
    await seed(database, now, memberships, expiredCount);
    const expired = await countRows(database, `SELECT count(*) AS n FROM memberships WHERE expires_at <= ${now}`);
    const plan = await database
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM memberships WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id LIMIT 500",
      )
      .bind(now)
      .all<{ detail: string }>();

    const { counted, totals } = countingDatabase(database);
    const db = createD1Db(counted);
    const ctx = { db, now: new Date(now), requestId: "bench" };
    const started = performance.now();
    const result = await sweepExpiredMemberships(ctx);
    const wallMs = performance.now() - started;
    const firstRun = { ...totals };

    const rerun = await sweepExpiredMemberships(ctx);
    return {
      memberships,
      expired,
      revoked: result.revoked,
      auditEvents: await countRows(
        database,
        "SELECT count(*) AS n FROM audit_events WHERE action = 'membership.expired'",
      ),
      wallMs,
      batches: firstRun.batches,
      statements: firstRun.statements,
      rowsRead: firstRun.rowsRead,
      rowsWritten: firstRun.rowsWritten,
      sqlMs: firstRun.sqlMs,
      queryPlan: plan.results.map((row) => row.detail),
      rerun: {
        revoked: rerun.revoked,
        batches: totals.batches - firstRun.batches,
        rowsRead: totals.rowsRead - firstRun.rowsRead,
      },
    };
  } finally {
    await proxy.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.WRANGLER_SEND_METRICS = "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  const [memberships, expired] = process.argv.slice(2).map(Number);
  const m = await measureSweep(memberships || undefined, expired || undefined);
  console.log(
    [
      `sweep: revoked ${m.revoked} of ${m.expired} expired among ${m.memberships} memberships (${m.auditEvents} audit events)`,
      `  ${m.wallMs.toFixed(0)} ms wall, ${m.batches} D1 batches, ${m.statements} statements`,
      `  D1 reports ${m.rowsRead} rows read, ${m.rowsWritten} rows written, ${m.sqlMs.toFixed(1)} ms of SQL`,
      `  plan of one round's subquery: ${m.queryPlan.join(" | ")}`,
      `  second run right after: revoked ${m.rerun.revoked}, ${m.rerun.batches} batch, ${m.rerun.rowsRead} rows read`,
    ].join("\n"),
  );
}
