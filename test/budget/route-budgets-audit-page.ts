// Budget rows of the Audit log page's Super admin actions (docs/AUDIT.md "Verifying the log"):
// "Seal now" and acknowledging the cron's findings. The page itself keeps its rows in
// route-budgets-console.ts: the checkpoint, the pending count, each row's checkpoint and the open
// findings are statements of its one batch, so it stays at 2 queries.
//
// "Seal now" appends up to 500 waiting events and seals the tree that makes in one read and one
// write, with one read between of the hashes that prove the tree extends the newest checkpoint
// (audit-tree.ts sequenceAndSeal). The budget app runs no background work, so events wait
// as they would for a moment after a write in the app. Up to 500 waiting it is still 4 queries,
// but its statements then read more than a page's 101 rows; the background sequencer and the cron
// keep the wait far shorter.

import { env } from "cloudflare:test";
import { sealCheckpoint, sequenceAuditLog } from "../../src/domain/audit/audit-tree";
import { insertRowsStatements } from "../helpers/bulk-rows";
import { testContext } from "../helpers/factories";
import { signedInWith } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

/** A signed-in Super admin, with every event (the sign-in's too) already a leaf of the tree. */
async function adminWithSequencedLog(fixture: BudgetFixture) {
  const signedIn = await signedInWith(fixture);
  await sequenceAuditLog(testContext(fixture.clock), 100);
  return signedIn;
}

export const auditPageBudgets: RouteBudget[] = [
  {
    method: "POST",
    path: "/admin/audit/seal",
    scenario:
      "80 events waiting (caller; the tree, the waiting events and the newest checkpoint; the hashes proving the tree extends it; their leaves and the checkpoint)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await adminWithSequencedLog(fixture);
      await sealCheckpoint(testContext(fixture.clock));
      const rows = Array.from(
        { length: 80 },
        (_, i) => `(${i}, 'tenant.updated', 'system', 'Gatehouse (system)', '{"n":${i}}')`,
      );
      await env.DB.batch(
        insertRowsStatements("audit_events", ["at", "action", "actor_kind", "actor_name", "details"], rows),
      );
      return () => agent.post("/admin/audit/seal", {});
    },
  },
  {
    method: "POST",
    path: "/admin/audit/seal",
    scenario: "nothing new to seal (caller; the tree, no waiting event, the newest checkpoint covers it; no write)",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await adminWithSequencedLog(fixture);
      await sealCheckpoint(testContext(fixture.clock));
      return () => agent.post("/admin/audit/seal", {});
    },
  },
  {
    method: "POST",
    path: "/admin/audit/findings/acknowledge",
    scenario:
      "one open finding acknowledged (caller; the open findings; their update and the audit event in one batch)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      await env.DB.prepare(
        "INSERT INTO audit_findings (subject, event_id, leaf_index, problem, detected_at) VALUES ('event:' || (SELECT max(id) FROM audit_events), (SELECT max(id) FROM audit_events), NULL, 'added', ?) ON CONFLICT DO NOTHING",
      )
        .bind(fixture.clock.now().getTime())
        .run();
      return () => agent.post("/admin/audit/findings/acknowledge", {});
    },
  },
];
