// Starting wrangler dev for a benchmark and reading CPU time of its workerd processes from /proc.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

const clockTicksPerSecond = 100;

/** The project's wrangler, offline: no telemetry, no fetches to Cloudflare. */
export const wranglerBin = "node_modules/.bin/wrangler";

export function wranglerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...extra };
}

/** Runs a wrangler command to completion (its errors on stderr), e.g. `d1 migrations apply`. */
export function runWrangler(args: string[]): void {
  execFileSync(wranglerBin, args, { stdio: ["ignore", "ignore", "inherit"], env: wranglerEnv() });
}

export interface DevServer {
  url: string;
  process: ChildProcess;
  stop: () => Promise<void>;
  /** The workerd processes this server started (its own, not other wrangler or vitest runs on the machine). */
  workerdPids: () => number[];
  /**
   * The workerd process that runs the Worker itself (and local D1 and KV), without the one in
   * front of it that serves wrangler's public port and forwards every request (its dev proxy).
   */
  workerPids: () => number[];
}

/** Refuses a port something already listens on: the readiness probe below would measure that server instead. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(new Error(`port ${port} is in use; choose another (BENCH_PORT / BENCH_KDF_PORT)`)),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

export async function startDevServer(args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<DevServer> {
  await assertPortFree(port);
  const child = spawn(
    wranglerBin,
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--log-level", "warn", ...args],
    {
      env: wranglerEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      await fetch(url, { redirect: "manual" });
      return {
        url,
        process: child,
        stop: () => stopProcessGroup(child),
        workerdPids: () => (child.pid ? findDescendantWorkerdProcesses(child.pid) : []),
        workerPids: () => {
          const all = child.pid ? findDescendantWorkerdProcesses(child.pid) : [];
          const worker = all.filter((pid) => !readCommandLine(pid).includes(`entry=127.0.0.1:${port} `));
          return worker.length > 0 ? worker : all;
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await stopProcessGroup(child);
  throw new Error(`wrangler dev did not start on ${url}:\n${output}`);
}

/** Ends the process group started for `child` (detached, so the group is wrangler and its workerd children). */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
}

function readParentPid(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[1]);
  } catch {
    return null;
  }
}

/** workerd processes below `rootPid` in the process tree. */
export function findDescendantWorkerdProcesses(rootPid: number): number[] {
  const pids = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = readParentPid(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found.filter((pid) => readCommandLine(pid).includes("workerd"));
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** User + system CPU milliseconds consumed so far by the given processes. */
export function readCpuMilliseconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended; its time is gone with it
    }
  }
  return (ticks * 1000) / clockTicksPerSecond;
}
