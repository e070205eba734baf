// What one local D1 round trip costs the Worker: `npm run bench:d1`. Local D1 is a Durable Object
// in the same workerd, so the CPU read from /proc around a request that runs 1,000 batches is the
// cost per batch: by how many statements a batch holds, to tell round trips from statements.
import { rmSync } from "node:fs";
import { readCpuMilliseconds, startDevServer } from "./lib/processes";

const statePath = "bench/.state/d1-round-trip";

export async function measureD1RoundTrip(
  port = 8795,
  rounds = 1000,
): Promise<Array<{ statements: number; cpuMsPerBatch: number }>> {
  rmSync(statePath, { recursive: true, force: true });
  const server = await startDevServer(
    ["--config", "bench/d1-round-trip-wrangler.toml", "--persist-to", statePath],
    port,
  );
  try {
    const pids = server.workerPids();
    await (await fetch(`${server.url}/?statements=1&rounds=50`)).text(); // creates the table, warms up
    const results: Array<{ statements: number; cpuMsPerBatch: number }> = [];
    for (const statements of [0, 1, 2, 5, 10]) {
      const before = readCpuMilliseconds(pids);
      const response = await fetch(`${server.url}/?statements=${statements}&rounds=${rounds}`);
      if (!response.ok) throw new Error(`D1 round-trip worker failed: ${await response.text()}`);
      results.push({ statements, cpuMsPerBatch: (readCpuMilliseconds(pids) - before) / rounds });
    }
    return results;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { statements, cpuMsPerBatch } of await measureD1RoundTrip()) {
    const what =
      statements === 0
        ? "no batch (the loop alone)"
        : `a batch of ${statements} single-row SELECT${statements > 1 ? "s" : ""}`;
    console.log(`${what}: ${cpuMsPerBatch.toFixed(3)} ms CPU`);
  }
}
