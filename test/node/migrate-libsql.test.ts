// `npm run db:migrate:libsql` (scripts/migrate-libsql.ts) on a fresh libSQL database: the same
// migrations/ that wrangler applies to D1, recorded so that a second run applies nothing.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { migrateLibsql, migrationsFolder } from "../../scripts/migrate-libsql";

const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};
const cleanups: Array<() => void> = [];

function freshDatabase(): { url: string; client: Client } {
  const directory = mkdtempSync(join(tmpdir(), "gatehouse-migrate-"));
  const url = `file:${join(directory, "fresh.db")}`;
  const client = createClient({ url });
  cleanups.push(() => {
    client.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return { url, client };
}

/** migrations/ as it was before the migration `tag`: the earlier files and a journal that ends before it. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), "gatehouse-migrations-"));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  cpSync(migrationsFolder, folder, { recursive: true });
  const entries = (journal.entries as Array<{ tag: string }>).filter((entry) => entry.tag < tag);
  writeFileSync(join(folder, "meta/_journal.json"), JSON.stringify({ ...journal, entries }));
  return folder;
}

async function schemaOf(client: Client) {
  const result = await client.execute(
    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
  );
  return result.rows.map((row) => `${row.type} ${row.name}`);
}

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe("npm run db:migrate:libsql", () => {
  it("applies every migration with its triggers and seed rows, once", async () => {
    const { client } = freshDatabase();

    await migrateLibsql(client);
    const schema = await schemaOf(client);
    await migrateLibsql(client);

    expect(schema).toEqual(expect.arrayContaining(["table audit_events", "table users", "table __drizzle_migrations"]));
    expect(schema).toEqual(
      expect.arrayContaining([
        "trigger audit_events_refuse_delete",
        "trigger audit_events_refuse_update",
        "trigger batch_guards_check",
      ]),
    );
    expect(await schemaOf(client)).toEqual(schema);
    const applied = await client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
    expect(applied.rows[0]?.n).toBe(journal.entries.length);
    const groups = await client.execute("SELECT count(*) AS n FROM access_groups WHERE id = 'grp_readonly_auditor'");
    expect(groups.rows[0]?.n).toBe(1);
    await client.execute(
      "INSERT INTO audit_events (at, action, actor_kind, actor_name, details) VALUES (0, 'test.row', 'system', 'test', '{}')",
    );
    await expect(client.execute("UPDATE audit_events SET action = 'tampered'")).rejects.toThrow(/append-only/);
    await expect(client.execute("DELETE FROM audit_events")).rejects.toThrow(/append-only/);
  });

  it("upgrades an audit log written before actor_kind: each row gets its kind and the log stays append-only", async () => {
    const { client } = freshDatabase();
    await migrate(drizzle(client), { migrationsFolder: migrationsBefore("0005_audit_actor_kind") });
    await client.execute(`INSERT INTO audit_events (at, action, actor_id, actor_name, actor_email, details) VALUES
      (1, 'membership.expired', NULL, 'Gatehouse (system)', NULL, '{}'),
      (2, 'session.sign_in_failed', NULL, 'anonymous', 'who@example.test', '{}'),
      (3, 'session.signed_in', 'usr_ada', 'Ada', 'ada@example.test', '{}'),
      (4, 'user.updated', 'usr_ada', 'Ada', 'ada@example.test', '{}')`);

    await migrateLibsql(client);

    const rows = await client.execute("SELECT id, actor_kind FROM audit_events ORDER BY id");
    expect(rows.rows.map((row) => [row.id, row.actor_kind])).toEqual([
      [1, "system"],
      [2, "anonymous"],
      [3, "account"],
      [4, "user"],
    ]);
    await expect(client.execute("UPDATE audit_events SET actor_kind = 'user'")).rejects.toThrow(/append-only/);
    await expect(client.execute("DELETE FROM audit_events")).rejects.toThrow(/append-only/);
    const applied = await client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
    expect(applied.rows[0]?.n).toBe(journal.entries.length);
  });

  it("runs as a command against LIBSQL_URL", { timeout: 30_000 }, async () => {
    const { url, client } = freshDatabase();

    const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", ["scripts/migrate-libsql.ts"], {
      env: { ...process.env, LIBSQL_URL: url },
    });

    expect(stdout).toContain(`is up to date (${journal.entries.length} migrations applied in all)`);
    expect(await schemaOf(client)).toContain("trigger batch_guards_check");
  });
});
