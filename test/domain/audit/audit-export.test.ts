// The verifiable export on the store under test (docs/AUDIT.md "Export"): it records itself, seals a
// checkpoint that covers its own event, streams across keyset pages as one valid document, leaves
// out rows written after its checkpoint, and proves consistency from an earlier size.
import { describe, expect, it } from "vitest";
import { insertAuditEvent } from "../../../src/domain/audit/audit";
import { streamAuditCsv } from "../../../src/domain/audit/audit-csv";
import { sealAuditExport, streamAuditJson } from "../../../src/domain/audit/audit-export";
import { sequenceAuditLog } from "../../../src/domain/audit/audit-tree";
import { AppError } from "../../../src/errors";
import { parseCsv, testActor } from "../../helpers/audit";
import { referenceConsistency, referencePath } from "../../helpers/audit-log";
import { parseTlogProof, sequencedLeafHashes } from "../../helpers/audit-proofs";
import { TestClock } from "../../helpers/clock";
import { testContext } from "../../helpers/factories";
import { rawDb } from "../../helpers/store";

async function writeEvents(clock: TestClock, count: number, label = "Tenant") {
  const ctx = testContext(clock, testActor());
  for (let i = 0; i < count; i++) {
    await insertAuditEvent(ctx, {
      action: "tenant.updated",
      target: { type: "tenant", id: `ten_${i}`, label: `${label} ${i} “quoted” ü` },
      details: { round: i, nested: { b: 1, a: [true, null, 1.5] } },
    });
  }
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    text += decoder.decode(result.value, { stream: true });
    chunks += 1;
  }
  return { text, chunks };
}

async function eventIds(): Promise<number[]> {
  const rows = await rawDb.prepare("SELECT id FROM audit_events ORDER BY id DESC").all<{ id: number }>();
  return rows.results.map((row) => row.id);
}

describe("the audit export", () => {
  it("records itself first, so the checkpoint it seals covers its own event", async () => {
    const clock = new TestClock();
    await writeEvents(clock, 3);
    const ctx = testContext(clock, testActor("Exporting Ed"));
    const sealed = await sealAuditExport(ctx, { filter: {}, format: "JSON", consistencyFrom: null });
    const [newest] = await eventIds();
    expect(sealed.checkpoint.lastEventId).toBe(newest);
    const row = await rawDb
      .prepare("SELECT action, target_label FROM audit_events WHERE id = ?")
      .bind(newest)
      .first<{ action: string; target_label: string }>();
    expect(row).toEqual({ action: "audit.exported", target_label: "audit log (JSON)" });
  });

  it("refuses, before recording anything, an export of more rows than one request can read, and takes a narrower one", async () => {
    const clock = new TestClock();
    await writeEvents(clock, 4);
    const ctx = testContext(clock, testActor("Exporting Ed"));
    const before = await eventIds();
    await expect(sealAuditExport(ctx, { filter: {}, format: "CSV", consistencyFrom: null }, 3)).rejects.toThrow(
      "This export would hold more than 3 rows, more than one request can read with their proofs: export the log in parts, with From and Before.",
    );
    expect(await eventIds()).toEqual(before);
    const narrow = { from: new Date(clock.now().getTime() + 1) };
    const sealed = await sealAuditExport(ctx, { filter: narrow, format: "CSV", consistencyFrom: null }, 3);
    expect(sealed.checkpoint.treeSize).toBeGreaterThan(0);
  });

  it("streams pages as one JSON document, newest first, and leaves out rows written after its checkpoint", async () => {
    const clock = new TestClock();
    await writeEvents(clock, 7);
    const ctx = testContext(clock, testActor());
    const sealed = await sealAuditExport(ctx, { filter: {}, format: "JSON", consistencyFrom: null });
    await writeEvents(clock, 2, "Later");
    const { text, chunks } = await readText(streamAuditJson(ctx, sealed, 3));
    const body = JSON.parse(text) as { rows: Array<{ id: number; leaf_index: number; proof: string }> };
    const covered = (await eventIds()).filter((id) => id <= sealed.checkpoint.lastEventId);
    expect(body.rows.map((row) => row.id)).toEqual(covered);
    expect(chunks).toBeGreaterThan(covered.length / 3);
    const leafHashes = await sequencedLeafHashes(clock, sealed.checkpoint.treeSize);
    for (const row of body.rows.slice(0, 5)) {
      const proof = parseTlogProof(row.proof);
      expect(proof.index).toBe(row.leaf_index);
      expect(proof.path).toEqual(await referencePath(row.leaf_index, leafHashes));
    }
  });

  it("streams the same rows as CSV records of 17 cells across pages", async () => {
    const clock = new TestClock();
    await writeEvents(clock, 5);
    const ctx = testContext(clock, testActor());
    const sealed = await sealAuditExport(ctx, {
      filter: { action: "tenant.updated" },
      format: "CSV",
      consistencyFrom: null,
    });
    const { text } = await readText(streamAuditCsv(ctx, sealed, 2));
    const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ""));
    expect(header?.slice(-3)).toEqual(["leaf_index", "leaf", "proof"]);
    expect(records.length).toBeGreaterThanOrEqual(5);
    expect(records.every((record) => record.length === 17 && record[2] === "tenant.updated")).toBe(true);
    expect(records.every((record) => record[16]?.endsWith(sealed.checkpoint.signedNote))).toBe(true);
  });

  it("proves consistency from an earlier size, empty from 0 and from its own size, and refuses a larger one", async () => {
    const clock = new TestClock();
    await writeEvents(clock, 4);
    const ctx = testContext(clock, testActor());
    const { size: from } = await sequenceAuditLog(ctx, 100);
    await writeEvents(clock, 6);
    const sealed = await sealAuditExport(ctx, { filter: {}, format: "JSON", consistencyFrom: from });
    const size = sealed.checkpoint.treeSize;
    expect(sealed.consistency).toEqual({
      fromSize: from,
      toSize: size,
      proof: await referenceConsistency(from, await sequencedLeafHashes(clock, size)),
    });
    // Each export adds its own event, so the next one's checkpoint is one larger.
    const fromZero = await sealAuditExport(ctx, { filter: {}, format: "JSON", consistencyFrom: 0 });
    expect(fromZero.consistency).toEqual({ fromSize: 0, toSize: size + 1, proof: [] });
    const fromItself = await sealAuditExport(ctx, { filter: {}, format: "JSON", consistencyFrom: size + 2 });
    expect(fromItself.consistency).toEqual({ fromSize: size + 2, toSize: size + 2, proof: [] });
    const refused = await sealAuditExport(ctx, { filter: {}, format: "JSON", consistencyFrom: size + 99 }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "VALIDATION_FAILED", fieldErrors: [{ field: "consistencyFrom" }] });
  });
});
