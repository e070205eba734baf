// `npm run db:migrate:libsql`: applies migrations/ to a libSQL database (Turso, a self-hosted
// libSQL server, or a local file) with drizzle's libSQL migrator. It reads the same SQL files that
// wrangler applies to D1, in the order of migrations/meta/_journal.json, one statement per
// `--> statement-breakpoint`, including the custom 0001 (audit triggers, batch guard, seed rows).
// All pending migrations run in one transaction; applied ones are recorded in the table
// __drizzle_migrations, so running it again applies only what is new.
//
//   LIBSQL_URL=libsql://<db>-<org>.turso.io LIBSQL_AUTH_TOKEN=<token> npm run db:migrate:libsql
//   LIBSQL_URL=file:local.db npm run db:migrate:libsql
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "../migrations");

export async function migrateLibsql(client: Client): Promise<void> {
  await migrate(drizzle(client), { migrationsFolder });
}

async function main(): Promise<void> {
  const url = process.env.LIBSQL_URL;
  if (!url) throw new Error('Set LIBSQL_URL (and LIBSQL_AUTH_TOKEN for Turso): see README "Using libSQL / Turso"');
  const client = createClient({ url, authToken: process.env.LIBSQL_AUTH_TOKEN || undefined });
  try {
    await migrateLibsql(client);
    const applied = await client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
    console.log(`gatehouse: ${url.split("?")[0]} is up to date (${applied.rows[0]?.n} migrations applied in all).`);
  } finally {
    client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    // drizzle wraps driver errors as "Failed query: <sql> params: …": the driver's message says what went wrong.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    console.error(`gatehouse: migration failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    process.exit(1);
  });
}
