// Budget rows of the Audit log page's Super admin actions (docs/AUDIT.md "Verifying the log"):
// "Seal now" and acknowledging the cron's findings. The page itself keeps its rows in
// route-budgets-console.ts: the checkpoint, the pending count, each row's checkpoint and the open
// findings are statements of its one batch, so it stays at 2 queries.
//
// "Seal now" sequences first (audit-tree.ts sequenceAuditLog), then seals. The budget app runs no
// background work, so each row brings the tree up to date in its prepare, as the sequencer after
// every write does in the app: the counted request then finds no event waiting. A seal that finds
// events waiting costs one read and one write more per sequencer batch (docs-console-21: a known
// excess over the budget, for a combined sequence-and-seal in audit-tree.ts).

import { env } from "cloudflare:test";
import { sealCheckpoint, sequenceAuditLog } from "../../src/domain/audit/audit-tree";
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
    scenario: "seal a checkpoint of the tree (caller; sequencing finds nothing waiting; newest checkpoint; insert)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await adminWithSequencedLog(fixture);
      return () => agent.post("/admin/audit/seal", {});
    },
  },
  {
    method: "POST",
    path: "/admin/audit/seal",
    scenario: "nothing new to seal (caller; sequencing finds nothing waiting; the newest checkpoint covers the tree)",
    maxQueries: 3,
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
        "INSERT INTO audit_findings (event_id, leaf_index, problem, detected_at) VALUES ((SELECT max(id) FROM audit_events), NULL, 'added', ?) ON CONFLICT DO NOTHING",
      )
        .bind(fixture.clock.now().getTime())
        .run();
      return () => agent.post("/admin/audit/findings/acknowledge", {});
    },
  },
];
