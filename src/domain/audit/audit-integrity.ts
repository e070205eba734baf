// The cron's own check of the audit log (docs/AUDIT.md "What the cron checks"): the database
// refuses UPDATE and DELETE on audit rows, but a person with direct access to it can get past the
// triggers. Each run recomputes the leaves of a slice of the log from the stored rows (a rolling
// cursor, so a full pass takes ceil(size / 500) runs: 200 runs, under 17 hours at 100,000 events
// with the 5-minute cron) and of the newest 100 leaves, and looks for rows with no leaf among the
// ids the slice spans. A row that no longer matches becomes a finding: audited once, by Gatehouse,
// and shown to Super admins as a red banner until one of them acknowledges it.
import { encodeBase64 } from "@oslojs/encoding";
import { and, asc, desc, eq, gt, isNull, lte, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../../db/batch";
import { jsonList } from "../../db/json-list";
import {
  type AuditFindingProblem,
  auditEvents,
  auditFindings,
  auditLeaves,
  auditTree,
  auditTreeNodes,
  auditVerification,
} from "../../db/schema";
import { AppError } from "../../errors";
import { actorRole, type DomainContext } from "../context";
import { insertAuditEvent } from "./audit";
import type { AuditEventRow } from "./audit-log";
import { computeLeafHash } from "./audit-tree";

/** Leaves one run recomputes from the rolling cursor. */
export const checkSliceSize = 500;
/** The newest leaves every run recomputes as well. */
export const newestLeavesChecked = 100;

interface CheckedLeaf {
  leafIndex: number;
  eventId: number;
  storedHash: string | null;
  event: AuditEventRow | null;
}

function selectCheckedLeaves(ctx: Pick<DomainContext, "db">, from: ReturnType<typeof sql>, limit: number) {
  return (
    ctx.db
      .select({
        leafIndex: auditLeaves.leafIndex,
        eventId: auditLeaves.eventId,
        storedHash: auditTreeNodes.hash,
        event: auditEvents,
      })
      .from(auditLeaves)
      // A leaf's own hash is stored at position 2·index (merkle-tree.ts nodePosition(0, index)).
      .leftJoin(auditTreeNodes, eq(auditTreeNodes.position, sql`${auditLeaves.leafIndex} * 2`))
      .leftJoin(auditEvents, eq(auditEvents.id, auditLeaves.eventId))
      .where(sql`${auditLeaves.leafIndex} >= ${from}`)
      .orderBy(asc(auditLeaves.leafIndex))
      .limit(limit)
  );
}

export interface Finding {
  eventId: number;
  leafIndex: number | null;
  problem: AuditFindingProblem;
}

async function findMismatches(leaves: CheckedLeaf[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const leaf of leaves) {
    if (!leaf.event) {
      findings.push({ eventId: leaf.eventId, leafIndex: leaf.leafIndex, problem: "deleted" });
    } else if (leaf.storedHash !== encodeBase64(await computeLeafHash(leaf.event))) {
      findings.push({ eventId: leaf.eventId, leafIndex: leaf.leafIndex, problem: "changed" });
    }
  }
  return findings;
}

export interface AuditCheckRun {
  checked: number;
  findings: number;
  newFindings: number;
}

/** One run of the check: a slice from the cursor plus the newest leaves; new findings are recorded. */
export async function checkAuditLog(ctx: DomainContext): Promise<AuditCheckRun> {
  const cursor = sql`(SELECT ${auditVerification.nextLeafIndex} FROM ${auditVerification} WHERE ${auditVerification.id} = 1)`;
  const newestFrom = sql`(SELECT ${auditTree.size} FROM ${auditTree} WHERE ${auditTree.id} = 1) - ${newestLeavesChecked}`;
  const [slice, newest, previous] = await ctx.db.batch([
    selectCheckedLeaves(ctx, cursor, checkSliceSize),
    selectCheckedLeaves(ctx, newestFrom, newestLeavesChecked),
    // The event just before the slice: rows with no leaf are looked for between it and the slice's last.
    ctx.db
      .select({ eventId: auditLeaves.eventId })
      .from(auditLeaves)
      .where(sql`${auditLeaves.leafIndex} = ${cursor} - 1`),
  ]);
  const last = slice.at(-1);
  const added = last
    ? await ctx.db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(
          and(
            gt(auditEvents.id, previous[0]?.eventId ?? 0),
            lte(auditEvents.id, last.eventId),
            sql`NOT EXISTS (SELECT 1 FROM ${auditLeaves} WHERE ${auditLeaves.eventId} = ${auditEvents.id})`,
          ),
        )
        .limit(checkSliceSize)
    : [];
  const byLeaf = new Map([...slice, ...newest].map((leaf) => [leaf.leafIndex, leaf]));
  const findings = [
    ...(await findMismatches([...byLeaf.values()])),
    ...added.map((row): Finding => ({ eventId: row.id, leafIndex: null, problem: "added" })),
  ];
  // The cursor wraps to the start once a slice reaches the end of the log.
  const nextLeafIndex = last && slice.length === checkSliceSize ? last.leafIndex + 1 : 0;
  const statements: Statement[] = [
    ctx.db.update(auditVerification).set({ nextLeafIndex }).where(eq(auditVerification.id, 1)),
  ];
  const fresh = await withoutRecordedFindings(ctx, findings);
  for (const finding of fresh) {
    statements.push(
      ctx.db.insert(auditFindings).values({ ...finding, detectedAt: ctx.now }),
      insertAuditEvent(ctx, {
        action: "audit.tampering_detected",
        target: { type: "audit", id: String(finding.eventId), label: `Audit event ${finding.eventId}` },
        details: { eventId: finding.eventId, leafIndex: finding.leafIndex, problem: finding.problem },
      }),
    );
  }
  await runBatch(ctx.db, statements);
  return { checked: byLeaf.size, findings: findings.length, newFindings: fresh.length };
}

async function withoutRecordedFindings(ctx: Pick<DomainContext, "db">, findings: Finding[]): Promise<Finding[]> {
  if (findings.length === 0) return [];
  const recorded = await ctx.db
    .select({ eventId: auditFindings.eventId, problem: auditFindings.problem })
    .from(auditFindings)
    .where(sql`${auditFindings.eventId} IN ${jsonList(findings.map((finding) => finding.eventId))}`);
  const known = new Set(recorded.map((row) => `${row.problem}:${row.eventId}`));
  return findings.filter((finding) => !known.has(`${finding.problem}:${finding.eventId}`));
}

/** Findings no Super admin has acknowledged yet, newest first (a batchable statement). */
export function selectOpenFindings(ctx: Pick<DomainContext, "db">, limit = 20) {
  return ctx.db
    .select()
    .from(auditFindings)
    .where(isNull(auditFindings.acknowledgedAt))
    .orderBy(desc(auditFindings.id))
    .limit(limit);
}

/** Most open findings the caller's hint counts: the banner says "100 or more" beyond. */
export const openFindingsCountCap = 100;

/** How many findings wait for a Super admin, up to the cap: one more column of the caller's batch (domain/principal.ts). */
export const openFindingsCountSql = sql<number>`(SELECT count(*) FROM (SELECT 1 FROM ${auditFindings} WHERE ${auditFindings.acknowledgedAt} IS NULL LIMIT ${sql.raw(String(openFindingsCountCap))}))`;

/** A Super admin has seen the findings: the banner goes, the findings and their audit rows stay. */
export async function acknowledgeAuditFindings(ctx: DomainContext): Promise<number> {
  if (actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can acknowledge audit log findings." });
  }
  const open = await ctx.db
    .select({ id: auditFindings.id })
    .from(auditFindings)
    .where(isNull(auditFindings.acknowledgedAt));
  if (open.length === 0) return 0;
  const ids = open.map((row) => row.id);
  const acknowledgedBy = ctx.actor.kind === "user" ? ctx.actor.principal.user.id : null;
  await runBatch(ctx.db, [
    ctx.db
      .update(auditFindings)
      .set({ acknowledgedAt: ctx.now, acknowledgedBy })
      .where(and(sql`${auditFindings.id} IN ${jsonList(ids)}`, isNull(auditFindings.acknowledgedAt))),
    insertAuditEvent(ctx, {
      action: "audit.findings_acknowledged",
      target: { type: "audit", id: null, label: null },
      details: { count: ids.length },
    }),
  ]);
  return ids.length;
}
