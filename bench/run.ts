// `npm run bench`: seeds bench/.state, serves the Worker the way `npm start` does (wrangler dev on
// 127.0.0.1 over that local D1), measures every row of bench/routes.ts with autocannon, then the
// built Worker's size and the KDF, checks the targets of issue 9 and writes bench/out/.
//
// Settings (environment): BENCH_SECONDS per phase (6), BENCH_CONNECTIONS for the throughput phase
// (4), BENCH_WINDOWS it is split into (3), BENCH_SIGN_IN_POOL users (300), BENCH_BULK_REQUESTS of
// 500 invites each (10), BENCH_PORT (8793) and BENCH_KDF_PORT (8794).
import { register } from "node:module";
import { type LoadPlan, type PhaseResult, type PlannedRequest, runPhase } from "./lib/load";
import { describeMachine, readLoadAverage } from "./lib/machine";
import { type DevServer, startDevServer } from "./lib/processes";
import {
  type BenchReport,
  buildRouteRows,
  checkTargets,
  compareWithBetterAuth,
  type RouteMeasurement,
  renderMarkdown,
  writeReport,
} from "./lib/report";
import { measureWorkerSize } from "./lib/worker-size";
import { measureKdf } from "./measure-kdf";
import { measureSweep } from "./measure-sweep";
import { type BenchFixtures, type BenchRoute, benchRoutes } from "./routes";

// Password hashing runs in Node while seeding: teach Node to import .wasm as wrangler does.
register("./lib/wasm-modules.mjs", import.meta.url);
const { seedBenchDatabase } = await import("./seed");

const stateDir = "bench/.state";
const outDir = "bench/out";

function readNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

const settings = {
  secondsPerPhase: readNumber("BENCH_SECONDS", 6),
  throughputConnections: readNumber("BENCH_CONNECTIONS", 4),
  throughputWindows: readNumber("BENCH_WINDOWS", 3),
  signInPool: readNumber("BENCH_SIGN_IN_POOL", 300),
  bulkInviteRequests: readNumber("BENCH_BULK_REQUESTS", 10),
  port: readNumber("BENCH_PORT", 8793),
  kdfPort: readNumber("BENCH_KDF_PORT", 8794),
};

function log(message: string): void {
  console.error(`bench: ${message}`);
}

/** One request before measuring, so a broken route fails loudly instead of benchmarking an error page. */
async function checkRoute(server: DevServer, route: BenchRoute, plan: LoadPlan): Promise<void> {
  if (plan.kind !== "repeat") return;
  const { method, path, headers, body } = plan.request;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: headers ?? {},
    body: body ?? null,
    redirect: "manual",
  });
  if (response.status !== route.expectStatus) {
    const text = (await response.text()).slice(0, 400);
    throw new Error(`${route.name} answered ${response.status}, expected ${route.expectStatus}: ${text}`);
  }
}

async function measureRoute(
  server: DevServer,
  route: BenchRoute,
  fixtures: BenchFixtures,
  bare: PlannedRequest | undefined,
): Promise<RouteMeasurement> {
  const plan = route.plan(fixtures);
  await checkRoute(server, route, plan);
  const processes = { worker: server.workerPids(), all: server.workerdPids() };
  const base = { url: server.url, plan, expectStatus: route.expectStatus, processes };
  // Latency at one connection, each request followed by the bare route's (the ratio's denominator).
  const interleave = route.kind !== "bare" && bare ? { interleave: { request: bare, expectStatus: 200 } } : {};
  const windows = settings.throughputWindows;
  const connections = settings.throughputConnections;
  let latency: PhaseResult;
  const throughput: PhaseResult[] = [];
  // The throughput phase runs in windows; the report keeps the cheapest window's CPU per request,
  // the one least disturbed by other work on this shared machine.
  if (plan.kind === "repeat") {
    await runPhase({ ...base, connections: 1, seconds: 1 }); // warm-up, not recorded
    latency = await runPhase({ ...base, ...interleave, connections: 1, seconds: settings.secondsPerPhase });
    for (let window = 0; window < windows; window++) {
      throughput.push(await runPhase({ ...base, connections, seconds: settings.secondsPerPhase / windows }));
    }
  } else {
    // A sequence spends its requests once (each sign-in user once): a fifth for latency, the rest for throughput.
    const latencyCount = Math.max(1, Math.floor(plan.sequence.count / 5));
    latency = await runPhase({ ...base, ...interleave, connections: 1, amount: latencyCount });
    const perWindow = Math.floor((plan.sequence.count - latencyCount) / windows);
    for (let window = 0; window < windows && perWindow > 0; window++) {
      throughput.push(await runPhase({ ...base, connections: Math.min(connections, perWindow), amount: perWindow }));
    }
  }
  const { name, what, kind, comparesWith } = route;
  return { name, what, kind, ...(comparesWith ? { comparesWith } : {}), latency, throughput };
}

async function main(): Promise<number> {
  const loadAtStart = readLoadAverage();
  const origin = `http://127.0.0.1:${settings.port}`;
  const started = performance.now();
  log(`seeding ${stateDir}`);
  const seeded = await seedBenchDatabase({ stateDir, origin, signInPoolSize: settings.signInPool });
  const seedSeconds = (performance.now() - started) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s`);

  const server = await startDevServer(["--persist-to", stateDir, "--var", `APP_ORIGIN:${origin}`], settings.port);
  const measurements: RouteMeasurement[] = [];
  try {
    const fixtures: BenchFixtures = {
      origin,
      largeTenantSlug: seeded.largeTenantSlug,
      largeTenantId: seeded.largeTenantId,
      bulkInviteRequests: settings.bulkInviteRequests,
      sessions: {
        superAdmin: seeded.superAdmin.sessionToken,
        operator: seeded.operator.sessionToken,
        client: seeded.client.sessionToken,
      },
      signInPool: seeded.signInPool,
      challenges: new Map(),
    };
    const barePlan = benchRoutes.find((route) => route.kind === "bare")?.plan(fixtures);
    const bare = barePlan?.kind === "repeat" ? barePlan.request : undefined;
    for (const route of benchRoutes) {
      log(`measuring ${route.name}`);
      measurements.push(await measureRoute(server, route, fixtures, bare));
    }
  } finally {
    await server.stop();
  }

  log("building the Worker (wrangler deploy --dry-run)");
  const workerSize = measureWorkerSize();
  log("measuring the KDF inside workerd");
  const kdf = await measureKdf(settings.kdfPort);
  log("measuring the cron sweep: 10,000 expired memberships among 100,000");
  const sweep = await measureSweep();

  const routes = buildRouteRows(measurements);
  const comparisons = compareWithBetterAuth(measurements, routes);
  const report: BenchReport = {
    at: new Date().toISOString(),
    machine: describeMachine(loadAtStart),
    settings: {
      secondsPerPhase: settings.secondsPerPhase,
      throughputConnections: settings.throughputConnections,
      throughputWindows: settings.throughputWindows,
      signInPool: settings.signInPool,
    },
    seed: { ...seeded.counts, largestTenant: seeded.largeTenantSlug, seconds: Number(seedSeconds.toFixed(1)) },
    routes,
    comparisons,
    workerSize,
    kdf,
    sweep,
    targets: checkTargets(routes, comparisons, workerSize),
  };
  const written = writeReport(outDir, report);
  console.log(renderMarkdown(report));
  log(`wrote ${written.json} and ${written.markdown}`);
  return routes.some((row) => Object.keys(row.unexpectedStatuses).length > 0) ? 1 : 0;
}

process.exitCode = await main();
