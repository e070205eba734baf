// The verifiable audit log's tree on the store under test (docs/AUDIT.md "Verifying the log"):
// the sequencer's incremental tree against RFC 9162's definitions evaluated from every leaf,
// compare-and-set between sequencers, checkpoints in the C2SP formats, proofs, and key rotation.
import { decodeBase64, encodeBase64 } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { createDbFromEnv } from "../../../src/db/connect";
import { auditEvents } from "../../../src/db/schema";
import { insertAuditEvent } from "../../../src/domain/audit/audit";
import type { AuditEventRow } from "../../../src/domain/audit/audit-log";
import {
  computeLeafHash,
  proveConsistency,
  proveEventInclusion,
  proveInclusions,
  readCheckpoint,
  sealCheckpoint,
  sequenceAuditEvents,
  sequenceAuditLog,
} from "../../../src/domain/audit/audit-tree";
import { testActor } from "../../helpers/audit";
import {
  otherSignerKey,
  otherVerifierKey,
  referenceConsistency,
  referencePath,
  referenceRoot,
  testVerifierKey,
} from "../../helpers/audit-log";
import { TestClock } from "../../helpers/clock";
import { testContext } from "../../helpers/factories";
import { env, rawDb } from "../../helpers/store";

async function writeEvents(clock: TestClock, count: number): Promise<void> {
  const ctx = testContext(clock, testActor());
  for (let i = 0; i < count; i++) {
    await insertAuditEvent(ctx, {
      action: "tenant.updated",
      target: { type: "tenant", id: `ten_${i}`, label: `Tenant ${i} “quoted” ü` },
      details: { round: i, nested: { b: 1, a: [true, null, 1.5] } },
    });
  }
}

async function sequencedLeafHashes(): Promise<Uint8Array[]> {
  const db = createDbFromEnv(env);
  const rows: AuditEventRow[] = await db.select().from(auditEvents).orderBy(auditEvents.id);
  const leaves = await rawDb
    .prepare("SELECT leaf_index, event_id FROM audit_leaves ORDER BY leaf_index")
    .all<{ leaf_index: number; event_id: number }>();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return Promise.all(
    leaves.results.map((leaf) => {
      const row = byId.get(leaf.event_id);
      if (!row) throw new Error(`leaf ${leaf.leaf_index} has no event`);
      return computeLeafHash(row);
    }),
  );
}

function parseSignedNote(note: string) {
  const [text, signatures] = note.split("\n\n");
  return { text: `${text}\n`, signatureLines: (signatures ?? "").split("\n").filter(Boolean) };
}

/** Checks an Ed25519 signed-note signature with WebCrypto from the verifier key's text alone. */
async function verifiesWith(note: string, verifierKey: string): Promise<boolean> {
  const [name, hash] = verifierKey.split("+", 2);
  const key = decodeBase64(verifierKey.slice(`${name}+${hash}+`.length));
  const publicKey = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
  const { text, signatureLines } = parseSignedNote(note);
  for (const line of signatureLines) {
    const [dash, signer, encoded] = line.split(" ");
    if (dash !== "\u2014" || signer !== name || !encoded) continue;
    const bytes = decodeBase64(encoded);
    if (Array.from(bytes.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("") !== hash) continue;
    return crypto.subtle.verify({ name: "Ed25519" }, publicKey, bytes.slice(4), new TextEncoder().encode(text));
  }
  return false;
}

describe("the audit log's tree", () => {
  it("appends every event once, in id order, and its root is RFC 9162's MTH of the leaves", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    const before = await sequenceAuditLog(ctx, 10);
    await writeEvents(clock, 37);
    const first = await sequenceAuditEvents(ctx, 20);
    expect(first).toEqual({ appended: 20, size: before.size + 20, lostRace: false });
    const rest = await sequenceAuditLog(ctx, 10);
    expect(rest.size).toBe(before.size + 37);
    const leafHashes = await sequencedLeafHashes();
    expect(leafHashes).toHaveLength(rest.size);
    const checkpoint = await sealCheckpoint(ctx);
    expect(checkpoint?.rootHash).toBe(encodeBase64(await referenceRoot(leafHashes)));
    const ids = await rawDb
      .prepare("SELECT event_id FROM audit_leaves ORDER BY leaf_index")
      .all<{ event_id: number }>();
    const eventIds = await rawDb.prepare("SELECT id FROM audit_events ORDER BY id").all<{ id: number }>();
    expect(ids.results.map((row) => row.event_id)).toEqual(eventIds.results.map((row) => row.id));
  });

  it("lets one of two sequencers running at once append, and skips no event", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    await sequenceAuditLog(ctx, 10);
    await writeEvents(clock, 12);
    const runs = await Promise.all([sequenceAuditEvents(ctx), sequenceAuditEvents(ctx), sequenceAuditEvents(ctx)]);
    await sequenceAuditLog(ctx, 10);
    expect(runs.reduce((total, run) => total + run.appended, 0)).toBeLessThanOrEqual(12);
    const counts = await rawDb
      .prepare(
        "SELECT (SELECT count(*) FROM audit_leaves) AS leaves, (SELECT count(DISTINCT event_id) FROM audit_leaves) AS distinct_events, (SELECT count(*) FROM audit_events) AS events, (SELECT size FROM audit_tree) AS size",
      )
      .first<{ leaves: number; distinct_events: number; events: number; size: number }>();
    expect(counts).toEqual({
      leaves: counts?.events,
      distinct_events: counts?.events,
      events: counts?.events,
      size: counts?.events,
    });
  });

  it("seals a checkpoint in the C2SP formats, signed by the configured key, and none again until the tree grows", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    await writeEvents(clock, 3);
    await sequenceAuditLog(ctx, 10);
    const checkpoint = await sealCheckpoint(ctx);
    if (!checkpoint) throw new Error("no checkpoint");
    const lines = checkpoint.signedNote.split("\n");
    expect(lines[0]).toBe("gatehouse.test/audit");
    expect(lines[1]).toBe(String(checkpoint.treeSize));
    expect(lines[2]).toBe(checkpoint.rootHash);
    expect(lines[3]).toBe("");
    expect(lines[4]).toMatch(/^\u2014 gatehouse\.test\/audit [A-Za-z0-9+/]{91}=$/);
    expect(lines.slice(5)).toEqual([""]);
    expect(await verifiesWith(checkpoint.signedNote, testVerifierKey)).toBe(true);
    expect(await verifiesWith(checkpoint.signedNote, otherVerifierKey)).toBe(false);
    clock.advanceSeconds(300);
    expect(await sealCheckpoint(testContext(clock))).toEqual(checkpoint);
  });

  it("proves every leaf's inclusion and every pair of sizes consistent exactly as RFC 9162 defines them", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    await writeEvents(clock, 13);
    const { size } = await sequenceAuditLog(ctx, 10);
    const leafHashes = await sequencedLeafHashes();
    for (const treeSize of [1, 2, 3, 7, 8, 9, size - 1, size]) {
      const indexes = Array.from({ length: treeSize }, (_, i) => i);
      const paths = await proveInclusions(ctx, indexes, treeSize);
      for (const index of indexes) {
        expect(paths.get(index)).toEqual(await referencePath(index, leafHashes.slice(0, treeSize)));
      }
    }
    for (let to = 2; to <= Math.min(size, 20); to++) {
      for (let from = 1; from <= to; from++) {
        const proof = await proveConsistency(ctx, from, to);
        expect(proof.proof).toEqual(await referenceConsistency(from, leafHashes.slice(0, to)));
        expect(proof.fromRoot).toBe(encodeBase64(await referenceRoot(leafHashes.slice(0, from))));
        expect(proof.toRoot).toBe(encodeBase64(await referenceRoot(leafHashes.slice(0, to))));
      }
    }
  });

  it("answers an event's inclusion proof in the tlog-proof form against the checkpoint, and pending before its leaf exists", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    await writeEvents(clock, 5);
    await sequenceAuditLog(ctx, 10);
    const checkpoint = await sealCheckpoint(ctx);
    const leaf = await rawDb
      .prepare("SELECT leaf_index, event_id FROM audit_leaves ORDER BY leaf_index DESC LIMIT 1 OFFSET 2")
      .first<{ leaf_index: number; event_id: number }>();
    if (!leaf || !checkpoint) throw new Error("nothing sequenced");
    const answer = await proveEventInclusion(ctx, leaf.event_id, null);
    const path = await referencePath(leaf.leaf_index, await sequencedLeafHashes());
    expect(answer.proof).toBe(
      ["c2sp.org/tlog-proof@v1", `index ${leaf.leaf_index}`, ...path, "", checkpoint.signedNote].join("\n"),
    );
    await writeEvents(clock, 1);
    const pending = await rawDb.prepare("SELECT max(id) AS id FROM audit_events").first<{ id: number }>();
    await expect(proveEventInclusion(ctx, pending?.id ?? 0, null)).rejects.toThrow(/pending/);
    await expect(readCheckpoint(ctx, 999_999)).rejects.toThrow(/No checkpoint of tree size 999999/);
  });

  it("keeps a checkpoint signed by an earlier key verifiable after a rotation, and proves the later tree consistent with it", async () => {
    const clock = new TestClock();
    const oldKeyCtx = {
      ...testContext(clock),
      config: { ...testContext(clock).config, AUDIT_SIGNING_KEYS: otherSignerKey },
    };
    await writeEvents(clock, 4);
    await sequenceAuditLog(oldKeyCtx, 10);
    const before = await sealCheckpoint(oldKeyCtx);
    // Rotation: the new key signs, the old one is listed after it in its verifier form.
    const rotatedCtx = {
      ...testContext(clock),
      config: {
        ...testContext(clock).config,
        AUDIT_SIGNING_KEYS: `${testContext(clock).config.AUDIT_SIGNING_KEYS},${otherVerifierKey}`,
      },
    };
    await writeEvents(clock, 3);
    await sequenceAuditLog(rotatedCtx, 10);
    const after = await sealCheckpoint(rotatedCtx);
    if (!before || !after) throw new Error("no checkpoints");
    expect(await verifiesWith(before.signedNote, otherVerifierKey)).toBe(true);
    expect(await verifiesWith(after.signedNote, testVerifierKey)).toBe(true);
    const proof = await proveConsistency(rotatedCtx, before.treeSize, after.treeSize);
    expect(proof.fromRoot).toBe(before.rootHash);
    expect(proof.toRoot).toBe(after.rootHash);
    expect(proof.proof).toEqual(await referenceConsistency(before.treeSize, await sequencedLeafHashes()));
  });
});
