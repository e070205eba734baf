// What one run of the browser suite shares between its files: the server global-setup.ts started,
// the cast people.e2e.ts created (world.json) and every secret the run handled (secrets.json),
// kept in the run's temporary folder (never in test-output/, which CI keeps as an artifact).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";

export interface E2eRun {
  /** GATEHOUSE_SKIP_BROWSER_TESTS=1: nothing was started and every e2e test is skipped. */
  skipped: boolean;
  baseUrl: string;
  /** The first admin's setup link, read from the bootstrap step's output. */
  bootstrapLink: string;
  /** Temporary folder of this run: local state, wrangler's log files, world.json, secrets.json. */
  runDir: string;
  /** Everything `npm start` printed: migrations, the bootstrap block, wrangler's (filtered) output. */
  serverLogPath: string;
  wranglerLogDir: string;
  stateDir: string;
  outputDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2eRun: E2eRun;
  }
}

export function currentRun(): E2eRun {
  return inject("e2eRun");
}

export interface Credentials {
  email: string;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
  userId: string;
  role: string;
}

export interface World {
  admin?: Credentials;
  tenant?: { id: string; slug: string; name: string };
  people: Record<string, Credentials>;
  /** The contractor's membership expiry the story crossed (ISO). */
  contractorExpiresAt?: string;
  /**
   * The tenant's directory directories.e2e.ts made: the sweeps fill the directory routes with these
   * ids and call /scim/v2 with its live token (recorded in secrets.json like every secret).
   */
  directory?: { id: string; groupId: string; tokenId: string; token: string };
}

function worldPath(): string {
  return join(currentRun().runDir, "world.json");
}

export function readWorld(): World {
  // Test files read the world while vitest collects them, skipped or not.
  if (currentRun().skipped) return { people: {} };
  const path = worldPath();
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as World) : { people: {} };
}

export function updateWorld(change: (world: World) => void): World {
  const world = readWorld();
  change(world);
  writeFileSync(worldPath(), JSON.stringify(world, null, 2));
  return world;
}

export type SecretKind =
  | "password"
  | "totp-secret"
  | "totp-code"
  | "recovery-code"
  | "setup-token"
  | "session-token"
  | "challenge-token"
  | "api-token"
  | "directory-token"
  | "webhook-secret";

export interface RecordedSecret {
  kind: SecretKind;
  value: string;
  label: string;
}

function secretsPath(): string {
  return join(currentRun().runDir, "secrets.json");
}

export function readSecrets(): RecordedSecret[] {
  const path = secretsPath();
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RecordedSecret[]) : [];
}

/** Every secret the run creates or types is recorded here; secrets.e2e.ts greps logs and audit rows for them. */
export function recordSecret(kind: SecretKind, value: string, label: string): void {
  if (!value) return;
  const secrets = readSecrets();
  if (secrets.some((secret) => secret.kind === kind && secret.value === value)) return;
  secrets.push({ kind, value, label });
  writeFileSync(secretsPath(), JSON.stringify(secrets, null, 2));
}

/** Adds one section of counts to test-output/sweep-report.json (each sweep file writes its own). */
export function writeSweepSection(name: string, counts: Record<string, unknown>): void {
  const path = join(currentRun().outputDir, "sweep-report.json");
  const report = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
  report[name] = counts;
  writeFileSync(path, JSON.stringify(report, null, 2));
  console.info(`gatehouse e2e sweep · ${name}: ${JSON.stringify(counts)}`);
}

function downloadsPath(): string {
  return join(currentRun().runDir, "downloads.json");
}

/** Paths the crawl found that download a file instead of showing a page. */
export function readDownloads(): string[] {
  const path = downloadsPath();
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as string[]) : [];
}

export function recordDownload(path: string): void {
  const downloads = readDownloads();
  if (!downloads.includes(path)) writeFileSync(downloadsPath(), JSON.stringify([...downloads, path], null, 2));
}
