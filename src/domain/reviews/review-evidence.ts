// The evidence of a closed access review (docs/ACCESS-REVIEWS.md "Evidence"): every item of the run
// with its member, reviewer, decision, justification, advice and times, as CSV or JSON, together with
// the signed audit checkpoint that covers the run's `access_review.closed` event.
// - The checkpoint is the FIRST one sealed after the run closed (the smallest tree that holds the
//   closed event), so every export of a run cites the same checkpoint; when none is sealed yet, this
//   export seals one (sequenceAndSeal).
// - The run's own audit events (opened, closed: target_id = the run) come with their leaves and
//   inclusion proofs against that checkpoint, as a filtered `gatehouse-audit-export/v1` document
//   inside the JSON, so `npm run audit:verify` checks it offline; the closed event's details hold the
//   run's counts, which the items below must add up to. Each decision's own event is in the audit log
//   under the item's id.
// - Exports are audited (access_review.evidence_exported) after the checks and before any byte.
// - Streamed: items are read in keyset pages of 500 in the run's tenant order (one covering index),
//   one query a page, so a run of 10,000 items costs 20 reads and holds one page in memory.
import { and, asc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { auditCheckpoints, auditEvents, auditLeaves, reviewItems, reviewRuns, tenants, users } from "../../db/schema";
import { AppError } from "../../errors";
import { insertAuditEvent } from "../audit/audit";
import { toCsvLine } from "../audit/audit-csv";
import { auditExportFormat, type ExportedRow, readExportPage, toExportJsonRow } from "../audit/audit-export";
import { type Checkpoint, sequenceAndSeal } from "../audit/audit-tree";
import type { DomainContext } from "../context";
import { toReviewRunDto } from "./review-items-read";

export const reviewEvidenceFormat = "gatehouse-access-review-evidence/v1";
export const evidencePageSize = 500;
/** The run's own events (opened, closed, earlier exports sealed with them): a handful. */
const runEventsLimit = 100;

export type ReviewRun = typeof reviewRuns.$inferSelect;

export interface SealedEvidence {
  run: ReviewRun;
  checkpoint: Checkpoint;
  /** The run's own audit events the checkpoint covers, oldest first, each with its leaf and proof. */
  runEvents: ExportedRow[];
  exportedAt: Date;
}

function selectRun(ctx: Pick<DomainContext, "db">, runId: string) {
  return ctx.db.select().from(reviewRuns).where(eq(reviewRuns.id, runId));
}

const closedEventIdSql = (runId: string) =>
  sql`(SELECT ${auditEvents.id} FROM ${auditEvents} WHERE ${auditEvents.targetId} = ${runId} AND ${auditEvents.action} = 'access_review.closed' ORDER BY ${auditEvents.id} LIMIT 1)`;

/**
 * The first checkpoint holding the run's closed event: the smallest tree larger than its leaf index
 * (checkpoints are keyed by size, so this is one seek on the primary key).
 */
function selectCoveringCheckpoint(ctx: Pick<DomainContext, "db">, runId: string) {
  const leafIndex = sql`(SELECT ${auditLeaves.leafIndex} FROM ${auditLeaves} WHERE ${auditLeaves.eventId} = ${closedEventIdSql(runId)})`;
  return ctx.db
    .select()
    .from(auditCheckpoints)
    .where(sql`${auditCheckpoints.treeSize} > ${leafIndex}`)
    .orderBy(asc(auditCheckpoints.treeSize))
    .limit(1);
}

function refuseWithoutSigningKeys(ctx: Pick<DomainContext, "config">): void {
  if (ctx.config.AUDIT_SIGNING_KEYS) return;
  throw new AppError("STATE_CONFLICT", {
    detail:
      'Evidence carries a signed audit checkpoint, and this Gatehouse has no audit log signing key: set AUDIT_SIGNING_KEYS (README "Deploying to Cloudflare").',
  });
}

/** The covering checkpoint, sealing one first when none holds the closed event yet. */
async function coveringCheckpoint(ctx: DomainContext, runId: string, found: Checkpoint | undefined) {
  if (found) return found;
  await sequenceAndSeal(ctx);
  const [sealed] = await selectCoveringCheckpoint(ctx, runId);
  if (sealed) return sealed;
  throw new AppError("STATE_CONFLICT", {
    detail:
      "The audit log has not yet sealed a checkpoint holding this review's closing. Try the export again in a minute.",
  });
}

/**
 * Checks the run can be exported (it exists and is closed), records the export, and finds (or seals)
 * the checkpoint and the run's events with their proofs. Nothing is recorded for a refused export.
 */
export async function sealReviewEvidence(
  ctx: DomainContext,
  runId: string,
  format: "CSV" | "JSON",
): Promise<SealedEvidence> {
  const [runs, checkpoints] = await ctx.db.batch([selectRun(ctx, runId), selectCoveringCheckpoint(ctx, runId)]);
  const run = runs[0];
  if (!run) throw new AppError("NOT_FOUND", { detail: "No access review has this id." });
  if (!run.closedAt) {
    throw new AppError("STATE_CONFLICT", {
      detail:
        "This review is still open: its evidence can be exported once every item is decided or the deadline has handled the rest.",
    });
  }
  refuseWithoutSigningKeys(ctx);
  await insertAuditEvent(ctx, {
    action: "access_review.evidence_exported",
    target: { type: "review_run", id: run.id, label: run.name },
    details: { runId: run.id, campaignId: run.campaignId, format },
  });
  const checkpoint = await coveringCheckpoint(ctx, run.id, checkpoints[0]);
  const newestFirst = await readExportPage(
    ctx,
    { targetId: run.id },
    checkpoint,
    checkpoint.lastEventId + 1,
    runEventsLimit,
  );
  return { run, checkpoint, runEvents: newestFirst.reverse(), exportedAt: ctx.now };
}

const reviewerUsers = alias(users, "reviewer_users");

/** One page of the run's items after `after` (tenant, status, id), with the tenant's and the named reviewer's names. */
export async function readEvidencePage(
  ctx: Pick<DomainContext, "db">,
  runId: string,
  after: { tenantId: string; status: string; id: string } | null,
  limit = evidencePageSize,
) {
  const keyset = after
    ? sql`(${reviewItems.tenantId}, ${reviewItems.status}, ${reviewItems.id}) > (${after.tenantId}, ${after.status}, ${after.id})`
    : undefined;
  return ctx.db
    .select({
      item: reviewItems,
      tenantName: tenants.name,
      reviewerName: reviewerUsers.displayName,
    })
    .from(reviewItems)
    .leftJoin(tenants, eq(tenants.id, reviewItems.tenantId))
    .leftJoin(
      reviewerUsers,
      sql`${reviewItems.reviewerKey} LIKE 'user:%' AND ${reviewerUsers.id} = substr(${reviewItems.reviewerKey}, 6)`,
    )
    .where(and(eq(reviewItems.runId, runId), keyset))
    .orderBy(asc(reviewItems.tenantId), asc(reviewItems.status), asc(reviewItems.id))
    .limit(limit);
}

export type EvidenceItem = Awaited<ReturnType<typeof readEvidencePage>>[number];

/** Who the run asked to decide an item, in words that stay true after the people change. */
export function describeReviewer(reviewerKey: string, reviewerName: string | null): string {
  if (reviewerKey === "super_admins") return "Super admins";
  if (reviewerKey === "client_admins") return "The tenant's client admins";
  return reviewerName ?? reviewerKey.slice("user:".length);
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** An item as the export writes it: the JSON row's keys, in the CSV's column order. */
export function toEvidenceRow({ item, tenantName, reviewerName }: EvidenceItem) {
  return {
    item_id: item.id,
    run_id: item.runId,
    tenant_id: item.tenantId,
    tenant_name: tenantName,
    membership_id: item.membershipId,
    user_id: item.userId,
    member_name: item.memberName,
    member_email: item.memberEmail,
    membership_kind: item.membershipKind,
    role: item.role,
    expires_at: iso(item.expiresAt),
    granted_by: item.grantedBy,
    member_last_login_at: iso(item.memberLastLoginAt),
    recommend_revoke: item.recommendRevoke,
    reviewer_key: item.reviewerKey,
    reviewer: describeReviewer(item.reviewerKey, reviewerName),
    client_may_advise: item.clientMayAdvise,
    status: item.status,
    decision_source: item.decisionSource,
    decided_at: iso(item.decidedAt),
    decided_by: item.decidedBy,
    decided_by_name: item.decidedByName,
    justification: item.justification,
    flag: item.flag,
    advice: item.advice,
    advice_justification: item.adviceJustification,
    advised_by: item.advisedBy,
    advised_by_name: item.advisedByName,
    advised_at: iso(item.advisedAt),
  };
}

export type EvidenceRow = ReturnType<typeof toEvidenceRow>;

interface EvidenceText {
  head: string;
  page: (rows: EvidenceRow[], first: boolean) => string;
  tail: string;
}

/** The head, then one page of items per pull, then the tail. */
function streamEvidence(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedEvidence,
  text: EvidenceText,
  pageSize: number,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: { tenantId: string; status: string; id: string } | null = null;
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(text.head));
          return;
        }
        const items = await readEvidencePage(ctx, sealed.run.id, after, pageSize);
        const last = items.at(-1);
        if (last) {
          controller.enqueue(encoder.encode(text.page(items.map(toEvidenceRow), first)));
          first = false;
          after = { tenantId: last.item.tenantId, status: last.item.status, id: last.item.id };
        }
        if (items.length < pageSize) {
          controller.enqueue(encoder.encode(text.tail));
          controller.close();
        }
      },
    },
    { highWaterMark: 1 },
  );
}

/** The JSON evidence: the run, the filtered audit export of its events, then one item a line. */
export function streamEvidenceJson(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedEvidence,
  pageSize = evidencePageSize,
): ReadableStream<Uint8Array> {
  // The closed event's details are the run's counts (review-runs.ts), signed with the log.
  const closed = sealed.runEvents.find((row) => row.event.action === "access_review.closed")?.event.details;
  const head = {
    format: reviewEvidenceFormat,
    exportedAt: sealed.exportedAt.toISOString(),
    run: toReviewRunDto(sealed.run),
    counts: closed ?? null,
    // The signed note verbatim: `jq -j .checkpoint` gives the file audit:verify's --previous takes.
    checkpoint: sealed.checkpoint.signedNote,
    auditLog: {
      format: auditExportFormat,
      exportedAt: sealed.exportedAt.toISOString(),
      filter: { targetId: sealed.run.id },
      checkpoint: sealed.checkpoint.signedNote,
      rows: sealed.runEvents.map(toExportJsonRow),
    },
  };
  return streamEvidence(
    ctx,
    sealed,
    {
      head: `${JSON.stringify(head).slice(0, -1)},"items":[`,
      page: (rows, first) => `${first ? "\n" : ",\n"}${rows.map((row) => JSON.stringify(row)).join(",\n")}`,
      tail: "\n]}\n",
    },
    pageSize,
  );
}

const itemColumns = [
  "item_id",
  "run_id",
  "tenant_id",
  "tenant_name",
  "membership_id",
  "user_id",
  "member_name",
  "member_email",
  "membership_kind",
  "role",
  "expires_at",
  "granted_by",
  "member_last_login_at",
  "recommend_revoke",
  "reviewer_key",
  "reviewer",
  "client_may_advise",
  "status",
  "decision_source",
  "decided_at",
  "decided_by",
  "decided_by_name",
  "justification",
  "flag",
  "advice",
  "advice_justification",
  "advised_by",
  "advised_by_name",
  "advised_at",
] as const satisfies ReadonlyArray<keyof EvidenceRow>;

// The CSV has one table: the run's audit events first (record "audit_event": the event, its leaf and
// its tlog-proof, whose last lines are the signed checkpoint), then the items (record "item").
const auditColumns = ["audit_event_id", "audit_at", "audit_action", "audit_details", "leaf_index", "leaf", "proof"];
export const evidenceCsvColumns = ["record", ...itemColumns, ...auditColumns] as const;

function auditEventCsvLine(runId: string, row: ExportedRow): string {
  const json = toExportJsonRow(row);
  const audit = [json.id, json.at, json.action, JSON.stringify(json.details), json.leaf_index, json.leaf, json.proof];
  return toCsvLine(["audit_event", ...itemColumns.map((column) => (column === "run_id" ? runId : null)), ...audit]);
}

function itemCsvLine(row: EvidenceRow): string {
  const cells = itemColumns.map((column) => {
    const value = row[column];
    return typeof value === "boolean" ? String(value) : value;
  });
  return toCsvLine(["item", ...cells, ...auditColumns.map(() => null)]);
}

/** The CSV evidence (UTF-8 with a byte order mark, every cell quoted and neutralized, as the audit CSV). */
export function streamEvidenceCsv(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedEvidence,
  pageSize = evidencePageSize,
): ReadableStream<Uint8Array> {
  const head = `\uFEFF${toCsvLine([...evidenceCsvColumns])}${sealed.runEvents
    .map((row) => auditEventCsvLine(sealed.run.id, row))
    .join("")}`;
  return streamEvidence(ctx, sealed, { head, page: (rows) => rows.map(itemCsvLine).join(""), tail: "" }, pageSize);
}
