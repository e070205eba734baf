import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findLivingProcessesInGroup, startService } from "../services/start-service";

const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), "fixtures", name);

async function waitForGroupToEnd(processGroupId: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let living = findLivingProcessesInGroup(processGroupId);
  while (living.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    living = findLivingProcessesInGroup(processGroupId);
  }
  return living;
}

describe("services for tests", () => {
  it("starts a loopback service on a free port, reaches it, and stops its whole process group", async () => {
    const service = await startService({
      name: "loopback",
      command: process.execPath,
      args: [fixture("loopback-service.mjs")],
      ready: /listening on \d+/,
    });
    const response = await fetch(`${service.url}/ping`);
    expect(await response.text()).toBe("pong");
    expect(service.output()).toContain(`listening on ${service.port}`);
    // The guard, the service and the service's own helper process.
    expect(findLivingProcessesInGroup(service.processGroupId)).toHaveLength(3);

    await service.stop();
    expect(findLivingProcessesInGroup(service.processGroupId)).toEqual([]);
    await expect(fetch(`${service.url}/ping`)).rejects.toThrow();
  });

  it("reports a service that exits before it is ready, with what it printed", async () => {
    const starting = startService({
      name: "broken",
      command: process.execPath,
      args: ["-e", "console.error('no configuration'); process.exit(3)"],
      ready: /listening/,
    });
    await expect(starting).rejects.toThrow(/broken exited \(\w+\) before it was ready:\nno configuration/);
  });

  it.each(["SIGKILL", "SIGTERM"] as const)(
    "stops a service's whole process group when the test process that started it dies by %s",
    async (signal) => {
      const testProcess = spawn(process.execPath, ["--import", "tsx", fixture("start-service-and-wait.ts")], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const [firstChunk] = (await once(testProcess.stdout, "data")) as [Buffer];
      const started = JSON.parse(firstChunk.toString("utf8")) as { processGroupId: number; port: number };
      expect(await (await fetch(`http://127.0.0.1:${started.port}/`)).text()).toBe("pong");
      expect(findLivingProcessesInGroup(started.processGroupId)).toHaveLength(3);

      testProcess.kill(signal);
      await once(testProcess, "exit");
      expect(await waitForGroupToEnd(started.processGroupId, 5_000)).toEqual([]);
    },
  );
});
