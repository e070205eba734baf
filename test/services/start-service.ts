// Loopback services for tests: a webhook receiver, an identity provider, a DNS-over-HTTPS resolver,
// or the app itself for the browser suite. Each runs on 127.0.0.1 in a process group of its own,
// led by test/services/orphan-guard.mjs, and the whole group is stopped: by stop(), when the test
// process exits or gets SIGINT, SIGTERM or SIGHUP, and (by the guard) when the test process is
// killed outright. Node only: workerd test files get a service's URL from a project's globalSetup
// through provide/inject (docs/TESTING.md "Services for tests").
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ServiceOptions {
  /** Names the service in errors. */
  name: string;
  command: string;
  args?: string[];
  /** Added to this process's environment; the service also gets PORT, and must listen on 127.0.0.1. */
  env?: Record<string, string | undefined>;
  /** A fixed port; a free one when left out. */
  port?: number;
  /** Ready once this matches what the service printed so far (stdout and stderr together). */
  ready: RegExp | ((output: string) => boolean);
  readyTimeoutMs?: number;
  /** Receives everything the service prints, e.g. to keep a log file. */
  onOutput?: (chunk: Buffer) => void;
}

export interface TestService {
  name: string;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The service's process group (its guard's pid). */
  processGroupId: number;
  /** Everything the service printed so far. */
  output: () => string;
  stop: () => Promise<void>;
}

const guardPath = join(dirname(fileURLToPath(import.meta.url)), "orphan-guard.mjs");
const defaultReadyTimeoutMs = 30_000;
// The guard kills what is left after its own 10 s grace; this is the last resort beyond that.
const stopTimeoutMs = 15_000;
const liveGroups = new Set<number>();

function signalGroup(processGroupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-processGroupId, signal);
  } catch {
    // The group is already empty.
  }
}

function killLiveGroups(): void {
  for (const processGroupId of liveGroups) signalGroup(processGroupId, "SIGKILL");
  liveGroups.clear();
}

let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", killLiveGroups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, function stopServicesOnSignal() {
      killLiveGroups();
      // A listener replaces the signal's default action (exit): restore it unless another listener handles the signal.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, stopServicesOnSignal);
        process.kill(process.pid, signal);
      }
    });
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function waitUntilReady(child: ChildProcess, options: ServiceOptions, output: () => string): Promise<void> {
  const { ready, name, readyTimeoutMs = defaultReadyTimeoutMs } = options;
  const isReady = typeof ready === "function" ? ready : (text: string) => text.search(ready) !== -1;
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (isReady(output())) finish();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output().slice(-3000)}`));
    const timer = setTimeout(
      () => finish(new Error(`${name} was not ready within ${readyTimeoutMs / 1000} s:\n${output().slice(-3000)}`)),
      readyTimeoutMs,
    );
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", onExit);
  });
}

export async function startService(options: ServiceOptions): Promise<TestService> {
  installCleanup();
  const port = options.port ?? (await findFreePort());
  const child = spawn(process.execPath, [guardPath, String(process.pid), options.command, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env, PORT: String(port) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: could not start node for ${guardPath}`);
  const processGroupId = child.pid;
  liveGroups.add(processGroupId);
  // The guard ends its group when it ends: nothing is left to kill then.
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => liveGroups.delete(processGroupId));

  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      options.onOutput?.(chunk);
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (!liveGroups.has(processGroupId)) return;
      signalGroup(processGroupId, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), stopTimeoutMs);
      });
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        signalGroup(processGroupId, "SIGKILL");
        await exited;
      }
    })();
    return stopping;
  };

  try {
    await waitUntilReady(child, options, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: options.name, port, url: `http://127.0.0.1:${port}`, processGroupId, output: () => output, stop };
}

/** The pids of a process group's members that still run (zombies waiting to be reaped do not count). */
export function findLivingProcessesInGroup(processGroupId: number): number[] {
  const table = execFileSync("ps", ["-A", "-o", "pid=,pgid=,stat="], { encoding: "utf8" });
  return table
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, state]) => Number(group) === processGroupId && state !== undefined && !state.startsWith("Z"))
    .map(([pid]) => Number(pid));
}
