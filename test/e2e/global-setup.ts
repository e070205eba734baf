// Starts Gatehouse for the browser suite the way `npm start` does — scripts/gatehouse.sh start:
// migrations, scripts/bootstrap-admin.ts (which prints the first admin's setup link), then
// `wrangler dev` behind scripts/redact-secrets.mjs — with four differences: its own port, a fresh
// local state folder per run (GATEHOUSE_STATE_DIR), test/e2e/wrangler.e2e.toml, whose entry is
// test/e2e/worker.ts (the app with a movable clock), and no local cron loop
// (GATEHOUSE_CRON_INTERVAL_SECONDS=0: the tests fire the scheduled handler themselves). Everything it prints goes to
// test-output/server.log, which secrets.e2e.ts greps at the end. It runs as a test service
// (test/services/start-service.ts): the shell, wrangler, workerd and the log filter go away with
// the run, even when vitest itself is killed.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { experimental_readRawConfig } from "wrangler";
import { startService } from "../services/start-service";
import type { E2eRun } from "./support/run";
import { missingTools } from "./support/tools";

const port = Number(process.env.GATEHOUSE_E2E_PORT ?? 8796);
const startupTimeoutMs = 180_000;

function shout(lines: string[]): void {
  const bar = "!".repeat(78);
  console.warn(["", bar, ...lines.map((line) => `!! ${line}`), bar, ""].join("\n"));
}

function assertPortIsFree(candidate: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", () =>
      reject(new Error(`gatehouse e2e: port ${candidate} is in use; stop what runs there or set GATEHOUSE_E2E_PORT`)),
    );
    server.listen(candidate, "127.0.0.1", () => server.close(() => resolvePromise()));
  });
}

/** The e2e config must serve the very bindings and vars of wrangler.toml, or the bootstrap step writes elsewhere. */
function assertConfigsAgree(): void {
  const pick = (path: string) => {
    const { rawConfig } = experimental_readRawConfig({ config: path });
    const { APP_ORIGIN: _origin, ...vars } = (rawConfig.vars ?? {}) as Record<string, unknown>;
    const d1 = (rawConfig.d1_databases ?? []).map((entry: { binding: string; database_id?: string }) => [
      entry.binding,
      entry.database_id,
    ]);
    const kv = (rawConfig.kv_namespaces ?? []).map((entry: { binding: string; id?: string }) => [
      entry.binding,
      entry.id,
    ]);
    return JSON.stringify({ vars, d1, kv, flags: rawConfig.compatibility_flags, date: rawConfig.compatibility_date });
  };
  const production = pick("wrangler.toml");
  const e2e = pick("test/e2e/wrangler.e2e.toml");
  if (production !== e2e) {
    throw new Error(
      `gatehouse e2e: test/e2e/wrangler.e2e.toml has drifted from wrangler.toml:\n  ${production}\n  ${e2e}`,
    );
  }
}

const bootstrapLinkPattern = /http:\/\/localhost:\d+\/setup\/[A-Za-z0-9_-]{43}/;

export default async function setup(project: TestProject) {
  const outputDir = resolve("test-output");
  if (process.env.GATEHOUSE_SKIP_BROWSER_TESTS === "1") {
    shout([
      "GATEHOUSE_SKIP_BROWSER_TESTS=1: the browser end-to-end suite, the accessibility checks and",
      "the security sweep are SKIPPED. This run proves nothing about them. CI never sets it.",
    ]);
    project.provide("e2eRun", { skipped: true } as E2eRun);
    return;
  }
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(
      [
        "gatehouse e2e: the browser suite needs tools that are not installed:",
        ...missing.map((tool) => `  - ${tool}`),
        "Install them with: sudo apt-get install -y chromium oathtool zbar-tools",
        "(or, only if you must, skip the browser suite with GATEHOUSE_SKIP_BROWSER_TESTS=1)",
      ].join("\n"),
    );
  }
  assertConfigsAgree();
  await assertPortIsFree(port);
  await assertPortIsFree(port + 1);

  for (const name of ["screenshots", "axe-report.json", "sweep-report.json", "server.log"]) {
    rmSync(join(outputDir, name), { recursive: true, force: true });
  }
  mkdirSync(join(outputDir, "screenshots"), { recursive: true });
  const runDir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const stateDir = join(runDir, "state");
  const wranglerLogDir = join(runDir, "wrangler-logs");
  const serverLogPath = join(outputDir, "server.log");
  const log = createWriteStream(serverLogPath);

  const server = await startService({
    name: "gatehouse e2e: scripts/gatehouse.sh start",
    command: "sh",
    args: [
      "scripts/gatehouse.sh",
      "start",
      "--config",
      "test/e2e/wrangler.e2e.toml",
      "--inspector-port",
      String(port + 1),
    ],
    // The local cron loop stays off: the suite's clock moves only when a test moves it, so a test
    // that needs the jobs fires /cdn-cgi/handler/scheduled itself after moving the clock.
    env: {
      GATEHOUSE_STATE_DIR: stateDir,
      WRANGLER_LOG_PATH: wranglerLogDir,
      NO_COLOR: "1",
      GATEHOUSE_CRON_INTERVAL_SECONDS: "0",
    },
    port,
    ready: (output) => output.includes(`Ready on http://127.0.0.1:${port}`) && bootstrapLinkPattern.test(output),
    readyTimeoutMs: startupTimeoutMs,
    onOutput: (chunk) => log.write(chunk),
  });
  const bootstrapLink = bootstrapLinkPattern.exec(server.output())?.[0] ?? "";
  const baseUrl = `http://localhost:${port}`;
  // Freeze the clock at the real time: from here on time moves only when a test moves it.
  await fetch(`${baseUrl}/__test__/clock`, { method: "POST", body: JSON.stringify({ set: new Date().toISOString() }) });

  const run: E2eRun = {
    skipped: false,
    baseUrl,
    bootstrapLink,
    runDir,
    serverLogPath,
    wranglerLogDir,
    stateDir,
    outputDir,
  };
  project.provide("e2eRun", run);

  return async () => {
    await server.stop();
    log.end();
    if (process.env.GATEHOUSE_E2E_KEEP_STATE === "1") console.info(`gatehouse e2e: state kept in ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  };
}
