// Runs last (see sequencer.ts): greps everything the run wrote — the output of `npm start`
// (migrations, the bootstrap block, wrangler's request log and the app's console through
// scripts/redact-secrets.mjs), wrangler's own log files, and a dump of the whole audit_events
// table — for every secret the run created or typed (support/run.ts#recordSecret) and for anything
// shaped like a setup link or a bearer token. The one allowed print is the bootstrap step's
// setup link for the first admin, once; people.e2e.ts consumed it.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { currentRun, type RecordedSecret, readSecrets, writeSweepSection } from "./support/run";

const run = currentRun();

interface Source {
  name: string;
  text: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The forms a secret could take in a log line. */
function patternsOf(secret: RecordedSecret): RegExp[] {
  const exact = new RegExp(escapeRegExp(secret.value), "g");
  switch (secret.kind) {
    case "totp-code":
      // Six digits standing alone, not part of a longer number or identifier.
      return [new RegExp(`(?<![0-9A-Za-z])${secret.value}(?![0-9A-Za-z])`, "g")];
    case "totp-secret":
      return [
        exact,
        new RegExp(escapeRegExp(secret.value.toLowerCase()), "g"),
        new RegExp(escapeRegExp(secret.value.match(/.{1,4}/g)?.join(" ") ?? ""), "g"),
      ];
    case "recovery-code":
      return [exact, new RegExp(escapeRegExp(secret.value.replaceAll("-", "")), "gi")];
    default:
      return [exact];
  }
}

function dumpAuditTable(): { rows: number; text: string } {
  const output = execFileSync(
    "node_modules/.bin/wrangler",
    [
      "d1",
      "execute",
      "DB",
      "--local",
      `--persist-to=${run.stateDir}`,
      "--json",
      "--command",
      "SELECT * FROM audit_events ORDER BY at",
    ],
    {
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: join(run.runDir, "dump-logs") },
      maxBuffer: 64 << 20,
    },
  );
  const results = (JSON.parse(output) as Array<{ results: unknown[] }>)[0]?.results ?? [];
  return { rows: results.length, text: results.map((row) => JSON.stringify(row)).join("\n") };
}

describe.skipIf(run.skipped)("secrets in logs and audit rows", () => {
  it("wrote no password, TOTP secret or code, recovery code, session, challenge, setup or API token to any log line or audit row", async () => {
    // wrangler prints a request's log line after its response; let the last ones arrive.
    await sleep(2000);
    const bootstrapToken = new URL(run.bootstrapLink).pathname.split("/").pop() as string;
    const audit = dumpAuditTable();
    const sources: Source[] = [
      { name: "npm start output", text: readFileSync(run.serverLogPath, "utf8") },
      ...readdirSync(run.wranglerLogDir).map((file) => ({
        name: `wrangler log ${file}`,
        text: readFileSync(join(run.wranglerLogDir, file), "utf8"),
      })),
      { name: "audit_events", text: audit.text },
    ];
    const secrets = readSecrets();
    const hitsIn = (secret: RecordedSecret, text: string) =>
      patternsOf(secret).reduce((total, pattern) => total + (text.match(pattern)?.length ?? 0), 0);
    // The grep must be able to fail: each secret is found in a line that does carry it.
    expect(secrets.filter((secret) => hitsIn(secret, `logged ${secret.value} here`) === 0)).toEqual([]);
    const leaks: string[] = [];
    for (const secret of secrets) {
      for (const source of sources) {
        const hits = hitsIn(secret, source.text);
        const allowed = secret.value === bootstrapToken && source.name === "npm start output" ? 1 : 0;
        if (hits > allowed) leaks.push(`${secret.kind} (${secret.label}) ×${hits - allowed} in ${source.name}`);
      }
    }
    // Whatever the suite did not record: anything shaped like a setup link, a 32-byte bearer token
    // or a secret in the gth<kind>_ format (docs/SECURITY.md "Token format").
    for (const source of sources) {
      const shaped = [
        ...source.text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g),
        ...source.text.matchAll(/\bgth[a-z]_[0-9A-Za-z]{49}\b/g),
      ].map((match) => match[0]);
      for (const token of shaped.filter((value) => value !== bootstrapToken))
        leaks.push(`token-shaped ${token.slice(0, 6)}… in ${source.name}`);
    }
    expect(leaks).toEqual([]);
    expect(secrets.length).toBeGreaterThan(50);
    expect(audit.rows).toBeGreaterThan(20);

    const byKind = Object.fromEntries(
      [...new Set(secrets.map((secret) => secret.kind))].map((kind) => [
        kind,
        secrets.filter((s) => s.kind === kind).length,
      ]),
    );
    writeSweepSection("secrets", {
      secretsGrepped: secrets.length,
      byKind,
      sources: sources.map((source) => source.name),
      auditRows: audit.rows,
      logLines: sources
        .filter((source) => source.name !== "audit_events")
        .reduce((total, source) => total + source.text.split("\n").length, 0),
    });
    console.info(
      `gatehouse e2e sweep report (test-output/sweep-report.json):\n${readFileSync(join(run.outputDir, "sweep-report.json"), "utf8")}`,
    );
  });

  it("printed the first admin's setup link only in the bootstrap block, and that link is dead", async () => {
    const log = readFileSync(run.serverLogPath, "utf8").split("\n");
    const token = new URL(run.bootstrapLink).pathname.split("/").pop() as string;
    const lines = log.flatMap((line, index) => (line.includes(token) ? [index] : []));
    expect(lines).toHaveLength(1);
    const announced = log.slice(Math.max(0, (lines[0] as number) - 3), lines[0]).join("\n");
    expect(announced).toContain("Open this one-time setup link");
    expect((await fetch(run.bootstrapLink, { redirect: "manual" })).status).toBe(404);
  });
});
