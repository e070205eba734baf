// Seeds the benchmark's own local D1 (bench/.state, never the `npm start` database):
//   1. the migrations, as `npm start` applies them;
//   2. the bulk (10,000 users, 1,000 tenants, 100,000 memberships) as generated SQL through
//      `wrangler d1 execute --file`: seconds instead of minutes of chunked inserts;
//      It includes the sign-in pool: a few hundred active accounts with the hash of a known password
//      (made by src/auth/password.ts) and TOTP secrets kept in memory, in the state setup leaves.
//   3. the three users the console benchmarks act as (SUPER_ADMIN, OPERATOR, CLIENT_USER), through
//      the real invite and setup domain code over wrangler's platform proxy (same D1 and KV as
//      `wrangler dev --persist-to`), so their passwords, TOTP secrets and sessions are real.
//      (Doing the whole pool that way costs ~120 ms per user in proxy round trips: 40 s for 300.)
// Needs the .wasm hook of lib/wasm-modules.mjs (password hashing runs here, in Node).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { getPlatformProxy } from "wrangler";
import { hashPassword } from "../src/auth/password";
import { decodeTotpSecret, generateTotpCodeAt, generateTotpSecret } from "../src/auth/totp";
import { createD1Db } from "../src/db/client";
import type { GlobalRole } from "../src/db/schema";
import type { DomainContext } from "../src/domain/context";
import { inviteUser } from "../src/domain/invites/invites";
import { choosePassword, completeSetup, findSetupState } from "../src/domain/invites/setup";
import type { InviteInput } from "../src/domain/users/users";
import { type Bindings, readConfig } from "../src/env";
import { runWrangler } from "./lib/processes";
import { buildSeedSql, defaultSeedShape, largeTenantSlug, type SignInAccount, seedTenantId } from "./lib/seed-sql";

export interface SignInUser extends SignInAccount {
  password: string;
}

export interface BenchUser extends SignInUser {
  role: GlobalRole;
  /** The session cookie value setup ended with. */
  sessionToken: string;
}

export interface SeededData {
  largeTenantSlug: string;
  largeTenantId: string;
  superAdmin: BenchUser;
  operator: BenchUser;
  client: BenchUser;
  signInPool: SignInUser[];
  /** What the database holds after seeding, counted there. */
  counts: SeedCounts;
}

export interface SeedCounts {
  users: number;
  tenants: number;
  memberships: number;
  membershipsExpiringWithin7Days: number;
  largestTenantMembers: number;
}

export const benchPassword = "benchmark passphrase, not a secret";

/** Invites and completes setup exactly as a person would (password + current TOTP code). */
async function createSignInUser(ctx: DomainContext, input: Omit<InviteInput, "slackId">): Promise<BenchUser> {
  const invited = await inviteUser(ctx, { ...input, slackId: null });
  const token = new URL(invited.setupUrl).pathname.split("/").pop() ?? "";
  const state = await findSetupState(ctx, token);
  if (!state) throw new Error(`seed: the setup link of ${input.email} is not valid`);
  const totpSecret = await choosePassword(ctx, state, {
    displayName: `${input.firstName} ${input.lastName}`,
    password: benchPassword,
    passwordConfirmation: benchPassword,
  });
  const confirmed = await findSetupState(ctx, token);
  if (!confirmed) throw new Error(`seed: setup state of ${input.email} vanished`);
  const code = generateTotpCodeAt(decodeTotpSecret(totpSecret), Math.floor(ctx.now.getTime() / 1000));
  const completed = await completeSetup(ctx, confirmed, code, { ip: null, userAgent: "gatehouse-bench" });
  return {
    id: invited.user.id,
    email: invited.user.email,
    role: invited.user.role,
    password: benchPassword,
    totpSecret,
    sessionToken: completed.session.token,
  };
}

async function countSeededRows(db: D1Database, now: Date): Promise<SeedCounts> {
  const weekLater = now.getTime() + 7 * 86_400_000;
  const row = await db
    .prepare(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM tenants) AS tenants,
        (SELECT count(*) FROM memberships) AS memberships,
        (SELECT count(*) FROM memberships WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?1) AS membershipsExpiringWithin7Days,
        (SELECT max(members) FROM (SELECT count(*) AS members FROM memberships GROUP BY tenant_id)) AS largestTenantMembers`,
    )
    .bind(weekLater)
    .first<SeedCounts>();
  if (!row) throw new Error("seed: could not count the seeded rows");
  return row;
}

function memberships(tenantIndexes: number[], role: InviteInput["memberships"][number]["role"]) {
  return tenantIndexes.map((index) => ({ tenantId: seedTenantId(index), role, expiresAt: null }));
}

async function createConsoleUsers(stateDir: string, origin: string) {
  const { env, dispose } = await getPlatformProxy<Bindings & { DB: D1Database }>({
    configPath: "wrangler.toml",
    persist: { path: `${stateDir}/v3` },
  });
  try {
    const ctx: DomainContext = {
      db: createD1Db(env.DB),
      kv: env.KV,
      now: new Date(),
      config: readConfig({ ...env, APP_ORIGIN: origin }),
      actor: { kind: "system" },
      ip: null,
      requestId: "bench-seed",
    };
    const superAdmin = await createSignInUser(ctx, {
      email: "root@bench.example",
      firstName: "Bench",
      lastName: "Administrator",
      role: "SUPER_ADMIN",
      memberships: [],
    });
    const operator = await createSignInUser(ctx, {
      email: "operator@bench.example",
      firstName: "Bench",
      lastName: "Operator",
      role: "OPERATOR",
      memberships: memberships([0, 11, 22, 33, 44, 55, 66, 77, 88, 99], "OPERATOR_FULL"),
    });
    const client = await createSignInUser(ctx, {
      email: "client@bench.example",
      firstName: "Bench",
      lastName: "Client",
      role: "CLIENT_USER",
      memberships: memberships([0, 5, 9], "CLIENT_ADMIN"),
    });
    return { superAdmin, operator, client, counts: await countSeededRows(env.DB, ctx.now) };
  } finally {
    await dispose();
  }
}

/** Wipes `stateDir` and seeds it from scratch. */
export async function seedBenchDatabase(options: {
  stateDir: string;
  origin: string;
  signInPoolSize: number;
}): Promise<SeededData> {
  rmSync(options.stateDir, { recursive: true, force: true });
  mkdirSync(options.stateDir, { recursive: true });
  const persist = ["--local", "--persist-to", options.stateDir];

  runWrangler(["d1", "migrations", "apply", "DB", ...persist]);

  const signInPool: SignInUser[] = Array.from({ length: options.signInPoolSize }, (_, index) => ({
    id: `usr_signin${String(index).padStart(5, "0")}`,
    email: `signin${index}@bench.example`,
    totpSecret: generateTotpSecret(),
    password: benchPassword,
  }));
  const hashes = {
    unusable: await hashPassword(crypto.randomUUID() + crypto.randomUUID()),
    signIn: await hashPassword(benchPassword),
  };
  const sqlPath = `${options.stateDir}/seed.sql`;
  writeFileSync(sqlPath, buildSeedSql(defaultSeedShape, Date.now(), hashes, signInPool));
  runWrangler(["d1", "execute", "DB", ...persist, "--file", sqlPath, "--yes"]);
  rmSync(sqlPath);
  const consoleUsers = await createConsoleUsers(options.stateDir, options.origin);
  return {
    largeTenantSlug,
    largeTenantId: seedTenantId(0),
    signInPool,
    ...consoleUsers,
  };
}
