// Findings: what the audit log no longer matches (docs/AUDIT.md "What the cron checks"). The
// cron's check (audit-integrity.ts), the sequencer and the sealer (audit-tree.ts) record them here;
// Super admins see them as a red banner until one acknowledges them.
// - Each is recorded once per subject and problem, however many runs see it again, also when two
//   runs overlap: the insert does nothing on a conflict, and its audit event is written only when
//   the insert did (`changes() = 1`), in the same batch.
// - A run records at most `findingsPerRun`, so tampering with thousands of rows cannot make the
//   batch too large to commit, and with it silence the alarm: the rest follow in the next runs.
import { sql } from "drizzle-orm";
import { runBatch, type Statement } from "../../db/batch";
import { jsonList } from "../../db/json-list";
import { type AuditFindingProblem, auditFindings } from "../../db/schema";
import type { DomainContext } from "../context";
import { insertAuditEventsSelect } from "./audit";

/** New findings one run records at most. */
export const findingsPerRun = 50;

export interface Finding {
  /** "event:<id>", "leaf:<index>" or "checkpoint:<size>": what it is about. */
  subject: string;
  eventId: number | null;
  leafIndex: number | null;
  problem: AuditFindingProblem;
}

export function eventFinding(eventId: number, leafIndex: number | null, problem: AuditFindingProblem): Finding {
  return { subject: `event:${eventId}`, eventId, leafIndex, problem };
}

/** Records the findings not recorded yet (up to findingsPerRun), each with its audit event; returns how many. */
export async function recordFindings(
  ctx: Pick<DomainContext, "db" | "now" | "actor" | "ip" | "requestId">,
  findings: Finding[],
  alsoWrite: Statement[] = [],
): Promise<number> {
  const recorded =
    findings.length === 0
      ? []
      : await ctx.db
          .select({ subject: auditFindings.subject, problem: auditFindings.problem })
          .from(auditFindings)
          .where(sql`${auditFindings.subject} IN ${jsonList(findings.map((finding) => finding.subject))}`);
  const known = new Set(recorded.map((row) => `${row.problem} ${row.subject}`));
  const fresh = findings
    .filter((finding) => !known.has(`${finding.problem} ${finding.subject}`))
    .slice(0, findingsPerRun);
  const statements: Statement[] = [...alsoWrite];
  for (const finding of fresh) {
    const details = JSON.stringify({
      eventId: finding.eventId,
      leafIndex: finding.leafIndex,
      problem: finding.problem,
      subject: finding.subject,
    });
    statements.push(
      ctx.db
        .insert(auditFindings)
        .values({ ...finding, detectedAt: ctx.now })
        .onConflictDoNothing(),
      insertAuditEventsSelect(ctx, {
        action: "audit.tampering_detected",
        targetType: "audit",
        targetId: sql`${finding.eventId === null ? null : String(finding.eventId)}`,
        targetLabel: sql`${finding.eventId === null ? finding.subject : `Audit event ${finding.eventId}`}`,
        tenantId: null,
        details: sql`${details}`,
        detailKeys: ["eventId", "leafIndex", "problem", "subject"],
        from: sql`WHERE changes() = 1`,
      }),
    );
  }
  await runBatch(ctx.db, statements);
  return fresh.length;
}
