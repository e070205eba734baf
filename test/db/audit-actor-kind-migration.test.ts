// Migration 0005 (audit rows gain actor_kind) on an audit log written before it, on D1 (project
// "d1") and on libSQL (project "libsql"): the table as migrations 0000 and 0001 made it is put back
// with rows of every sort, then 0005's statements run as one batch, as wrangler and drizzle's
// migrator run a migration.
import { describe, expect, it } from "vitest";
import initialSchema from "../../migrations/0000_initial_schema.sql?raw";
import appendOnlyTriggers from "../../migrations/0001_audit_append_only_and_guards.sql?raw";
import auditActorKind from "../../migrations/0005_audit_actor_kind.sql?raw";
import { rawDb, storeName } from "../helpers/store";

function statementsOf(migration: string): string[] {
  return migration
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
}

const legacyAuditTable = [
  ...statementsOf(initialSchema).filter((statement) => statement.includes("`audit_events`")),
  ...statementsOf(appendOnlyTriggers).filter((statement) => statement.includes("ON audit_events")),
];

const legacyColumns =
  "at, action, actor_id, actor_name, actor_email, target_type, target_id, target_label, tenant_id, details, ip, request_id";

// [action, actor_id, actor_name, actor_email] as the code before 0005 wrote them, and the kind 0005 must derive.
const legacyRows: Array<[string, string | null, string, string | null, string]> = [
  ["membership.expired", null, "Gatehouse (system)", null, "system"],
  ["user.invited", null, "Gatehouse (system)", null, "system"],
  ["session.sign_in_failed", null, "anonymous", "who@example.test", "anonymous"],
  ["session.account_locked", null, "anonymous", "who@example.test", "anonymous"],
  ["session.totp_replay_refused", null, "anonymous", "ada@example.test", "anonymous"],
  ["user.setup_completed", "usr_ada", "Ada", "ada@example.test", "account"],
  ["user.two_factor_enrolled", "usr_ada", "Ada", "ada@example.test", "account"],
  ["session.signed_in", "usr_ada", "Ada", "ada@example.test", "account"],
  ["session.recovery_code_used", "usr_ada", "Ada", "ada@example.test", "account"],
  ["session.signed_out", "usr_ada", "Ada", "ada@example.test", "user"],
  ["user.updated", "usr_bob", "Bob", "bob@example.test", "user"],
  // A person who named themselves like the system is still a person: the id decides.
  ["membership.revoked", "usr_eve", "Gatehouse (system)", "eve@example.test", "user"],
];

async function auditSchema() {
  const rows = await rawDb
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'audit_events' ORDER BY type, name")
    .all<{ type: string; name: string; sql: string }>();
  return rows.results;
}

describe(`migration 0005 on ${storeName}`, () => {
  it("gives every earlier audit row its actor kind, keeps every value and id, and the log stays append-only", async () => {
    const migratedSchema = await auditSchema();
    await rawDb.batch([
      rawDb.prepare("DROP TABLE audit_events"),
      ...legacyAuditTable.map((statement) => rawDb.prepare(statement)),
    ]);
    await rawDb.batch(
      legacyRows.map(([action, id, name, email], index) =>
        rawDb
          .prepare(
            `INSERT INTO audit_events (${legacyColumns}) VALUES (?, ?, ?, ?, ?, 'user', 'usr_target', 'Target', NULL, ?, '192.0.2.1', ?)`,
          )
          .bind(1_795_000_000_000 + index, action, id, name, email, JSON.stringify({ index }), `req-${index}`),
      ),
    );
    const before = await rawDb.prepare(`SELECT id, ${legacyColumns} FROM audit_events ORDER BY id`).all();
    expect(before.results).toHaveLength(legacyRows.length);

    await rawDb.batch(statementsOf(auditActorKind).map((statement) => rawDb.prepare(statement)));

    const after = await rawDb.prepare(`SELECT id, ${legacyColumns} FROM audit_events ORDER BY id`).all();
    expect(after.results).toEqual(before.results);
    const kinds = await rawDb
      .prepare("SELECT action, actor_kind FROM audit_events ORDER BY id")
      .all<{ action: string; actor_kind: string }>();
    expect(kinds.results).toEqual(legacyRows.map(([action, , , , kind]) => ({ action, actor_kind: kind })));
    expect(await auditSchema()).toEqual(migratedSchema);

    await expect(rawDb.prepare("UPDATE audit_events SET actor_kind = 'user'").run()).rejects.toThrow(/append-only/);
    await expect(rawDb.prepare("DELETE FROM audit_events").run()).rejects.toThrow(/append-only/);
    await expect(
      rawDb
        .prepare(
          `INSERT INTO audit_events (${legacyColumns}) VALUES (0, 'user.updated', NULL, 'x', NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL)`,
        )
        .run(),
    ).rejects.toThrow(/NOT NULL/);
    await rawDb
      .prepare(
        "INSERT INTO audit_events (at, action, actor_kind, actor_name, details) VALUES (0, 'user.updated', 'system', 'Gatehouse (system)', '{}')",
      )
      .run();
    const ids = await rawDb.prepare("SELECT id FROM audit_events ORDER BY id").all<{ id: number }>();
    const lastBefore = Number(before.results.at(-1)?.id);
    expect(ids.results.at(-1)?.id).toBe(lastBefore + 1);
    const kindsAfter = await rawDb
      .prepare("SELECT count(*) AS n FROM audit_events WHERE actor_kind = 'user'")
      .first<{ n: number }>();
    expect(kindsAfter?.n).toBe(legacyRows.filter((row) => row[4] === "user").length);
  });
});
