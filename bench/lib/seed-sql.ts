// The bulk of the benchmark's data as SQL for `wrangler d1 execute --file`: users, tenants and
// memberships written straight into the tables the migrations created. Deterministic apart from
// the TOTP secrets and times (relative to `now`), so every run measures the same shapes.
//
// Shapes: `userCount` users (60% OPERATOR, 20% CONTRACTOR, 20% CLIENT_USER; 95% active, 4%
// pending, 1% deactivated), `tenantCount` tenants, ten memberships per user spread evenly over the
// tenants except tenant 0 (`largeTenantSlug`), which gets exactly `largeTenantMembers` members.
// Every tenth membership expires within 7 days; contractors' others expire in 30–180 days.
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

export interface SeedShape {
  userCount: number;
  tenantCount: number;
  membershipsPerUser: number;
  largeTenantMembers: number;
}

export const defaultSeedShape: SeedShape = {
  userCount: 10_000,
  tenantCount: 1_000,
  membershipsPerUser: 10,
  largeTenantMembers: 500,
};

export const largeTenantSlug = "globex";
// D1 refuses SQL statements over 100 KB; multi-row INSERTs stay well under that.
const maxStatementBytes = 90_000;
const dayMs = 86_400_000;

const firstNames = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "Ken",
  "Margaret",
  "Dennis",
  "Radia",
  "Linus",
];
const lastNames = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "Thompson",
  "Hamilton",
  "Ritchie",
  "Perlman",
];
const companyWords = [
  "Acme",
  "Initech",
  "Umbrella",
  "Stark",
  "Wayne",
  "Hooli",
  "Vandelay",
  "Tyrell",
  "Cyberdyne",
  "Soylent",
  "Wonka",
];

function quote(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/** INSERT statements of at most maxStatementBytes each. */
function insertStatements(table: string, columns: string[], rows: Array<Array<string | number | null>>): string[] {
  const head = `INSERT INTO ${table} (${columns.join(", ")}) VALUES\n`;
  const statements: string[] = [];
  let values: string[] = [];
  let size = head.length;
  for (const row of rows) {
    const tuple = `(${row.map(quote).join(", ")})`;
    if (values.length > 0 && size + tuple.length + 2 > maxStatementBytes) {
      statements.push(`${head}${values.join(",\n")};`);
      values = [];
      size = head.length;
    }
    values.push(tuple);
    size += tuple.length + 2;
  }
  if (values.length > 0) statements.push(`${head}${values.join(",\n")};`);
  return statements;
}

export const seedUserId = (index: number) => `usr_bench${String(index).padStart(6, "0")}`;
export const seedTenantId = (index: number) => `tnt_bench${String(index).padStart(5, "0")}`;
export const seedUserEmail = (index: number) => `member${index}@bench.example`;

type SeedRole = "OPERATOR" | "CONTRACTOR" | "CLIENT_USER";

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

function roleOf(index: number): SeedRole {
  const bucket = index % 10;
  return bucket < 6 ? "OPERATOR" : bucket < 8 ? "CONTRACTOR" : "CLIENT_USER";
}

/** Active accounts that can sign in: a known password's hash and a TOTP secret the benchmark keeps. */
export interface SignInAccount {
  id: string;
  email: string;
  totpSecret: string;
}

function signInAccountRows(accounts: SignInAccount[], now: number, passwordHash: string) {
  return accounts.map((account, index) => {
    const createdAt = now - 3_600_000 + index;
    const name = `Member ${index}`;
    // The state completeSetup leaves (minus recovery codes, which sign-in with TOTP never reads).
    return [
      account.id,
      account.email,
      "Pool",
      name,
      `Pool ${name}`,
      "OPERATOR",
      passwordHash,
      account.totpSecret,
      createdAt,
      null,
      null,
      null,
      null,
      null,
      createdAt,
      createdAt,
    ];
  });
}

function userRows(shape: SeedShape, now: number, passwordHash: string) {
  return Array.from({ length: shape.userCount }, (_, index) => {
    const firstName = firstNames[index % firstNames.length] as string;
    const lastName = `${lastNames[Math.floor(index / firstNames.length) % lastNames.length]}${index}`;
    const createdAt = now - 730 * dayMs + index * Math.floor((720 * dayMs) / shape.userCount);
    const bucket = index % 100;
    const pending = bucket >= 95 && bucket < 99;
    const deactivated = bucket === 99;
    return [
      seedUserId(index),
      seedUserEmail(index),
      firstName,
      lastName,
      `${firstName} ${lastName}`,
      roleOf(index),
      pending ? null : passwordHash,
      pending ? null : encodeBase32UpperCaseNoPadding(crypto.getRandomValues(new Uint8Array(20))),
      pending ? null : createdAt + dayMs,
      deactivated ? createdAt + 30 * dayMs : null,
      pending ? null : createdAt + 2 * dayMs,
      // Pending users hold an expired link (a random hash nobody has the token for).
      pending ? randomHex(32) : null,
      pending ? createdAt + 7 * dayMs : null,
      pending ? "invite" : null,
      createdAt,
      createdAt,
    ];
  });
}

function tenantRows(shape: SeedShape, now: number) {
  return Array.from({ length: shape.tenantCount }, (_, index) => {
    const word = companyWords[index % companyWords.length] as string;
    const name = index === 0 ? "Globex Corporation" : `${word} ${String(index).padStart(4, "0")}`;
    const slug = index === 0 ? largeTenantSlug : `${word.toLowerCase()}-${String(index).padStart(4, "0")}`;
    const createdAt = now - 700 * dayMs + index * dayMs;
    return [seedTenantId(index), name, slug, `${name}, seeded for the benchmark.`, createdAt, createdAt];
  });
}

/** Tenant of the user's k-th membership: distinct per user; tenant 0 only for the first members. */
function tenantIndexOf(shape: SeedShape, userIndex: number, slot: number): number {
  if (slot === 0 && userIndex < shape.largeTenantMembers) return 0;
  const others = shape.tenantCount - 1;
  return 1 + ((userIndex * 7 + slot * Math.floor(others / shape.membershipsPerUser)) % others);
}

function membershipRole(role: SeedRole, userIndex: number, slot: number): string {
  const full = (userIndex + slot) % 3 !== 0;
  if (role === "CLIENT_USER") return full ? "CLIENT_VIEWER" : "CLIENT_ADMIN";
  return full ? "OPERATOR_FULL" : "OPERATOR_READONLY";
}

function membershipRows(shape: SeedShape, now: number) {
  const rows: Array<Array<string | number | null>> = [];
  for (let userIndex = 0; userIndex < shape.userCount; userIndex++) {
    const role = roleOf(userIndex);
    for (let slot = 0; slot < shape.membershipsPerUser; slot++) {
      const serial = rows.length;
      // A tenth expire within the next 7 days (spread over the week); contractors' others later.
      const expiresAt =
        serial % 10 === 0
          ? now + 3_600_000 + ((serial * 7919) % (7 * dayMs - 3_600_000))
          : role === "CONTRACTOR"
            ? now + (30 + (serial % 150)) * dayMs
            : null;
      const createdAt = now - 365 * dayMs + (serial % 360) * dayMs;
      rows.push([
        `mbr_bench${String(serial).padStart(7, "0")}`,
        seedUserId(userIndex),
        seedTenantId(tenantIndexOf(shape, userIndex, slot)),
        membershipRole(role, userIndex, slot),
        expiresAt,
        createdAt,
        createdAt,
      ]);
    }
  }
  return rows;
}

export interface SeedHashes {
  /** A real argon2id hash of a password nobody is told: seeded users look real but cannot sign in. */
  unusable: string;
  /** The hash of the password the sign-in accounts share. */
  signIn: string;
}

/** The seed as multi-row INSERT statements (also used by the query-budget tests to grow their data). */
export function buildSeedStatements(
  shape: SeedShape,
  now: number,
  hashes: SeedHashes,
  signInAccounts: SignInAccount[] = [],
): string[] {
  return [
    ...insertStatements(
      "tenants",
      ["id", "name", "slug", "description", "created_at", "updated_at"],
      tenantRows(shape, now),
    ),
    ...insertStatements(
      "users",
      [
        "id",
        "email",
        "first_name",
        "last_name",
        "display_name",
        "role",
        "password_hash",
        "totp_secret",
        "activated_at",
        "deactivated_at",
        "last_login_at",
        "setup_token_hash",
        "setup_token_expires_at",
        "setup_purpose",
        "created_at",
        "updated_at",
      ],
      [...userRows(shape, now, hashes.unusable), ...signInAccountRows(signInAccounts, now, hashes.signIn)],
    ),
    ...insertStatements(
      "memberships",
      ["id", "user_id", "tenant_id", "role", "expires_at", "created_at", "updated_at"],
      membershipRows(shape, now),
    ),
  ];
}

/** The seed as SQL text for `wrangler d1 execute --file`. */
export function buildSeedSql(
  shape: SeedShape,
  now: number,
  hashes: SeedHashes,
  signInAccounts: SignInAccount[],
): string {
  return `${buildSeedStatements(shape, now, hashes, signInAccounts).join("\n")}\n`;
}
