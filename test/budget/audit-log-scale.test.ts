// A verifiable audit log of 100,000 events (issue 21): an event's inclusion proof stays within the
// query budget and reads about log2(n) stored hashes, not the tree. The events are written as raw
// SQL in one statement (not through the API), then appended by the real sequencer in its own
// batches of 500 (sequenceAuditLog, as the cron runs it): 3.7 to 6.5 s for the 100,000 here, and
// batches of 5,000 were no faster (5.4 s), so the test keeps the sequencer as it runs.
import { env } from "cloudflare:test";
import { decodeBase64 } from "@oslojs/encoding";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { verifyInclusion } from "../../scripts/audit-verify";
import { auditEvents } from "../../src/db/schema";
import {
  type Checkpoint,
  computeLeafHash,
  sealCheckpoint,
  sequenceAuditLog,
  sequencerBatchSize,
} from "../../src/domain/audit/audit-tree";
import { summarizeResponse } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { parseTlogProof } from "../helpers/audit-proofs";
import { TestClock } from "../helpers/clock";
import { createActiveUser, signInAs, testContext } from "../helpers/factories";
import { createCountingTestApp, QueryLog } from "../helpers/query-log";
import { queryBudget } from "./route-budgets";

const eventCount = 100_000;
const clock = new TestClock("2026-12-03T09:00:00Z");
const log = new QueryLog();
const app = createCountingTestApp(clock, log);
let api: ApiClient;
let checkpoint: Checkpoint;

beforeAll(async () => {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  api = new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, admin)));
  await env.DB.prepare(
    `INSERT INTO audit_events (at, action, actor_kind, actor_id, actor_name, actor_email, target_type, target_id, target_label, tenant_id, details, ip, request_id)
     WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     SELECT 1795000000000 + n * 1000, 'membership.expired', 'system', NULL, 'Gatehouse (system)', NULL, 'membership', 'mbr_' || n,
       'person' || n || '@example.test in acme', 'tnt_scale', json_object('n', n), NULL, NULL FROM seq`,
  )
    .bind(eventCount)
    .run();
  const ctx = testContext(clock);
  const started = Date.now();
  const sequenced = await sequenceAuditLog(ctx, eventCount / sequencerBatchSize + 10);
  console.info(`sequenced ${sequenced.appended} events in ${Date.now() - started} ms`);
  const sealed = await sealCheckpoint(ctx);
  if (!sealed) throw new Error("nothing sealed");
  checkpoint = sealed;
  expect(checkpoint.treeSize).toBeGreaterThan(eventCount);
}, 120_000);

async function leafHashOf(eventId: number): Promise<Uint8Array> {
  const [row] = await testContext(clock).db.select().from(auditEvents).where(eq(auditEvents.id, eventId));
  if (!row) throw new Error(`no event ${eventId}`);
  return computeLeafHash(row);
}

it.each([
  ["the oldest", 0],
  ["one in the middle", 0.5],
  ["the newest", 1],
])("proves %s of 100,000 events in 3 queries, reading about log2(n) hashes", async (_name, at) => {
  const ids = await env.DB.prepare("SELECT min(event_id) AS low, max(event_id) AS high FROM audit_leaves").first<{
    low: number;
    high: number;
  }>();
  const eventId = Math.round((ids?.low ?? 0) + at * ((ids?.high ?? 0) - (ids?.low ?? 0)));
  clock.advanceSeconds(61);
  log.reset();
  const response = await api.call("GET", `/api/v1/audit-events/${eventId}/proof`);
  expect(response.status, await summarizeResponse(response.clone())).toBe(200);
  expect(log.queries.length, log.describe()).toBeLessThanOrEqual(Math.min(3, queryBudget));
  // The path has at most ceil(log2(n)) = 17 hashes, each one stored node (or a few at the right edge).
  expect(log.maxRowsPerStatement, log.describe()).toBeLessThanOrEqual(40);
  const proof = parseTlogProof(await response.text());
  expect(proof.checkpoint).toBe(checkpoint.signedNote);
  expect(proof.path.length).toBeLessThanOrEqual(17);
  const proven = await verifyInclusion(
    proof.index,
    checkpoint.treeSize,
    await leafHashOf(eventId),
    proof.path.map((hash) => decodeBase64(hash)),
    decodeBase64(checkpoint.rootHash),
  );
  expect(proven).toBe(true);
});
