// Measures the password KDF's CPU cost per hash inside workerd: `npm run bench:kdf`.
// Reads user+system CPU of the workerd processes from /proc around a batch of verifications.
import { readCpuMilliseconds, startDevServer } from "./lib/processes";

export async function measureKdf(
  port = 8790,
  rounds = 200,
): Promise<{ parameters: string; cpuMsPerHash: number; wallMsPerHash: number }> {
  const server = await startDevServer(["--config", "bench/kdf-wrangler.toml"], port);
  try {
    const pids = server.workerPids();
    const parameters = await (await fetch(`${server.url}/?rounds=5`)).text();
    const cpuBefore = readCpuMilliseconds(pids);
    const started = performance.now();
    const response = await fetch(`${server.url}/?rounds=${rounds}`);
    if (!response.ok) throw new Error(`KDF worker failed: ${await response.text()}`);
    const wallMs = performance.now() - started;
    const cpuMs = readCpuMilliseconds(pids) - cpuBefore;
    return { parameters, cpuMsPerHash: cpuMs / rounds, wallMsPerHash: wallMs / rounds };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureKdf();
  console.log(
    `${result.parameters}: ${result.cpuMsPerHash.toFixed(1)} ms CPU per hash (${result.wallMsPerHash.toFixed(1)} ms wall) inside workerd`,
  );
}
