// Starting wrangler dev for a benchmark and reading CPU time of its workerd processes from /proc.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const clockTicksPerSecond = 100;

export interface DevServer {
  url: string;
  process: ChildProcess;
  stop: () => Promise<void>;
}

export async function startDevServer(args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<DevServer> {
  const child = spawn("node_modules/.bin/wrangler", ["dev", "--ip", "127.0.0.1", "--port", String(port), "--log-level", "warn", ...args], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
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
        stop: async () => {
          if (child.pid) process.kill(-child.pid, "SIGTERM");
          await new Promise((resolve) => setTimeout(resolve, 300));
        },
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  if (child.pid) process.kill(-child.pid, "SIGTERM");
  throw new Error(`wrangler dev did not start on ${url}:\n${output}`);
}

/** The workerd processes serving `port` (wrangler runs the user worker in a child workerd). */
export function findWorkerdProcesses(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd");
      } catch {
        return false;
      }
    })
    .map(Number);
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
