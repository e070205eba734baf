// What Admin → Audit log says about the verifiable log (docs/AUDIT.md "Verifying the log"): the
// newest checkpoint, how many events no checkpoint covers yet, and for each row of the page which
// checkpoint first covers it. All of it is read as statements of the page's one batch
// (audit-log-page.ts), so the page costs no query more than before. "Seal now" is here too.
import { eq, sql } from "drizzle-orm";
import { auditCheckpoints, auditEvents, auditLeaves, auditTree } from "../../db/schema";
import { AppError } from "../../errors";
import { actorRole, type DomainContext } from "../context";
import { type Checkpoint, readAuditLogKeys, sequenceAndSeal } from "./audit-tree";

/** The page counts pending events up to this many and says "more than" beyond it, so the count stays cheap. */
export const pendingCountLimit = 1000;

/**
 * Events no checkpoint covers: those after the newest checkpoint's last event (the sequencer
 * appends in id order, so a checkpoint covers exactly the events up to its last one). Counted
 * through at most pendingCountLimit + 1 rows of the primary key.
 */
export function selectPendingEventCount(ctx: Pick<DomainContext, "db">) {
  const covered = sql`coalesce((SELECT ${auditCheckpoints.lastEventId} FROM ${auditCheckpoints} ORDER BY ${auditCheckpoints.treeSize} DESC LIMIT 1), 0)`;
  return ctx.db
    .select({
      pending: sql<number>`(SELECT count(*) FROM (SELECT 1 FROM ${auditEvents} WHERE ${auditEvents.id} > ${covered} LIMIT ${pendingCountLimit + 1}))`,
    })
    .from(auditTree)
    .where(eq(auditTree.id, 1));
}

/**
 * Columns for a select over audit_events left-joined to audit_leaves on the event: the row's leaf
 * (null before the sequencer reached it) and the size of the first checkpoint whose tree holds that
 * leaf (null while none does). One primary-key seek each per row.
 */
export const leafStatusColumns = {
  leafIndex: sql<number | null>`${auditLeaves.leafIndex}`.as("leaf_index"),
  checkpointSize: sql<
    number | null
  >`(SELECT min(${auditCheckpoints.treeSize}) FROM ${auditCheckpoints} WHERE ${auditCheckpoints.treeSize} > ${auditLeaves.leafIndex})`.as(
    "checkpoint_size",
  ),
};

export interface VerifierKeys {
  /** The current signer's verifier key, the first line of /.well-known/gatehouse-audit-keys. */
  current: string;
  /** Earlier keys the well-known path still lists (rotation). */
  earlier: number;
}

/** The keys a verifier needs, or null when AUDIT_SIGNING_KEYS is not set (nothing can be sealed). */
export async function readVerifierKeys(ctx: Pick<DomainContext, "config">): Promise<VerifierKeys | null> {
  if (!ctx.config.AUDIT_SIGNING_KEYS) return null;
  const keys = await readAuditLogKeys(ctx);
  return { current: keys.signer.verifierKey, earlier: keys.verifierKeys.length - 1 };
}

export function assertMaySealAuditLog(ctx: Pick<DomainContext, "actor">): void {
  if (actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can seal a checkpoint of the audit log." });
  }
}

/**
 * "Seal now": leaves for the events that wait (one sequencer batch of 500; the background
 * sequencer and the cron keep the wait shorter than that), then a checkpoint of the tree, unless
 * the newest one already covers it, in two queries. Writes no audit event: sealing one would make
 * a new leaf to seal (audit-tree.ts).
 */
export function sealAuditLogNow(ctx: DomainContext): Promise<{ checkpoint: Checkpoint | null; sealed: boolean }> {
  assertMaySealAuditLog(ctx);
  return sequenceAndSeal(ctx);
}
