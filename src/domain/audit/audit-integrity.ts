// The cron's own check of the audit log (docs/AUDIT.md "What the cron checks"): the database
// refuses UPDATE and DELETE on audit rows, but a person with direct access to it can get past the
// triggers. Each run recomputes the leaves of a slice of the log from the stored rows (a rolling
// cursor, so a full pass takes ceil(size / 500) runs: 200 runs, under 17 hours at 100,000 events
// with the 5-minute cron) and of the newest 100 leaves, and looks for rows with no leaf among the
// ids the slice spans and for leaves missing from either window. A row that no longer matches
// becomes a finding (audit-findings.ts): audited once, by Gatehouse, and shown to Super admins as
// a red banner until one of them acknowledges it.
import { encodeBase64 } from "@oslojs/encoding";
import { and, asc, desc, eq, gt, isNull, lte, sql } from "drizzle-orm";
import { runBatch } from "../../db/batch";
import { jsonList } from "../../db/json-list";
import { auditEvents, auditFindings, auditLeaves, auditTree, auditTreeNodes, auditVerification } from "../../db/schema";
import { AppError } from "../../errors";
import { actorRole, type DomainContext } from "../context";
import { insertAuditEvent } from "./audit";
import { eventFinding, type Finding, findingsPerRun, recordFindings } from "./audit-findings";
import type { AuditEventRow } from "./audit-log";
import { computeLeafHash } from "./audit-tree";

/** Leaves one run recomputes from the rolling cursor. */
export const checkSliceSize = 500;
/** The newest leaves every run recomputes as well. */
export const newestLeavesChecked = 100;

const cursorSql = sql`(SELECT ${auditVerification.nextLeafIndex} FROM ${auditVerification} WHERE ${auditVerification.id} = 1)`;
const sizeSql = sql`(SELECT ${auditTree.size} FROM ${auditTree} WHERE ${auditTree.id} = 1)`;

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

/** The leaf's hash as the row now encodes it, or null when the row cannot be encoded at all. */
async function recomputedLeafHash(event: AuditEventRow): Promise<string | null> {
  try {
    return encodeBase64(await computeLeafHash(event));
  } catch {
    // A row written past the application (a lone surrogate, say) that RFC 8785 refuses to encode.
    return null;
  }
}

async function findMismatches(leaves: CheckedLeaf[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const leaf of leaves) {
    if (!leaf.event) {
      findings.push(eventFinding(leaf.eventId, leaf.leafIndex, "deleted"));
      continue;
    }
    const hash = await recomputedLeafHash(leaf.event);
    if (hash === null) findings.push(eventFinding(leaf.eventId, leaf.leafIndex, "unreadable"));
    else if (leaf.storedHash !== hash) findings.push(eventFinding(leaf.eventId, leaf.leafIndex, "changed"));
  }
  return findings;
}

/** Leaf indexes a window should hold but does not: a leaf row deleted with its event's. */
function missingLeaves(leaves: CheckedLeaf[], from: number, to: number): Finding[] {
  const present = new Set(leaves.map((leaf) => leaf.leafIndex));
  const missing: Finding[] = [];
  for (let index = Math.max(0, from); index < to && missing.length < findingsPerRun; index++) {
    if (!present.has(index))
      missing.push({ subject: `leaf:${index}`, eventId: null, leafIndex: index, problem: "deleted" });
  }
  return missing;
}

export interface AuditCheckRun {
  checked: number;
  findings: number;
  newFindings: number;
}

/** One run of the check: a slice from the cursor plus the newest leaves; new findings are recorded. */
export async function checkAuditLog(ctx: DomainContext): Promise<AuditCheckRun> {
  const [state, slice, newest, previous] = await ctx.db.batch([
    ctx.db
      .select({ cursor: auditVerification.nextLeafIndex, size: sql<number>`${sizeSql}`.as("tree_size") })
      .from(auditVerification)
      .where(eq(auditVerification.id, 1)),
    selectCheckedLeaves(ctx, cursorSql, checkSliceSize),
    selectCheckedLeaves(ctx, sql`${sizeSql} - ${newestLeavesChecked}`, newestLeavesChecked),
    // The event just before the slice: rows with no leaf are looked for between it and the slice's last.
    ctx.db
      .select({ eventId: auditLeaves.eventId })
      .from(auditLeaves)
      .where(sql`${auditLeaves.leafIndex} = ${cursorSql} - 1`),
  ]);
  const cursor = state[0]?.cursor ?? 0;
  const size = state[0]?.size ?? 0;
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
  // The slice runs from the cursor to its last leaf (or the tree's end when it reached it); the
  // newest window is the last 100 of the tree's size.
  const sliceEnd = slice.length === checkSliceSize && last ? last.leafIndex + 1 : size;
  const findings = [
    ...missingLeaves(slice, cursor, Math.min(sliceEnd, size)),
    ...missingLeaves(newest, size - newestLeavesChecked, size),
    ...(await findMismatches([...byLeaf.values()])),
    ...added.map((row) => eventFinding(row.id, null, "added")),
  ];
  // The cursor wraps to the start once a slice reaches the end of the log.
  const nextLeafIndex = last && slice.length === checkSliceSize ? last.leafIndex + 1 : 0;
  const newFindings = await recordFindings(ctx, findings, [
    ctx.db.update(auditVerification).set({ nextLeafIndex }).where(eq(auditVerification.id, 1)),
  ]);
  return { checked: byLeaf.size, findings: findings.length, newFindings };
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
