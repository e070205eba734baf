// The local cron loop (scripts/cron-loop.ts) that `npm start` runs beside wrangler dev.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { findNextRun, parseCronExpression, planLoop, readCronSchedules } from "../../scripts/cron-loop.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const loopScript = join(root, "scripts", "cron-loop.ts");

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return condition();
}

/** A stand-in for wrangler dev that records the paths it was asked for. */
async function startFakeWranglerDev(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe("the local cron loop", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("reads the schedule of wrangler.toml", () => {
    expect(readCronSchedules(readFileSync(join(root, "wrangler.toml"), "utf8"))).toEqual(["*/5 * * * *"]);
    expect(readCronSchedules('[triggers]\n# crons = ["0 0 * * *"]\ncrons = ["*/5 * * * *", \'0 3 * * 1\']')).toEqual([
      "*/5 * * * *",
      "0 3 * * 1",
    ]);
    expect(readCronSchedules('name = "x"')).toEqual([]);
  });

  it("matches cron expressions minute by minute in UTC, as Cloudflare runs them", () => {
    const everyFive = parseCronExpression("*/5 * * * *");
    expect(everyFive.matches(new Date("2026-12-02T12:05:00Z"))).toBe(true);
    expect(everyFive.matches(new Date("2026-12-02T12:07:00Z"))).toBe(false);
    expect(findNextRun([everyFive], new Date("2026-12-02T12:01:30Z"))?.at.toISOString()).toBe(
      "2026-12-02T12:05:00.000Z",
    );
    expect(findNextRun([everyFive], new Date("2026-12-02T12:05:00Z"))?.at.toISOString()).toBe(
      "2026-12-02T12:10:00.000Z",
    );

    const weekdayMornings = parseCronExpression("0 9 * * 1-5");
    expect(findNextRun([weekdayMornings], new Date("2026-12-05T10:00:00Z"))?.at.toISOString()).toBe(
      "2026-12-07T09:00:00.000Z",
    );
    // Both day fields restricted: either one is enough (1 Dec 2026 is a Tuesday, 7 Dec a Monday).
    const firstOrMonday = parseCronExpression("0 0 1 * 1");
    expect(firstOrMonday.matches(new Date("2026-12-01T00:00:00Z"))).toBe(true);
    expect(firstOrMonday.matches(new Date("2026-12-07T00:00:00Z"))).toBe(true);
    expect(firstOrMonday.matches(new Date("2026-12-08T00:00:00Z"))).toBe(false);
    expect(parseCronExpression("0 0 * * 7").matches(new Date("2026-12-06T00:00:00Z"))).toBe(true);

    expect(() => parseCronExpression("*/5 * * *")).toThrow(/five fields/);
    expect(() => parseCronExpression("61 * * * *")).toThrow(/outside 0-59/);
    expect(() => parseCronExpression("0 0 * * MON")).toThrow(/cannot read "MON"/);
  });

  it("follows the schedule unless GATEHOUSE_CRON_INTERVAL_SECONDS says every N seconds or off", () => {
    expect(planLoop(undefined, ["*/5 * * * *"])).toMatchObject({
      kind: "schedule",
      schedules: [{ expression: "*/5 * * * *" }],
    });
    expect(planLoop("", ["*/5 * * * *"]).kind).toBe("schedule");
    expect(planLoop("30", ["*/5 * * * *"])).toEqual({ kind: "interval", seconds: 30, cron: "*/5 * * * *" });
    expect(planLoop("0", ["*/5 * * * *"]).kind).toBe("off");
    expect(planLoop("off", ["*/5 * * * *"]).kind).toBe("off");
    expect(planLoop(undefined, []).kind).toBe("off");
    expect(() => planLoop("soon", ["*/5 * * * *"])).toThrow(/whole number of seconds or "off"/);
  });

  it("fires wrangler dev's scheduled endpoint with the cron, and ends once the process that started it is killed", async () => {
    const fake = await startFakeWranglerDev();
    cleanups.push(() => fake.server.close());
    // The shell stands for scripts/gatehouse.sh: it starts the loop with --parent $$, then becomes
    // a long sleep with the same pid, which the test kills outright (no trap can run).
    const shell = spawn(
      "sh",
      [
        "-c",
        `"${process.execPath}" --import tsx "${loopScript}" --url "${fake.url}" --parent $$ & echo $!; exec sleep 60`,
      ],
      { cwd: root, env: { ...process.env, GATEHOUSE_CRON_INTERVAL_SECONDS: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    shell.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    shell.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    cleanups.push(() => shell.kill("SIGKILL"));
    expect(await waitFor(() => /^\d+$/m.test(output), 10_000)).toBe(true);
    const loopPid = Number(/^(\d+)$/m.exec(output)?.[1]);
    cleanups.push(() => isAlive(loopPid) && process.kill(loopPid, "SIGKILL"));

    expect(await waitFor(() => fake.requests.length >= 2, 20_000), output).toBe(true);
    for (const path of fake.requests.slice(0, 2)) {
      const url = new URL(path, fake.url);
      expect(url.pathname).toBe("/cdn-cgi/handler/scheduled");
      expect(url.searchParams.get("cron")).toBe("*/5 * * * *");
    }
    expect(output).toContain("firing the scheduled jobs every 1 s");

    shell.kill("SIGKILL");
    expect(await waitFor(() => !isAlive(loopPid), 5_000)).toBe(true);
  }, 40_000);

  it("fires nothing when the interval is off, and says how to fire a run by hand", async () => {
    const fake = await startFakeWranglerDev();
    cleanups.push(() => fake.server.close());
    const loop = spawn(process.execPath, ["--import", "tsx", loopScript, "--url", fake.url], {
      cwd: root,
      env: { ...process.env, GATEHOUSE_CRON_INTERVAL_SECONDS: "off" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let output = "";
    loop.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const code = await new Promise<number | null>((resolve) => loop.once("exit", resolve));
    expect(code).toBe(0);
    expect(output).toContain(
      `not running (GATEHOUSE_CRON_INTERVAL_SECONDS is off); fire a run with: curl '${fake.url}`,
    );
    expect(fake.requests).toEqual([]);
  }, 20_000);
});
