// The verifiable audit log (docs/AUDIT.md "Verifying the log"): the sequencer that turns audit
// events into leaves of the Merkle tree, the signed checkpoints, and the proofs.
// - SQL cannot hash, and an event is written in its change's batch, so leaves are appended after
//   the write: by the request's background work (http/event-delivery.ts) and by every cron run.
//   Two sequencers may run at once; the append is a compare-and-set on the tree's size, so one of
//   them wins and the other appends nothing. Events are read in id order after the last one the
//   tree holds: SQLite commits one write at a time and hands out AUTOINCREMENT ids in that order,
//   so none is skipped (the events API relies on the same, docs/EVENTS.md).
// - A checkpoint (c2sp.org/tlog-checkpoint) is the tree's size and root, signed as a note
//   (auth/signed-notes.ts). Sealing writes no audit event: it would make a new leaf to seal.
import { decodeBase64, encodeBase64, encodeHexLowerCase } from "@oslojs/encoding";
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import { type NoteKeys, parseNoteKeys, signNote } from "../../auth/signed-notes";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { jsonList } from "../../db/json-list";
import { auditCheckpoints, auditEvents, auditLeaves, auditTree, auditTreeNodes } from "../../db/schema";
import { requireAuditSigningKeys } from "../../env";
import { AppError } from "../../errors";
import type { DomainContext } from "../context";
import { eventFinding, recordFindings } from "./audit-findings";
import type { AuditEventRow } from "./audit-log";
import { type AuditLeafRow, encodeAuditLeaf, hashLeaf } from "./log-hashes";
import {
  appendLeaves,
  consistencyProofRanges,
  hashRange,
  inclusionPathRanges,
  isConsistent,
  type LeafRange,
  positionsOf,
  rootOfFrontier,
} from "./merkle-tree";

/** The last event the tree holds, as SQL (the caller's hint compares it with the newest event). */
export const sequencedUpToSql = sql<number>`(SELECT ${auditTree.lastEventId} FROM ${auditTree} WHERE ${auditTree.id} = 1)`;

/** Leaves one sequencer batch appends: 500 events hash in a few milliseconds and write in one batch. */
export const sequencerBatchSize = 500;

/** The audit row as its leaf encodes it (docs/AUDIT.md "The leaf"). */
export function toAuditLeafRow(row: AuditEventRow): AuditLeafRow {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    actor_kind: row.actorKind,
    actor_id: row.actorId,
    actor_name: row.actorName,
    actor_email: row.actorEmail,
    target_type: row.targetType,
    target_id: row.targetId,
    target_label: row.targetLabel,
    tenant_id: row.tenantId,
    ip: row.ip,
    request_id: row.requestId,
    details: row.details,
  };
}

export function computeLeafHash(row: AuditEventRow): Promise<Uint8Array> {
  return hashLeaf(encodeAuditLeaf(toAuditLeafRow(row)));
}

function parseFrontier(text: string): Uint8Array[] {
  return (JSON.parse(text) as string[]).map((hash) => decodeBase64(hash));
}

async function readTree(ctx: Pick<DomainContext, "db">) {
  const [tree] = await ctx.db.select().from(auditTree).where(eq(auditTree.id, 1));
  if (!tree) throw new Error("audit_tree has no row: migration 0010 was not applied");
  return tree;
}

/** `json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`: rows of two columns. */
function pairsOf(rows: Array<[number, number] | [number, string]>) {
  return sql`json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${JSON.stringify(rows)})`;
}

export interface SequencerRun {
  /** Leaves this run appended. */
  appended: number;
  /** The tree's size afterwards, as this run saw it. */
  size: number;
  /** Another sequencer appended first; this one wrote nothing. */
  lostRace: boolean;
}

/** What the sequencer needs: the store, and who records a finding (always Gatehouse). */
export type SequencerContext = Pick<DomainContext, "db" | "now" | "ip" | "requestId">;
/** What sealing needs besides: the keys, and KV, where the newest checkpoint is kept out of the database's reach. */
export type SealContext = SequencerContext & Pick<DomainContext, "kv" | "config">;

function asGatehouse(ctx: SequencerContext) {
  return { ...ctx, actor: { kind: "system" as const } };
}

/** Appends the next events (up to `limit`) as leaves, or nothing when another sequencer got there first. */
export async function sequenceAuditEvents(ctx: SequencerContext, limit = sequencerBatchSize): Promise<SequencerRun> {
  const run = await appendNextEvents(ctx, limit, null);
  return { appended: run.appended, size: run.size, lostRace: run.lostRace };
}

/**
 * Appends up to one batch of waiting events and seals the tree that makes, in one read and one
 * write, plus one read of the hashes that prove the tree still extends the newest checkpoint (a
 * request's "Seal now" and the exports stay within the query budget). Sealing writes no audit
 * event. When another sequencer appended first, this seals the tree as it then is.
 */
export async function sequenceAndSeal(ctx: SealContext): Promise<{ checkpoint: Checkpoint | null; sealed: boolean }> {
  const seal = { keys: await readAuditLogKeys(ctx), kv: ctx.kv };
  const run = await appendNextEvents(ctx, sequencerBatchSize, seal);
  // Another sequencer appended first: seal the tree it left (a limit of 0 appends nothing).
  const { checkpoint, sealed } = run.lostRace ? await appendNextEvents(ctx, 0, seal) : run;
  return { checkpoint, sealed };
}

interface AppendRun extends SequencerRun {
  checkpoint: Checkpoint | null;
  sealed: boolean;
}

/** The leaf hashes of the events up to the first that cannot be encoded (recorded as a finding: the log stops there). */
async function hashUntilUnreadable(ctx: SequencerContext, events: AuditEventRow[]) {
  const hashes: Uint8Array[] = [];
  for (const event of events) {
    try {
      hashes.push(await computeLeafHash(event));
    } catch {
      await recordFindings(asGatehouse(ctx), [eventFinding(event.id, null, "unreadable")]);
      break;
    }
  }
  return { hashes, appendable: events.slice(0, hashes.length) };
}

/**
 * Appends up to `limit` waiting events and, with `sealWith`, seals the tree that makes: one read
 * batch and one write batch (plus the hashes that prove the tree extends the newest checkpoint).
 */
async function appendNextEvents(
  ctx: SequencerContext,
  limit: number,
  sealWith: { keys: NoteKeys; kv: KVNamespace } | null,
): Promise<AppendRun> {
  const [trees, waiting, newest] = await ctx.db.batch([
    ctx.db.select().from(auditTree).where(eq(auditTree.id, 1)),
    ctx.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.id} > ${sequencedUpToSql}`)
      .orderBy(asc(auditEvents.id))
      .limit(limit),
    selectLatestCheckpoint(ctx),
  ]);
  const tree = trees[0];
  if (!tree) throw new Error("audit_tree has no row: migration 0010 was not applied");
  const latest = newest[0] ?? null;
  const { hashes, appendable: events } = await hashUntilUnreadable(ctx, waiting);
  const last = events.at(-1);
  const storedFrontier = parseFrontier(tree.frontier);
  const appended = last ? await appendLeaves(tree.size, storedFrontier, hashes) : null;
  const size = tree.size + events.length;
  const frontier = appended ? appended.frontier : storedFrontier;
  let checkpoint: Checkpoint | null = null;
  let kept: KeptCheckpoint | null = null;
  if (sealWith && size > 0 && (!latest || latest.treeSize < size)) {
    // The tree as read must extend the newest checkpoint; what this run appends extends it by construction.
    kept = await assertTreeExtendsLatest({ ...ctx, kv: sealWith.kv }, tree, latest);
    checkpoint = await signCheckpoint(
      { keys: sealWith.keys, now: ctx.now },
      size,
      last ? last.id : tree.lastEventId,
      frontier,
    );
  }
  const statements: Statement[] = [];
  if (last && appended) {
    const leaves = events.map((event, offset): [number, number] => [tree.size + offset, event.id]);
    const nodes = appended.nodes.map((node): [number, string] => [node.position, encodeBase64(node.hash)]);
    statements.push(
      ctx.db
        .update(auditTree)
        .set({ size, lastEventId: last.id, frontier: JSON.stringify(frontier.map((hash) => encodeBase64(hash))) })
        .where(and(eq(auditTree.id, 1), eq(auditTree.size, tree.size))),
      assertPreviousWriteChangedOneRow(ctx.db),
      // Pairs from one JSON parameter each: D1 binds at most 100 values per statement.
      ctx.db.insert(auditLeaves).select(sql`SELECT ${pairsOf(leaves)}`),
      ctx.db.insert(auditTreeNodes).select(sql`SELECT ${pairsOf(nodes)}`),
    );
  }
  if (checkpoint) statements.push(ctx.db.insert(auditCheckpoints).values(checkpoint).onConflictDoNothing());
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (!isBatchGuardFailure(error)) throw error;
    return { appended: 0, size: tree.size, lostRace: true, checkpoint: latest, sealed: false };
  }
  if (checkpoint && sealWith) await keepOutOfReach(sealWith.kv, checkpoint, kept);
  return {
    appended: events.length,
    size,
    lostRace: false,
    checkpoint: checkpoint ?? latest,
    sealed: checkpoint !== null,
  };
}

/** Sequences until nothing waits or `maxBatches` batches ran; what is left waits for the next run. */
export async function sequenceAuditLog(
  ctx: SequencerContext,
  maxBatches: number,
): Promise<{ appended: number; size: number }> {
  let appended = 0;
  let size = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const run = await sequenceAuditEvents(ctx);
    appended += run.appended;
    size = run.size;
    if (run.lostRace || run.appended < sequencerBatchSize) break;
  }
  return { appended, size };
}

const parsedKeys = new Map<string, Promise<NoteKeys>>();

/** The keys of AUDIT_SIGNING_KEYS, parsed once per isolate (importing a key is async). */
export function readAuditLogKeys(ctx: Pick<DomainContext, "config">): Promise<NoteKeys> {
  const setting = requireAuditSigningKeys(ctx.config.AUDIT_SIGNING_KEYS);
  let keys = parsedKeys.get(setting);
  if (!keys) {
    keys = parseNoteKeys(setting).catch((error: unknown) => {
      parsedKeys.delete(setting);
      throw new Error(
        `Gatehouse configuration is invalid: AUDIT_SIGNING_KEYS ${error instanceof Error ? error.message : "cannot be read"}`,
      );
    });
    parsedKeys.set(setting, keys);
  }
  return keys;
}

export type Checkpoint = typeof auditCheckpoints.$inferSelect;

/** c2sp.org/tlog-checkpoint: origin, tree size in decimal, base64 root hash, each ending in a newline. */
export function formatCheckpointText(origin: string, size: number, root: Uint8Array): string {
  return `${origin}\n${size}\n${encodeBase64(root)}\n`;
}

async function signCheckpoint(
  { keys, now }: { keys: NoteKeys; now: Date },
  treeSize: number,
  lastEventId: number,
  frontier: Uint8Array[],
): Promise<Checkpoint> {
  const root = await rootOfFrontier(frontier);
  return {
    treeSize,
    lastEventId,
    rootHash: encodeBase64(root),
    signedNote: await signNote(keys.signer, formatCheckpointText(keys.signer.name, treeSize, root)),
    keyId: encodeHexLowerCase(keys.signer.keyId),
    sealedAt: now,
  };
}

/**
 * Seals a checkpoint of the tree as it is, unless the newest checkpoint already covers it. Two
 * sealers of one size write one row (Ed25519 signs the same text the same way, and the size is the key).
 */
export async function sealCheckpoint(ctx: SealContext): Promise<Checkpoint | null> {
  // A limit of 0 appends nothing: the tree as it is gets sealed.
  const run = await appendNextEvents(ctx, 0, { keys: await readAuditLogKeys(ctx), kv: ctx.kv });
  return run.checkpoint;
}

/** The cron's every-run check that the stored tree still extends the newest checkpoint (a finding and an error if not). */
export async function checkTreeExtendsNewestCheckpoint(
  ctx: SequencerContext & Pick<DomainContext, "kv">,
): Promise<void> {
  const [trees, newest] = await ctx.db.batch([
    ctx.db.select().from(auditTree).where(eq(auditTree.id, 1)),
    selectLatestCheckpoint(ctx),
  ]);
  const tree = trees[0];
  if (!tree) throw new Error("audit_tree has no row: migration 0010 was not applied");
  await assertTreeExtendsLatest(ctx, tree, newest[0] ?? null);
}

// The newest checkpoint's size and root, kept in KV as well: someone who can write to the
// database could delete checkpoint rows to make an older, rewritable one look newest, but cannot
// reach KV (docs/AUDIT.md "Checkpoints").
const newestCheckpointKey = "audit-log:newest-checkpoint";

interface KeptCheckpoint {
  treeSize: number;
  rootHash: string;
}

/** `kept`: the copy read before signing (assertTreeExtendsLatest), so KV is read once per seal. */
async function keepOutOfReach(kv: KVNamespace, checkpoint: Checkpoint, kept: KeptCheckpoint | null): Promise<void> {
  if (kept && kept.treeSize >= checkpoint.treeSize) return;
  await kv.put(newestCheckpointKey, JSON.stringify({ treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash }));
}

/**
 * C2SP tlog-checkpoint: a log must never sign a checkpoint inconsistent with one it signed before.
 * Before signing, the stored tree (whose rows someone with database access could have rebuilt
 * around a changed row) must extend the newest checkpoint, the database's or KV's, whichever is
 * larger: RFC 9162's consistency proof from the stored hashes, checked against both roots. If it
 * does not, nothing is sealed, and a finding raises the banner.
 */
async function assertTreeExtendsLatest(
  ctx: SequencerContext & Pick<DomainContext, "kv">,
  tree: { size: number; frontier: string },
  latest: Checkpoint | null,
): Promise<KeptCheckpoint | null> {
  const kept = await ctx.kv.get<KeptCheckpoint>(newestCheckpointKey, "json");
  const trusted = kept && (!latest || kept.treeSize > latest.treeSize) ? kept : latest;
  if (!trusted) return kept;
  const fromRoot = decodeBase64(trusted.rootHash);
  const toRoot = await rootOfFrontier(parseFrontier(tree.frontier));
  let consistent = kept === null || !latest || kept.treeSize !== latest.treeSize || kept.rootHash === latest.rootHash;
  if (consistent && trusted.treeSize > tree.size) consistent = false;
  else if (consistent) {
    const ranges = consistencyProofRanges(trusted.treeSize, tree.size);
    const stored = ranges.length === 0 ? new Map<number, Uint8Array>() : await readRangeHashes(ctx, ranges);
    const proof: Uint8Array[] = [];
    try {
      for (const range of ranges) proof.push(await hashRange(range, stored));
      consistent = await isConsistent(trusted.treeSize, tree.size, fromRoot, toRoot, proof);
    } catch {
      consistent = false;
    }
  }
  if (consistent) return kept;
  await recordFindings(asGatehouse(ctx), [
    { subject: `checkpoint:${trusted.treeSize}`, eventId: null, leafIndex: trusted.treeSize - 1, problem: "rewritten" },
  ]);
  throw new AppError("STATE_CONFLICT", {
    detail: `The audit log's tree no longer extends its checkpoint of ${trusted.treeSize} events, so nothing is sealed: someone changed the log's tables behind Gatehouse's back (docs/AUDIT.md "What the cron checks").`,
  });
}

/** The newest checkpoint, or null before the first is sealed. */
export function selectLatestCheckpoint(ctx: Pick<DomainContext, "db">) {
  return ctx.db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.treeSize)).limit(1);
}

export async function readCheckpoint(ctx: Pick<DomainContext, "db">, treeSize: number | null): Promise<Checkpoint> {
  const [checkpoint] =
    treeSize === null
      ? await selectLatestCheckpoint(ctx)
      : await ctx.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, treeSize));
  if (!checkpoint) {
    throw new AppError("NOT_FOUND", {
      detail:
        treeSize === null
          ? "No checkpoint has been sealed yet."
          : `No checkpoint of tree size ${treeSize} exists; list them at /api/v1/audit/checkpoints.`,
    });
  }
  return checkpoint;
}

/** Checkpoints newest first, `limit` of them from below the size `before` (all when null). */
export function listCheckpoints(ctx: Pick<DomainContext, "db">, before: number | null, limit: number) {
  return ctx.db
    .select()
    .from(auditCheckpoints)
    .where(before === null ? undefined : lt(auditCheckpoints.treeSize, before))
    .orderBy(desc(auditCheckpoints.treeSize))
    .limit(limit);
}

/** The stored hashes the ranges need, in one query. */
async function readRangeHashes(ctx: Pick<DomainContext, "db">, ranges: LeafRange[]): Promise<Map<number, Uint8Array>> {
  const positions = positionsOf(ranges);
  if (positions.length === 0) return new Map();
  const rows = await ctx.db
    .select()
    .from(auditTreeNodes)
    .where(sql`${auditTreeNodes.position} IN ${jsonList(positions)}`);
  return new Map(rows.map((row) => [row.position, decodeBase64(row.hash)]));
}

async function hashRanges(ranges: LeafRange[], stored: ReadonlyMap<number, Uint8Array>): Promise<string[]> {
  const hashes: string[] = [];
  for (const range of ranges) hashes.push(encodeBase64(await hashRange(range, stored)));
  return hashes;
}

/** c2sp.org/tlog-proof@v1: the leaf index, its audit path, a blank line and the checkpoint verbatim. */
export function formatInclusionProof(leafIndex: number, path: string[], signedNote: string): string {
  return `${["c2sp.org/tlog-proof@v1", `index ${leafIndex}`, ...path].join("\n")}\n\n${signedNote}`;
}

export interface LeafAndProof {
  leafIndex: number;
  path: string[];
}

/**
 * Audit paths of many leaves against one tree size, reading every stored hash they need in one
 * query (the export asks for a page of 500 at once).
 */
export async function proveInclusions(
  ctx: Pick<DomainContext, "db">,
  leafIndexes: number[],
  treeSize: number,
): Promise<Map<number, string[]>> {
  const plans = leafIndexes.map((leafIndex) => ({ leafIndex, ranges: inclusionPathRanges(leafIndex, treeSize) }));
  const stored = await readRangeHashes(
    ctx,
    plans.flatMap((plan) => plan.ranges),
  );
  const paths = new Map<number, string[]>();
  for (const plan of plans) paths.set(plan.leafIndex, await hashRanges(plan.ranges, stored));
  return paths;
}

/** Which leaf each of these events is (events the tree does not hold yet are absent). */
export function selectLeavesOf(ctx: Pick<DomainContext, "db">, eventIds: number[]) {
  return ctx.db
    .select()
    .from(auditLeaves)
    .where(sql`${auditLeaves.eventId} IN ${jsonList(eventIds)}`);
}

/** An event's inclusion proof against a checkpoint (the newest when `treeSize` is null). */
export async function proveEventInclusion(
  ctx: Pick<DomainContext, "db">,
  eventId: number,
  treeSize: number | null,
): Promise<{ leafIndex: number; checkpoint: Checkpoint; proof: string }> {
  const [leaves, checkpoints] = await ctx.db.batch([
    selectLeavesOf(ctx, [eventId]),
    treeSize === null
      ? selectLatestCheckpoint(ctx)
      : ctx.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, treeSize)),
  ]);
  const leaf = leaves[0];
  const checkpoint = checkpoints[0];
  if (!checkpoint) await readCheckpoint(ctx, treeSize);
  if (!leaf || !checkpoint || leaf.leafIndex >= checkpoint.treeSize) {
    throw new AppError("STATE_CONFLICT", {
      detail: leaf
        ? `Event ${eventId} is leaf ${leaf.leafIndex}, which the checkpoint of size ${checkpoint?.treeSize} does not cover yet; ask for a later checkpoint.`
        : `Event ${eventId} is pending: it has no leaf yet, or no such event exists.`,
    });
  }
  const paths = await proveInclusions(ctx, [leaf.leafIndex], checkpoint.treeSize);
  return {
    leafIndex: leaf.leafIndex,
    checkpoint,
    proof: formatInclusionProof(leaf.leafIndex, paths.get(leaf.leafIndex) ?? [], checkpoint.signedNote),
  };
}

export interface ConsistencyProof {
  fromSize: number;
  toSize: number;
  fromRoot: string;
  toRoot: string;
  proof: string[];
}

/** RFC 9162 §2.1.4 consistency proof between two sizes of the tree (any sizes it has reached). */
export async function proveConsistency(
  ctx: Pick<DomainContext, "db">,
  fromSize: number,
  toSize: number,
): Promise<ConsistencyProof> {
  const tree = await readTree(ctx);
  if (fromSize < 1 || fromSize > toSize || toSize > tree.size) {
    throw new AppError("VALIDATION_FAILED", {
      detail: `Sizes must satisfy 1 ≤ from ≤ to ≤ ${tree.size}, the tree's size now.`,
    });
  }
  const proofRanges = consistencyProofRanges(fromSize, toSize);
  const fromRange = { start: 0, end: fromSize };
  const toRange = { start: 0, end: toSize };
  const stored = await readRangeHashes(ctx, [...proofRanges, fromRange, toRange]);
  const [fromRoot = "", toRoot = ""] = await hashRanges([fromRange, toRange], stored);
  return { fromSize, toSize, fromRoot, toRoot, proof: await hashRanges(proofRanges, stored) };
}
