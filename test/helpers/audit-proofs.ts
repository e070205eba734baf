// Reading the verifiable audit log back in tests: every leaf hash in leaf order, recomputed from
// the rows (to evaluate RFC 9162's reference definitions over), and the tlog-proof text split up.
import { auditEvents } from "../../src/db/schema";
import type { AuditEventRow } from "../../src/domain/audit/audit-log";
import { computeLeafHash } from "../../src/domain/audit/audit-tree";
import type { TestClock } from "./clock";
import { testContext } from "./factories";
import { rawDb } from "./store";

/** Leaf hashes of the first `size` leaves (all when left out), each recomputed from its row. */
export async function sequencedLeafHashes(clock: TestClock, size?: number): Promise<Uint8Array[]> {
  const rows: AuditEventRow[] = await testContext(clock).db.select().from(auditEvents);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const leaves = await rawDb
    .prepare("SELECT event_id FROM audit_leaves ORDER BY leaf_index")
    .all<{ event_id: number }>();
  const events = leaves.results.slice(0, size).map((leaf) => byId.get(leaf.event_id));
  return Promise.all(
    events.map((event) => {
      if (!event) throw new Error("a leaf without its event");
      return computeLeafHash(event);
    }),
  );
}

/** c2sp.org/tlog-proof@v1 text → its index, path and checkpoint (the note verbatim). */
export function parseTlogProof(text: string): { index: number; path: string[]; checkpoint: string } {
  const blank = text.indexOf("\n\n");
  const [header, indexLine, ...path] = text.slice(0, blank).split("\n");
  if (header !== "c2sp.org/tlog-proof@v1" || !indexLine?.startsWith("index ")) {
    throw new Error(`not a tlog-proof: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { index: Number(indexLine.slice("index ".length)), path, checkpoint: text.slice(blank + 2) };
}
