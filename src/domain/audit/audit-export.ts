// The verifiable export of the audit log (docs/AUDIT.md "Export"), as CSV (audit-csv.ts) or JSON
// (`gatehouse-audit-export/v1`): every row with its leaf index, its leaf bytes and its inclusion
// proof (c2sp.org/tlog-proof@v1) against one signed checkpoint, so `npm run audit:verify` can check
// it offline with nothing but the published verifier key.
// - The export is recorded (audit.exported) BEFORE the log is sequenced and sealed, so the export
//   covers its own event whenever the filter matches it.
// - Only rows the checkpoint covers are exported (id ≤ its last event id): a row written after the
//   seal has no proof against it and waits for the next export.
// - Streamed, one keyset page of 500 rows in memory at a time, two queries a page: the rows with
//   their leaf index (one join), then every stored hash the page's proofs need (one query). D1
//   allows 1,000 queries per invocation, so one export reaches about 245,000 rows.
import { encodeBase64 } from "@oslojs/encoding";
import { and, desc, eq, is, lt, SQL, sql } from "drizzle-orm";
import { auditEvents, auditLeaves } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import type { DomainContext } from "../context";
import { type AuditEventRow, type AuditFilter, describeFilter, filterConditions, recordAuditExport } from "./audit-log";
import {
  type Checkpoint,
  formatInclusionProof,
  proveConsistency,
  proveInclusions,
  sequenceAndSeal,
  toAuditLeafRow,
} from "./audit-tree";
import { encodeAuditLeaf } from "./log-hashes";

export const auditExportFormat = "gatehouse-audit-export/v1";
export const auditExportPageSize = 500;
/**
 * Most rows one export holds: a page of 500 costs two queries, and D1 allows a Worker 1,000 per
 * request, so past about 245,000 rows the stream would end cut off. Larger logs export in parts.
 */
export const auditExportMaxRows = 240_000;

export interface ExportedRow {
  event: AuditEventRow;
  /** Null for a row the log holds no leaf for (written behind the sequencer's back). */
  leafIndex: number | null;
  /** Base64 of the exact leaf bytes (log-hashes.ts encodeAuditLeaf). */
  leaf: string | null;
  /** The tlog-proof text against the export's checkpoint. */
  proof: string | null;
}

export interface ExportConsistency {
  fromSize: number;
  toSize: number;
  proof: string[];
}

export interface SealedExport {
  filter: AuditFilter;
  checkpoint: Checkpoint;
  /** Only when the caller asked for consistency from an earlier size. */
  consistency: ExportConsistency | null;
  exportedAt: Date;
}

async function proveConsistencyFrom(
  ctx: Pick<DomainContext, "db">,
  fromSize: number,
  checkpoint: Checkpoint,
): Promise<ExportConsistency> {
  const toSize = checkpoint.treeSize;
  if (fromSize > toSize) {
    throw fieldError(
      "consistencyFrom",
      `consistencyFrom must be a tree size from 0 to ${toSize}, the size of the checkpoint this export is against; ${fromSize} is larger.`,
    );
  }
  // RFC 9162 §2.1.4.1: PROOF(m, D[n]) is empty when m = n, and a tree of size 0 is consistent with any.
  if (fromSize === 0 || fromSize === toSize) return { fromSize, toSize, proof: [] };
  const { proof } = await proveConsistency(ctx, fromSize, toSize);
  return { fromSize, toSize, proof };
}

/**
 * Records the export, then sequences what waits (one batch of 500; a larger backlog waits for the
 * cron and stays out of this export) and seals the checkpoint every proof of the export is against,
 * in two queries. The log always holds at least the export's own event by then, so no
 * checkpoint means sealing failed: a 409 says to try again rather than a file nothing can verify.
 */
export async function sealAuditExport(
  ctx: DomainContext,
  request: { filter: AuditFilter; format: "CSV" | "JSON"; consistencyFrom: number | null },
  maxRows = auditExportMaxRows,
): Promise<SealedExport> {
  if (!ctx.config.AUDIT_SIGNING_KEYS) {
    // Refused before the export is recorded: no file without a checkpoint to verify it against.
    throw new AppError("STATE_CONFLICT", {
      detail:
        'Exports carry a signed checkpoint, and this Gatehouse has no audit log signing key: set AUDIT_SIGNING_KEYS (README "Deploying to Cloudflare").',
    });
  }
  // Counted up to one past the limit, on the filter's index, before anything is recorded.
  const [counted] = await ctx.db.select({ rows: sql<number>`count(*)` }).from(
    ctx.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(...filterConditions(request.filter)))
      .limit(maxRows + 1)
      .as("matching"),
  );
  if ((counted?.rows ?? 0) > maxRows) {
    throw new AppError("STATE_CONFLICT", {
      detail: `This export would hold more than ${maxRows.toLocaleString("en-US")} rows, more than one request can read with their proofs: export the log in parts, with From and Before.`,
    });
  }
  await recordAuditExport(ctx, request.filter, request.format);
  const { checkpoint } = await sequenceAndSeal(ctx);
  if (!checkpoint) {
    throw new AppError("STATE_CONFLICT", {
      detail: "The audit log has no checkpoint to export against yet. Try the export again in a minute.",
    });
  }
  const consistency =
    request.consistencyFrom === null ? null : await proveConsistencyFrom(ctx, request.consistencyFrom, checkpoint);
  return { filter: request.filter, checkpoint, consistency, exportedAt: ctx.now };
}

/**
 * Up to `limit` rows below `beforeId` (newest first) with their leaves and proofs: two queries.
 * `filter` is the audit page's filter, or a condition of the caller's (an access review's events).
 */
export async function readExportPage(
  ctx: Pick<DomainContext, "db">,
  filter: AuditFilter | SQL,
  checkpoint: Checkpoint,
  beforeId: number,
  limit: number,
): Promise<ExportedRow[]> {
  const conditions = is(filter, SQL) ? [filter] : filterConditions(filter);
  const rows = await ctx.db
    .select({ event: auditEvents, leafIndex: auditLeaves.leafIndex })
    .from(auditEvents)
    .leftJoin(auditLeaves, eq(auditLeaves.eventId, auditEvents.id))
    .where(and(...conditions, lt(auditEvents.id, beforeId)))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
  const covered = (leafIndex: number | null): leafIndex is number =>
    leafIndex !== null && leafIndex < checkpoint.treeSize;
  const leafIndexes = rows.map((row) => row.leafIndex).filter(covered);
  const paths = await proveInclusions(ctx, leafIndexes, checkpoint.treeSize);
  return rows.map(({ event, leafIndex }) =>
    covered(leafIndex)
      ? {
          event,
          leafIndex,
          leaf: encodeBase64(encodeAuditLeaf(toAuditLeafRow(event))),
          proof: formatInclusionProof(leafIndex, paths.get(leafIndex) ?? [], checkpoint.signedNote),
        }
      : { event, leafIndex: null, leaf: null, proof: null },
  );
}

export interface ExportText {
  head: string;
  /** A page's text; `first` is true for the first page with rows. */
  page: (rows: ExportedRow[], first: boolean) => string;
  tail: string;
}

/** The export's text as the consumer pulls: the head, one page per pull, then the tail. */
export function streamExport(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedExport,
  text: ExportText,
  pageSize = auditExportPageSize,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // Only rows the checkpoint covers: below its last event id + 1.
  let beforeId: number | null = null;
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (beforeId === null) {
          beforeId = sealed.checkpoint.lastEventId + 1;
          controller.enqueue(encoder.encode(text.head));
          return;
        }
        const rows = await readExportPage(ctx, sealed.filter, sealed.checkpoint, beforeId, pageSize);
        const last = rows.at(-1);
        if (last) {
          controller.enqueue(encoder.encode(text.page(rows, first)));
          first = false;
          beforeId = last.event.id;
        }
        if (rows.length < pageSize) {
          if (text.tail) controller.enqueue(encoder.encode(text.tail));
          controller.close();
        }
      },
    },
    // Read no further ahead than one page.
    { highWaterMark: 1 },
  );
}

/** A row of the JSON export: every column of its leaf, then its leaf index, leaf and proof. */
export function toExportJsonRow(row: ExportedRow) {
  return { ...toAuditLeafRow(row.event), leaf_index: row.leafIndex, leaf: row.leaf, proof: row.proof };
}

/** The JSON export (`gatehouse-audit-export/v1`), one row a line inside "rows". */
export function streamAuditJson(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedExport,
  pageSize = auditExportPageSize,
): ReadableStream<Uint8Array> {
  const head = {
    format: auditExportFormat,
    exportedAt: sealed.exportedAt.toISOString(),
    filter: describeFilter(sealed.filter),
    checkpoint: sealed.checkpoint.signedNote,
    ...(sealed.consistency ? { consistency: sealed.consistency } : {}),
  };
  return streamExport(
    ctx,
    sealed,
    {
      head: `${JSON.stringify(head).slice(0, -1)},"rows":[`,
      page: (rows, first) =>
        `${first ? "\n" : ",\n"}${rows.map((row) => JSON.stringify(toExportJsonRow(row))).join(",\n")}`,
      tail: "\n]}\n",
    },
    pageSize,
  );
}
