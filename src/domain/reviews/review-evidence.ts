// The evidence of a closed access review (docs/ACCESS-REVIEWS.md "Evidence"): every item of the run
// with its member, reviewer, decision, justification, advice and times, as CSV or JSON, together with
// the signed audit checkpoint that covers the run's `access_review.closed` event.
// - The checkpoint is the FIRST one sealed after the run closed (the smallest tree that holds the
//   closed event), so every export of a run cites the same checkpoint; when none is sealed yet, this
//   export seals one (sequenceAndSeal).
// - Every audit event of the review comes with its leaf and inclusion proof against that
//   checkpoint, as a filtered `gatehouse-audit-export/v1` document inside the JSON (`auditLog`), so
//   `npm run audit:verify` checks it offline: the run's own events (opened, closed, exports), each
//   item's decision, advice and keep-at-deadline, the memberships the campaign revoked and the
//   tenants it left without a client admin (reviewEventsSql). The closed event's details hold the
//   run's counts, which the items must add up to.
// - Exports are audited (access_review.evidence_exported) after the checks and before any byte.
// - Streamed: the events in pages of 500 (newest first, as the audit export), then the items in
//   keyset pages of 500 in the run's tenant order (one covering index), one or two queries a page,
//   so a run of 10,000 items holds one page in memory.
import { and, asc, eq, type SQL, sql } from "drizzle-orm";
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

export type ReviewRun = typeof reviewRuns.$inferSelect;

export interface SealedEvidence {
  run: ReviewRun;
  checkpoint: Checkpoint;
  /** The closed event's details: the run's counts, signed with the log. */
  counts: Record<string, unknown> | null;
  exportedAt: Date;
}

/**
 * SQL over audit_events: the events of the review. Each part is a seek on audit_events_target_idx
 * (the action tests are kept off audit_events_action_idx with unary +, which would walk every
 * revocation of the log); a revocation or an emptied tenant is the run's when its details name it.
 */
export function reviewEventsSql(runId: string): SQL {
  const e = auditEvents;
  const runItems = (column: string) => sql`(SELECT ${sql.raw(column)} FROM review_items WHERE run_id = ${runId})`;
  const namesRun = sql`json_extract(${e.details}, '$.runId') = ${runId}`;
  return sql`(${e.targetId} = ${runId}
    OR (${e.targetType} = 'review_item' AND ${e.targetId} IN ${runItems("id")})
    OR (+${e.action} = 'membership.revoked' AND ${e.targetId} IN ${runItems("membership_id")} AND ${namesRun})
    OR (+${e.action} = 'access_review.tenant_left_without_admin' AND ${e.targetId} IN ${runItems("tenant_id")}
      AND ${namesRun}))`;
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
  const [runs, checkpoints, closedEvents] = await ctx.db.batch([
    selectRun(ctx, runId),
    selectCoveringCheckpoint(ctx, runId),
    ctx.db
      .select({ details: auditEvents.details })
      .from(auditEvents)
      .where(sql`${auditEvents.id} = ${closedEventIdSql(runId)}`),
  ]);
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
  return { run, checkpoint, counts: closedEvents[0]?.details ?? null, exportedAt: ctx.now };
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
  /** A page of the review's audit events; `first` is true for the first page with rows. */
  events: (rows: ExportedRow[], first: boolean) => string;
  /** Between the events and the items. */
  middle: string;
  items: (rows: EvidenceRow[], first: boolean) => string;
  tail: string;
}

/** The head, the review's events a page per pull, the middle, the items a page per pull, then the tail. */
function streamEvidence(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedEvidence,
  text: EvidenceText,
  pageSize: number,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const events = reviewEventsSql(sealed.run.id);
  // Events newest first, below the checkpoint's last event: what the checkpoint covers.
  let eventsBefore: number | null = sealed.checkpoint.lastEventId + 1;
  let after: { tenantId: string; status: string; id: string } | null = null;
  let started = false;
  let firstEvents = true;
  let firstItems = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(text.head));
          return;
        }
        if (eventsBefore !== null) {
          const rows = await readExportPage(ctx, events, sealed.checkpoint, eventsBefore, pageSize);
          const last = rows.at(-1);
          if (last) {
            controller.enqueue(encoder.encode(text.events(rows, firstEvents)));
            firstEvents = false;
          }
          eventsBefore = last && rows.length === pageSize ? last.event.id : null;
          if (eventsBefore === null) controller.enqueue(encoder.encode(text.middle));
          return;
        }
        const items = await readEvidencePage(ctx, sealed.run.id, after, pageSize);
        const last = items.at(-1);
        if (last) {
          controller.enqueue(encoder.encode(text.items(items.map(toEvidenceRow), firstItems)));
          firstItems = false;
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

/** Rows of JSON, one a line, after `[` or after an earlier page. */
const jsonLines = (rows: unknown[], first: boolean) =>
  `${first ? "\n" : ",\n"}${rows.map((row) => JSON.stringify(row)).join(",\n")}`;

/** The JSON evidence: the run, the filtered audit export of its events, then one item a line. */
export function streamEvidenceJson(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedEvidence,
  pageSize = evidencePageSize,
): ReadableStream<Uint8Array> {
  const head = {
    format: reviewEvidenceFormat,
    exportedAt: sealed.exportedAt.toISOString(),
    run: toReviewRunDto(sealed.run),
    counts: sealed.counts,
    // The signed note verbatim: `jq -j .checkpoint` gives the file audit:verify's --previous takes.
    checkpoint: sealed.checkpoint.signedNote,
    auditLog: {
      format: auditExportFormat,
      exportedAt: sealed.exportedAt.toISOString(),
      filter: { reviewRunId: sealed.run.id },
      checkpoint: sealed.checkpoint.signedNote,
    },
  };
  return streamEvidence(
    ctx,
    sealed,
    {
      head: `${JSON.stringify(head).slice(0, -2)},"rows":[`,
      events: (rows, first) => jsonLines(rows.map(toExportJsonRow), first),
      middle: '\n]},"items":[',
      items: jsonLines,
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
  return streamEvidence(
    ctx,
    sealed,
    {
      head: `\uFEFF${toCsvLine([...evidenceCsvColumns])}`,
      events: (rows) => rows.map((row) => auditEventCsvLine(sealed.run.id, row)).join(""),
      middle: "",
      items: (rows) => rows.map(itemCsvLine).join(""),
      tail: "",
    },
    pageSize,
  );
}
