// Turns measured phases into the results table, checks the targets of issue 9 and writes
// bench/out/results.json and bench/out/results.md.
import { mkdirSync, writeFileSync } from "node:fs";
import type { SweepMeasurement } from "../measure-sweep";
import { betterAuthBareMs, betterAuthFigures, type ComparableWork, type RouteKind } from "../routes";
import { type PhaseResult, summarizeLatencies } from "./load";
import type { MachineInfo } from "./machine";
import type { WorkerSize } from "./worker-size";

export interface RouteMeasurement {
  name: string;
  what: string;
  kind: RouteKind;
  comparesWith?: ComparableWork;
  latency: PhaseResult;
  /** The throughput phase, in consecutive windows. */
  throughput: PhaseResult[];
}

export interface RouteRow {
  name: string;
  what: string;
  kind: RouteKind;
  requests: number;
  requestsPerSecond: number;
  throughputConnections: number;
  p50Ms: number;
  p99Ms: number;
  /** The bare route's p50 in the same phase (interleaved request by request). */
  pairedBareP50Ms: number;
  p50RatioToBare: number;
  /** CPU of the workerd process that runs the Worker (and local D1). */
  cpuMsPerRequest: number;
  /** The same plus wrangler's dev proxy, a second workerd every request passes through locally. */
  cpuMsPerRequestWithDevProxy: number;
  /** Worker CPU per request in each throughput window (the row keeps the lowest). */
  cpuMsPerRequestByWindow: number[];
  unexpectedStatuses: Record<string, number>;
}

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: "met" | "missed" | "noted";
}

export interface BenchReport {
  at: string;
  machine: MachineInfo;
  settings: { secondsPerPhase: number; throughputConnections: number; throughputWindows: number; signInPool: number };
  seed: Record<string, number | string>;
  routes: RouteRow[];
  comparisons: Array<{
    work: ComparableWork;
    routes: string[];
    gatehouseCpuMs: number;
    /** The same minus the bare route's CPU once per request: the work above the runtime's floor. */
    gatehouseCpuAboveBareMs: number;
    betterAuthMs: string;
    halfOfBetterAuthMs: string;
    verdict: string;
  }>;
  workerSize: WorkerSize;
  kdf: { parameters: string; cpuMsPerHash: number; wallMsPerHash: number };
  sweep: SweepMeasurement;
  targets: TargetCheck[];
}

const sum = <T>(items: T[], value: (item: T) => number) => items.reduce((total, item) => total + value(item), 0);

const mergeStatuses = (a: Record<string, number>, b: Record<string, number>) => {
  const merged = { ...a };
  for (const [status, count] of Object.entries(b)) merged[status] = (merged[status] ?? 0) + count;
  return merged;
};

export function buildRouteRows(measurements: RouteMeasurement[]): RouteRow[] {
  return measurements.map((m) => {
    const { p50, p99 } = summarizeLatencies(m.latency.latenciesMs);
    // The bare route's p50 from the requests interleaved with this route's, so both saw the same load.
    const bareP50 = m.kind === "bare" ? p50 : summarizeLatencies(m.latency.interleavedLatenciesMs).p50;
    return {
      name: m.name,
      what: m.what,
      kind: m.kind,
      requests: m.latency.requests + sum(m.throughput, (w) => w.requests),
      requestsPerSecond: sum(m.throughput, (w) => w.requests) / sum(m.throughput, (w) => w.seconds),
      throughputConnections: m.throughput[0]?.connections ?? 0,
      p50Ms: p50,
      p99Ms: p99,
      pairedBareP50Ms: bareP50,
      p50RatioToBare: p50 / bareP50,
      // From the throughput windows alone (the latency phase's CPU includes the interleaved bare
      // requests): the cheapest window, least disturbed by other work on the machine.
      cpuMsPerRequest: Math.min(...m.throughput.map((w) => w.cpuMs.worker / w.requests)),
      cpuMsPerRequestWithDevProxy: Math.min(...m.throughput.map((w) => w.cpuMs.all / w.requests)),
      cpuMsPerRequestByWindow: m.throughput.map((w) => Number((w.cpuMs.worker / w.requests).toFixed(3))),
      unexpectedStatuses: [m.latency, ...m.throughput].reduce(
        (all, phase) => mergeStatuses(all, phase.unexpectedStatuses),
        {},
      ),
    };
  });
}

export function compareWithBetterAuth(measurements: RouteMeasurement[], rows: RouteRow[]): BenchReport["comparisons"] {
  return (Object.keys(betterAuthFigures) as ComparableWork[]).flatMap((work) => {
    const names = measurements.filter((m) => m.comparesWith === work).map((m) => m.name);
    if (names.length === 0) return [];
    // A unit of work may take several requests (a sign-in is the password step plus the TOTP step).
    const cpu = rows.filter((row) => names.includes(row.name)).reduce((sum, row) => sum + row.cpuMsPerRequest, 0);
    const bareCpu = rows.find((row) => row.kind === "bare")?.cpuMsPerRequest ?? Number.NaN;
    const figure = betterAuthFigures[work];
    const verdict =
      cpu <= figure.minMs / 2 ? "met" : cpu <= figure.maxMs / 2 ? "met against the upper figure only" : "missed";
    return [
      {
        work,
        routes: names,
        gatehouseCpuMs: cpu,
        gatehouseCpuAboveBareMs: cpu - bareCpu * names.length,
        betterAuthMs: `${figure.minMs}–${figure.maxMs}`,
        halfOfBetterAuthMs: `${figure.minMs / 2}–${figure.maxMs / 2}`,
        verdict,
      },
    ];
  });
}

const freePlanCpuMs = 10;
const paidPlanCpuMs = 30_000;
const workerGzipBudgetKiB = 300;
const consolePageP50Factor = 3;

export function checkTargets(
  rows: RouteRow[],
  comparisons: BenchReport["comparisons"],
  size: WorkerSize,
): TargetCheck[] {
  const checks: TargetCheck[] = rows
    .filter((row) => row.kind === "console page" || row.kind === "portal page")
    .map((row) => ({
      target: `${row.name}: p50 within ${consolePageP50Factor}x the bare route's`,
      measured: `${row.p50RatioToBare.toFixed(2)}x (${row.p50Ms.toFixed(2)} ms)`,
      verdict: row.p50RatioToBare <= consolePageP50Factor ? "met" : "missed",
    }));
  checks.push({
    target: `Worker under ${workerGzipBudgetKiB} KiB gzipped`,
    measured: `${size.gzipKiB.toFixed(1)} KiB`,
    verdict: size.gzipKiB < workerGzipBudgetKiB ? "met" : "missed",
  });
  const signIn = comparisons.find((c) => c.work === "sign-in");
  if (signIn) {
    checks.push({
      target: `sign-in CPU well inside the paid plan's ${paidPlanCpuMs / 1000} s limit`,
      measured: `${signIn.gatehouseCpuMs.toFixed(1)} ms (${((signIn.gatehouseCpuMs / paidPlanCpuMs) * 100).toFixed(2)}% of it)`,
      verdict: signIn.gatehouseCpuMs < paidPlanCpuMs / 100 ? "met" : "missed",
    });
    const worstStep = Math.max(
      ...rows.filter((row) => signIn.routes.includes(row.name)).map((row) => row.cpuMsPerRequest),
    );
    checks.push({
      target: `sign-in CPU stated against the free plan's ${freePlanCpuMs} ms per request`,
      measured: `costliest step ${worstStep.toFixed(1)} ms: ${worstStep <= freePlanCpuMs ? "fits" : `${(worstStep / freePlanCpuMs).toFixed(1)}x over; needs the paid plan`}`,
      verdict: "noted",
    });
  }
  for (const comparison of comparisons) {
    checks.push({
      target: `${comparison.work}: at most half of better-auth's ${comparison.betterAuthMs} ms CPU`,
      measured: `${comparison.gatehouseCpuMs.toFixed(2)} ms (half: ${comparison.halfOfBetterAuthMs} ms)`,
      verdict: comparison.verdict === "missed" ? "missed" : "met",
    });
  }
  return checks;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `Gatehouse benchmark, ${report.at}`,
    "",
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}, workerd ${machine.workerd}, wrangler ${machine.wrangler}; 1-minute load average ${machine.loadAverage.start} at the start, ${machine.loadAverage.end} at the end.`,
    `Load: autocannon ${machine.autocannon}. p50/p99 at 1 connection, each request followed by one to the bare route (p50 / bare compares the two); req/s and CPU at ${report.settings.throughputConnections} connections, CPU from the cheapest of ${report.settings.throughputWindows} windows; ${report.settings.secondsPerPhase} s per phase; sign-in pool ${report.settings.signInPool} users, each signing in once.`,
    `Seed: ${Object.entries(report.seed)
      .map(([key, value]) => `${key} ${value}`)
      .join(", ")}.`,
    "",
    "| route | what | req/s | p50 ms | p99 ms | p50 / bare | CPU ms/req (Worker) | (+ dev proxy) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.routes.map(
      (row) =>
        `| ${row.name} | ${row.what} | ${fixed(row.requestsPerSecond, 0)} | ${fixed(row.p50Ms)} | ${fixed(row.p99Ms)} | ${fixed(row.p50RatioToBare)} | ${fixed(row.cpuMsPerRequest)} | ${fixed(row.cpuMsPerRequestWithDevProxy)} |`,
    ),
    "",
    `Worker: ${fixed(report.workerSize.gzipKiB, 1)} KiB gzipped (${fixed(report.workerSize.totalKiB, 1)} KiB raw, per wrangler's dry run: ${report.workerSize.modules.map((m) => `${m.name} ${fixed(m.gzipKiB, 1)} KiB gz`).join(", ")}).`,
    `KDF: ${report.kdf.parameters}: ${fixed(report.kdf.cpuMsPerHash, 1)} ms CPU per hash inside workerd (${fixed(report.kdf.wallMsPerHash, 1)} ms wall).`,
    `Cron sweep: revoked ${report.sweep.revoked} of ${report.sweep.expired} expired memberships among ${report.sweep.memberships} (${report.sweep.auditEvents} audit events) in ${fixed(report.sweep.wallMs, 0)} ms wall: ${report.sweep.batches} D1 batches, ${report.sweep.statements} statements, ${report.sweep.rowsRead} rows read, ${report.sweep.rowsWritten} written, ${fixed(report.sweep.sqlMs, 1)} ms of SQL; a second run right after revoked ${report.sweep.rerun.revoked} in ${report.sweep.rerun.batches} batch.`,
    "",
    "| compared with better-auth 1.7 | Gatehouse routes | Gatehouse CPU ms | above its bare route | better-auth CPU ms | half of it |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...report.comparisons.map(
      (c) =>
        `| ${c.work} | ${c.routes.join(" + ")} | ${fixed(c.gatehouseCpuMs)} | ${fixed(c.gatehouseCpuAboveBareMs)} | ${c.betterAuthMs} | ${c.halfOfBetterAuthMs} |`,
    ),
    "",
    `better-auth's bare route costs ${betterAuthBareMs} ms CPU per request on the same machine; Gatehouse's is in the first table.`,
    "",
    "| target | measured | verdict |",
    "| --- | --- | --- |",
    ...report.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.verdict} |`),
  ];
  const problems = report.routes.filter((row) => Object.keys(row.unexpectedStatuses).length > 0);
  if (problems.length > 0) {
    lines.push("", "Unexpected answers (the figures of these rows are not trustworthy):");
    for (const row of problems) lines.push(`- ${row.name}: ${JSON.stringify(row.unexpectedStatuses)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function writeReport(outDir: string, report: BenchReport): { json: string; markdown: string } {
  mkdirSync(outDir, { recursive: true });
  const json = `${outDir}/results.json`;
  const markdown = `${outDir}/results.md`;
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(report));
  return { json, markdown };
}
