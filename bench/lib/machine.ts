// The machine and tool versions a benchmark ran on, recorded with every result.

import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  workerd: string;
  wrangler: string;
  autocannon: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews latency. */
  loadAverage: { start: number; end: number };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export function readLoadAverage(): number {
  return Number((loadavg()[0] ?? 0).toFixed(2));
}

export function describeMachine(loadAtStart: number): MachineInfo {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.versions.node,
    workerd: packageVersion("workerd"),
    wrangler: packageVersion("wrangler"),
    autocannon: packageVersion("autocannon"),
    loadAverage: { start: loadAtStart, end: readLoadAverage() },
  };
}
