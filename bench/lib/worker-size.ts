// The built Worker's size as Cloudflare counts it: `wrangler deploy --dry-run --outdir` bundles
// exactly what a deploy would upload; wrangler prints the total and its gzipped size, and the
// modules are gzipped here too so the report says what weighs what.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { wranglerBin, wranglerEnv } from "./processes";

export interface WorkerSize {
  totalKiB: number;
  gzipKiB: number;
  modules: Array<{ name: string; kiB: number; gzipKiB: number }>;
}

export function measureWorkerSize(): WorkerSize {
  const outDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-dry-run-"));
  try {
    const output = execFileSync(wranglerBin, ["deploy", "--dry-run", "--outdir", outDir], {
      encoding: "utf8",
      env: wranglerEnv({ NO_COLOR: "1" }),
    });
    const totals = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!totals) throw new Error(`wrangler deploy --dry-run printed no size:\n${output}`);
    const modules = readdirSync(outDir)
      .filter((name) => name.endsWith(".js") || name.endsWith(".wasm"))
      .map((name) => {
        const bytes = readFileSync(join(outDir, name));
        return {
          name: name.replace(/^[0-9a-f]{40}-/, ""),
          kiB: bytes.length / 1024,
          gzipKiB: gzipSync(bytes).length / 1024,
        };
      });
    return { totalKiB: Number(totals[1]), gzipKiB: Number(totals[2]), modules };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
