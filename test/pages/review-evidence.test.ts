// A closed access review's evidence (docs/ACCESS-REVIEWS.md "Evidence for the auditor"): every item with
// its reviewer, decision and justification as CSV and JSON, the signed checkpoint that first covers the
// review's closing (the same in every export), the review's own events with proofs the offline verifier
// accepts, the export audited; refused while the review is open; Super admins only.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { verifyExport } from "../../scripts/audit-verify";
import type { Actor } from "../../src/domain/context";
import { revokeMembership } from "../../src/domain/memberships/memberships";
import { createCampaign, createCampaignSchema } from "../../src/domain/reviews/review-campaigns";
import { decideReviewItems } from "../../src/domain/reviews/review-decisions";
import { evidenceCsvColumns } from "../../src/domain/reviews/review-evidence";
import { openRun } from "../../src/domain/reviews/review-runs";
import { runAccessReviews } from "../../src/jobs/access-reviews";
import { summarizeResponse } from "../helpers/agent";
import { parseCsv } from "../helpers/audit";
import { testVerifierKey } from "../helpers/audit-log";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  signInAs,
  testContext,
  testPrincipal,
} from "../helpers/factories";
import { insertTestMembership } from "../helpers/memberships";
import { closeSeededRuns, seedReviewItems, seedReviewRun } from "../helpers/review-seed";

const clock = new TestClock("2026-11-24T12:00:00Z");
const app = createTestApp(clock);

interface EvidenceJson {
  format: string;
  run: { id: string; closedAt: string | null; itemCount: number };
  counts: Record<string, number> | null;
  checkpoint: string;
  auditLog: {
    format: string;
    checkpoint: string;
    rows: Array<{ id: number; action: string; target_id: string | null; proof: string | null }>;
  };
  items: Array<Record<string, unknown>>;
}

async function signedInAdmin() {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { admin, agent: await signInAs(app, clock, admin) };
}

/** A review of `kept` + `revoked` items in one tenant, closed by the cron's step. */
async function closedRun(kept: number, revoked: number) {
  const tenant = await createTestTenant(clock, "Evidence Corp");
  const run = await seedReviewRun(clock, "Half-yearly PCI review");
  await seedReviewItems(clock, run, { tenantId: tenant.id, count: kept, status: "kept" });
  await seedReviewItems(clock, run, { tenantId: tenant.id, count: revoked, status: "revoked", kind: "staff" });
  clock.advanceSeconds(60);
  await closeSeededRuns(clock);
  return { tenant, run };
}

async function evidenceJson(agent: Awaited<ReturnType<typeof signedInAdmin>>["agent"], runId: string) {
  const response = await agent.get(`/admin/reviews/runs/${runId}/evidence.json`);
  const text = await response.text();
  expect(response.status, text.slice(0, 500)).toBe(200);
  return { response, text, body: JSON.parse(text) as EvidenceJson };
}

describe("evidence of a closed review", () => {
  it("holds every item with its decision, the checkpoint covering the closing, and proofs the verifier accepts", async () => {
    const { agent } = await signedInAdmin();
    const { tenant, run } = await closedRun(3, 2);
    const { response, body } = await evidenceJson(agent, run.runId);
    expect(response.headers.get("content-disposition")).toContain(`${run.runId}.json`);
    expect(body.format).toBe("gatehouse-access-review-evidence/v1");
    expect(body.run).toMatchObject({ id: run.runId, itemCount: 5, closedAt: expect.any(String) });
    expect(body.counts).toMatchObject({ kept: 3, revoked: 2 });
    expect(body.items).toHaveLength(5);
    expect(body.items[0]).toMatchObject({
      run_id: run.runId,
      tenant_id: tenant.id,
      tenant_name: "Evidence Corp",
      reviewer: "Super admins",
      decided_by_name: "Rita Reviewer",
      justification: "Still works on this account.",
      decision_source: "reviewer",
    });
    expect(body.checkpoint).toBe(body.auditLog.checkpoint);
    const actions = body.auditLog.rows.map((row) => row.action);
    expect(actions).toContain("access_review.closed");
    // The embedded audit export is a gatehouse-audit-export/v1 document the offline verifier checks.
    const report = await verifyExport(JSON.stringify(body.auditLog), { keys: [testVerifierKey] });
    expect(report, report.lines.join("\n")).toMatchObject({ exitCode: 0 });
  });

  it("carries every event of the review with its proof: decisions, the campaign's revocations, the closing, and nothing else", async () => {
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const tenant = await createTestTenant(clock, "Walkthrough Ltd");
    const [kept, revoked, atDeadline, byHand] = [
      await createActiveUser(clock, { role: "OPERATOR" }),
      await createActiveUser(clock, { role: "OPERATOR" }),
      await createActiveUser(clock, { role: "OPERATOR" }),
      await createActiveUser(clock, { role: "OPERATOR" }),
    ];
    const membershipOf: Record<string, string> = {};
    for (const user of [kept, revoked, atDeadline, byHand]) {
      membershipOf[user.id] = await insertTestMembership(clock, {
        userId: user.id,
        tenantId: tenant.id,
        role: "OPERATOR_FULL",
        expiresAt: null,
      });
    }
    const superAdmin: Actor = {
      kind: "user",
      principal: {
        ...testPrincipal(clock, "SUPER_ADMIN"),
        user: { ...testPrincipal(clock, "SUPER_ADMIN").user, id: admin.id },
      },
    };
    const campaign = await createCampaign(
      testContext(clock, superAdmin),
      createCampaignSchema.parse({
        name: "Evidence walk",
        allTenants: false,
        tenantIds: [tenant.id],
        cadence: "once",
        membershipKinds: "staff",
      }),
    );
    const run = await openRun(testContext(clock, superAdmin), campaign.id);
    const items = await env.DB.prepare("SELECT id, user_id FROM review_items WHERE run_id = ?")
      .bind(run.id)
      .all<{ id: string; user_id: string }>();
    const itemOf = (userId: string) => items.results.find((item) => item.user_id === userId)?.id ?? "";
    const decide = (userId: string, decision: "keep" | "revoke") =>
      decideReviewItems(testContext(clock, superAdmin), {
        itemIds: [itemOf(userId)],
        decision,
        justification: "Checked.",
      });
    await decide(kept.id, "keep");
    await decide(revoked.id, "revoke");
    await revokeMembership(testContext(clock), membershipOf[byHand.id] ?? "");
    clock.advanceSeconds(15 * 86_400);
    await runAccessReviews(testContext(clock));

    const { body } = await evidenceJson(await signInAs(app, clock, admin), run.id);

    const events = body.auditLog.rows.map((row) => `${row.action} ${row.target_id}`);
    expect(events.sort()).toEqual(
      [
        `access_review.opened ${run.id}`,
        `access_review.item_decided ${itemOf(kept.id)}`,
        `access_review.item_decided ${itemOf(revoked.id)}`,
        `membership.revoked ${membershipOf[revoked.id]}`,
        `membership.revoked ${membershipOf[atDeadline.id]}`,
        `access_review.closed ${run.id}`,
        `access_review.evidence_exported ${run.id}`,
      ].sort(),
    );
    // The hand revocation of byHand's membership is not the review's, though its item ended because of it.
    expect(events).not.toContain(`membership.revoked ${membershipOf[byHand.id]}`);
    expect(body.auditLog.rows.every((row) => row.proof?.startsWith("c2sp.org/tlog-proof@v1"))).toBe(true);
    const report = await verifyExport(JSON.stringify(body.auditLog), { keys: [testVerifierKey] });
    expect(report, report.lines.join("\n")).toMatchObject({ exitCode: 0 });
  });

  it("cites the same checkpoint every time, the first sealed after the review closed", async () => {
    const { agent } = await signedInAdmin();
    const { run } = await closedRun(1, 1);
    const first = await evidenceJson(agent, run.runId);
    clock.advanceSeconds(600);
    const second = await evidenceJson(agent, run.runId);
    expect(second.body.checkpoint).toBe(first.body.checkpoint);
    const closed = first.body.auditLog.rows.find((row) => row.action === "access_review.closed");
    const size = Number(first.body.checkpoint.split("\n")[1]);
    const covering = await env.DB.prepare(
      "SELECT min(tree_size) AS size FROM audit_checkpoints WHERE tree_size > (SELECT leaf_index FROM audit_leaves WHERE event_id = ?)",
    )
      .bind(closed?.id)
      .first<{ size: number }>();
    expect(size).toBe(covering?.size);
  });

  it("records each export as access_review.evidence_exported by the Super admin", async () => {
    const { agent, admin } = await signedInAdmin();
    const { run } = await closedRun(1, 0);
    const csv = await agent.get(`/admin/reviews/runs/${run.runId}/evidence.csv`);
    expect(csv.status, await summarizeResponse(csv)).toBe(200);
    await csv.arrayBuffer();
    const row = await env.DB.prepare(
      "SELECT actor_id, target_type, details FROM audit_events WHERE action = 'access_review.evidence_exported' AND target_id = ?",
    )
      .bind(run.runId)
      .first<{ actor_id: string; target_type: string; details: string }>();
    expect(row).toMatchObject({ actor_id: admin.id, target_type: "review_run" });
    expect(JSON.parse(row?.details ?? "{}")).toMatchObject({ runId: run.runId, format: "CSV" });
  });

  it("writes the CSV with the review's events (and the checkpoint in their proofs) first, then one row per item", async () => {
    const { agent } = await signedInAdmin();
    const { run } = await closedRun(2, 1);
    const response = await agent.get(`/admin/reviews/runs/${run.runId}/evidence.csv`);
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ""));
    expect(header).toEqual([...evidenceCsvColumns]);
    const column = (name: string) => header?.indexOf(name) ?? -1;
    const audit = records.filter((record) => record[column("record")] === "audit_event");
    const items = records.filter((record) => record[column("record")] === "item");
    expect(items).toHaveLength(3);
    expect(audit.map((record) => record[column("audit_action")])).toContain("access_review.closed");
    expect(audit[0]?.[column("proof")]).toContain("c2sp.org/tlog-proof@v1");
    expect(records.indexOf(audit[0] ?? [])).toBeLessThan(records.indexOf(items[0] ?? []));
  });

  it("streams a review of 10,000 items whole, in pages", async () => {
    const { agent } = await signedInAdmin();
    const { run } = await closedRun(10_000, 0);
    const { body } = await evidenceJson(agent, run.runId);
    expect(body.items).toHaveLength(10_000);
    expect(new Set(body.items.map((item) => item.item_id)).size).toBe(10_000);
  });
});

describe("refusals", () => {
  it("refuses an open review's evidence (409) and records nothing", async () => {
    const { agent } = await signedInAdmin();
    const tenant = await createTestTenant(clock, "Still Open Ltd");
    const run = await seedReviewRun(clock);
    await seedReviewItems(clock, run, { tenantId: tenant.id, count: 2 });
    const response = await agent.get(`/admin/reviews/runs/${run.runId}/evidence.json`);
    expect(response.status, await summarizeResponse(response)).toBe(409);
    expect(await response.text()).toContain("still open");
    const recorded = await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE target_id = ?")
      .bind(run.runId)
      .first<{ n: number }>();
    expect(recorded?.n).toBe(0);
  });

  it("answers 404 for a review that does not exist", async () => {
    const { agent } = await signedInAdmin();
    const response = await agent.get("/admin/reviews/runs/rvr_nothing_here/evidence.csv");
    expect(response.status, await summarizeResponse(response)).toBe(404);
  });

  it("refuses an operator, whatever the review (403)", async () => {
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = await signInAs(app, clock, operator);
    const { run } = await closedRun(1, 0);
    const response = await agent.get(`/admin/reviews/runs/${run.runId}/evidence.json`);
    expect(response.status, await summarizeResponse(response)).toBe(403);
  });
});
