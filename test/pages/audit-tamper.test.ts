// The auditor's walk (docs/AUDIT.md "The auditor's steps"), with the database tampered with by
// hand the way someone with access to it could: the append-only triggers dropped, then a row
// edited, a row deleted, two rows' contents swapped. Each time a complete JSON export, checked by
// the offline verifier (scripts/audit-verify.ts) with the published key, names the exact row at
// once, and an untouched log keeps verifying against the checkpoint the auditor kept before.
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyExport } from "../../scripts/audit-verify";
import { Agent } from "../helpers/agent";
import { testActor, writeAuditEvent } from "../helpers/audit";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

const clock = new TestClock("2026-11-30T08:00:00Z");
const app = createTestApp(clock);

beforeAll(async () => {
  await env.DB.prepare("DROP TRIGGER audit_events_refuse_update").run();
  await env.DB.prepare("DROP TRIGGER audit_events_refuse_delete").run();
});

afterAll(async () => {
  await env.DB.prepare(
    "CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
  ).run();
  await env.DB.prepare(
    "CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
  ).run();
});

/** The published key, as an auditor fetches it once and keeps it. */
async function publishedKeys(): Promise<string[]> {
  const response = await new Agent(app).get("/.well-known/gatehouse-audit-keys");
  expect(response.status).toBe(200);
  return (await response.text()).split("\n").filter(Boolean);
}

async function exportAndVerify(agent: Awaited<ReturnType<typeof signInAs>>, previous?: string) {
  const response = await agent.get("/admin/audit/export.json");
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(200);
  const body = JSON.parse(text) as { checkpoint: string; rows: Array<{ id: number; leaf_index: number | null }> };
  const report = await verifyExport(text, { keys: await publishedKeys(), previous });
  return { body, report };
}

async function writeEvents(count: number): Promise<number[]> {
  const actor = testActor("Tess Tamper");
  for (let index = 0; index < count; index++) {
    await writeAuditEvent(`2026-11-29T10:${String(index).padStart(2, "0")}:00Z`, actor, {
      action: "tenant.updated",
      target: { type: "tenant", id: `tnt_${index}`, label: `Tenant ${index}` },
      details: { index },
    });
  }
  const rows = await env.DB.prepare("SELECT id FROM audit_events WHERE actor_name = 'Tess Tamper' ORDER BY id")
    .all<{ id: number }>()
    .then((result) => result.results.map((row) => row.id));
  return rows.slice(-count);
}

describe("the auditor's walk against a tampered database", () => {
  it("verifies an untouched log, then names at once a row edited, a row deleted and two rows swapped behind the triggers' back", async () => {
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const agent = await signInAs(app, clock, admin);
    const ids = await writeEvents(8);

    const first = await exportAndVerify(agent);
    expect(first.report.exitCode, first.report.lines.join("\n")).toBe(0);
    expect(first.report.lines.at(-1)).toContain("complete export");
    const kept = first.body.checkpoint;
    const leafOf = new Map(first.body.rows.map((row) => [row.id, row.leaf_index]));

    // Untouched since: the next export extends the checkpoint the auditor kept.
    const second = await exportAndVerify(agent, kept);
    expect(second.report.exitCode, second.report.lines.join("\n")).toBe(0);

    const idAt = (index: number): number => {
      const id = ids[index];
      if (id === undefined) throw new Error(`no event ${index}`);
      return id;
    };
    const [edited, deleted, swapA, swapB] = [idAt(1), idAt(3), idAt(5), idAt(6)];
    await env.DB.prepare("UPDATE audit_events SET actor_name = 'Someone Else' WHERE id = ?").bind(edited).run();
    const afterEdit = await exportAndVerify(agent, kept);
    expect(afterEdit.report.exitCode).toBe(1);
    expect(afterEdit.report.lines[0]).toBe(
      `row ${edited} (leaf ${leafOf.get(edited)}): its inclusion proof does not lead to the checkpoint's root hash: the row or its proof was changed`,
    );
    await env.DB.prepare("UPDATE audit_events SET actor_name = 'Tess Tamper' WHERE id = ?").bind(edited).run();

    const deletedRow = await env.DB.prepare("SELECT * FROM audit_events WHERE id = ?").bind(deleted).first();
    await env.DB.prepare("DELETE FROM audit_events WHERE id = ?").bind(deleted).run();
    const afterDelete = await exportAndVerify(agent, kept);
    expect(afterDelete.report.exitCode).toBe(1);
    expect(afterDelete.report.lines[0]).toBe(
      `leaf ${leafOf.get(deleted)} is missing between rows ${deleted - 1} and ${deleted + 1}: a row was deleted`,
    );
    if (!deletedRow) throw new Error("no row to put back");
    const columns = Object.keys(deletedRow);
    await env.DB.prepare(
      `INSERT INTO audit_events (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    )
      .bind(...columns.map((column) => deletedRow[column]))
      .run();

    // Reordered: each of two rows takes the other's time, target and details.
    const pair = await env.DB.prepare(
      "SELECT id, at, target_id, target_label, details FROM audit_events WHERE id IN (?, ?) ORDER BY id",
    )
      .bind(swapA, swapB)
      .all<{ id: number; at: number; target_id: string; target_label: string; details: string }>();
    const [rowA, rowB] = pair.results;
    if (!rowA || !rowB) throw new Error("rows to swap are missing");
    await env.DB.batch(
      [
        [rowA, rowB],
        [rowB, rowA],
      ].map(([row, other]) =>
        env.DB.prepare(
          "UPDATE audit_events SET at = ?, target_id = ?, target_label = ?, details = ? WHERE id = ?",
        ).bind(other?.at, other?.target_id, other?.target_label, other?.details, row?.id),
      ),
    );
    const afterSwap = await exportAndVerify(agent, kept);
    expect(afterSwap.report.exitCode).toBe(1);
    // Newest first: the later of the two is the first row the verifier reads; its neighbour's
    // proof fails too, so both are named.
    expect(afterSwap.report.lines[0]).toBe(
      `rows ${swapB} and ${swapA} (leaves ${leafOf.get(swapB)} and ${leafOf.get(swapA)}): neither proof leads to the checkpoint's root hash: both rows were changed (swapped, say), or one of them together with the leaf hash stored for it`,
    );
  });
});
