// Budget rows of the verifiable audit log's routes (docs/API.md "Audit log: checkpoints and proofs",
// docs/AUDIT.md "Export"). The budget app runs no background work, so each row brings the tree up to
// date in its prepare and seals a checkpoint, as the sequencer after every write and the cron do in
// the app. A proof in a log of 100,000 events: test/budget/audit-log-scale.test.ts.
//
// The exports stream their answer page by page and pass the 4-query budget (streamsPages): before
// the first byte, the caller (1), the rows it would hold counted up to the limit (1), the
// audit.exported event (1), sequencing it and sealing (a read,
// the hashes proving the tree extends the newest checkpoint when there is one, and a write, 2–3:
// audit-tree.ts sequenceAndSeal); then 2 per page of 500 rows (the rows joined to their leaves;
// every stored hash the page's proofs need). consistencyFrom adds 2 (the tree; the proof's hashes).
import { sealCheckpoint, sequenceAuditLog } from "../../src/domain/audit/audit-tree";
import { Agent } from "../helpers/agent";
import { testContext } from "../helpers/factories";
import { apiCaller, createMember, readingWholeBody, signedInWith } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

const streamed =
  "a streamed export: 6 queries before the first row (caller, its audit event, sequencing it, sealing), then 2 a page of 500 rows";

/** Every event a leaf and a checkpoint of the whole tree; returns its size. */
async function sealedLog(fixture: BudgetFixture): Promise<number> {
  const ctx = testContext(fixture.clock);
  await sequenceAuditLog(ctx, 1_000);
  const checkpoint = await sealCheckpoint(ctx);
  if (!checkpoint) throw new Error("nothing to seal");
  return checkpoint.treeSize;
}

/** An audit:read API call on a sealed log; `path` may use the newest checkpoint's size. */
function auditApiGet(path: (size: number) => string, headers: HeadersInit = {}) {
  return async (fixture: BudgetFixture) => {
    const { api } = await apiCaller(fixture);
    const size = await sealedLog(fixture);
    return () => api.call("GET", path(size), undefined, headers);
  };
}

/** A page export of one person's history (a few rows: one page). */
function exportOfOnePerson(extension: "csv" | "json", query: (size: number) => string = () => "") {
  return async (fixture: BudgetFixture) => {
    const { agent } = await signedInWith(fixture);
    const { user } = await createMember(fixture, fixture.tenantIds[0], "OPERATOR_FULL");
    const size = await sealedLog(fixture);
    return readingWholeBody(() => agent.get(`/admin/audit/export.${extension}?targetId=${user.id}${query(size)}`));
  };
}

export const auditLogBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/admin/audit/export.csv",
    scenario: "one user's history as CSV with proofs (the whole streamed body is read and counted)",
    maxQueries: 7,
    expectStatus: 200,
    streamsPages: streamed,
    prepare: exportOfOnePerson("csv"),
  },
  {
    method: "GET",
    path: "/admin/audit/export.json",
    scenario: "one user's history as JSON with proofs (the whole streamed body is read and counted)",
    maxQueries: 7,
    expectStatus: 200,
    streamsPages: streamed,
    prepare: exportOfOnePerson("json"),
  },
  {
    method: "GET",
    path: "/admin/audit/export.json",
    scenario: "with consistencyFrom an earlier size (the tree and the consistency proof's hashes)",
    maxQueries: 9,
    expectStatus: 200,
    streamsPages: streamed,
    prepare: exportOfOnePerson("json", (size) => `&consistencyFrom=${Math.max(1, size - 3)}`),
  },
  {
    method: "GET",
    path: "/api/v1/audit/checkpoints",
    scenario: "the first page",
    maxQueries: 2,
    expectStatus: 200,
    list: { limit: 50 },
    prepare: auditApiGet(() => "/api/v1/audit/checkpoints"),
  },
  {
    method: "GET",
    path: "/api/v1/audit/checkpoints/latest",
    scenario: "the signed note (Accept: text/plain)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: auditApiGet(() => "/api/v1/audit/checkpoints/latest", { accept: "text/plain" }),
  },
  {
    method: "GET",
    path: "/api/v1/audit/checkpoints/:treeSize",
    scenario: "one checkpoint as JSON",
    maxQueries: 2,
    expectStatus: 200,
    prepare: auditApiGet((size) => `/api/v1/audit/checkpoints/${size}`),
  },
  {
    method: "GET",
    path: "/api/v1/audit/consistency",
    scenario: "from an earlier size to the newest checkpoint (caller; newest checkpoint; the tree; the hashes)",
    maxQueries: 4,
    expectStatus: 200,
    prepare: auditApiGet((size) => `/api/v1/audit/consistency?from=${Math.max(1, size - 5)}`),
  },
  {
    method: "GET",
    path: "/api/v1/audit-events/:id/proof",
    scenario: "an event's tlog-proof against the newest checkpoint (caller; its leaf and the checkpoint; the hashes)",
    maxQueries: 3,
    expectStatus: 200,
    prepare: auditApiGet(() => "/api/v1/audit-events/1/proof"),
  },
  {
    method: "GET",
    path: "/api/v1/audit-events/:id/proof",
    scenario: "a pending event: 409 (caller; its leaf and the checkpoint)",
    maxQueries: 2,
    expectStatus: 409,
    prepare: auditApiGet(() => "/api/v1/audit-events/999999999/proof"),
  },
  {
    method: "GET",
    path: "/.well-known/gatehouse-audit-keys",
    scenario: "the verifier keys (no session, no store)",
    maxQueries: 0,
    expectStatus: 200,
    prepare: async ({ app }) => {
      return () => new Agent(app).get("/.well-known/gatehouse-audit-keys");
    },
  },
];
