// The portal's access review page (/portal/<slug>/reviews, docs/ACCESS-REVIEWS.md): the company's
// client admins only; each sees the items they may decide in their own company (never their own),
// keeps with a justification shown again by its field when missing, revokes at once, decides
// ticked rows in bulk (an item of another company in the form is left alone and said so), and
// advises on staff items when the review asks them to.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createCampaign } from "../../src/domain/reviews/review-campaigns";
import { openRun } from "../../src/domain/reviews/review-runs";
import type { Agent } from "../helpers/agent";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  signInAs,
  testContext,
  testPrincipal,
} from "../helpers/factories";

const clock = new TestClock("2026-12-03T09:00:00Z");
const app = createTestApp(clock);

async function company(name: string) {
  const tenant = await createTestTenant(clock, name);
  const admin = await createActiveUser(clock, { role: "CLIENT_USER", firstName: "Ada", lastName: name });
  const viewer = await createActiveUser(clock, { role: "CLIENT_USER", firstName: "Vic", lastName: name });
  const operator = await createActiveUser(clock, { role: "OPERATOR", firstName: "Olli", lastName: name });
  await grantTestMembership(clock, { userId: admin.id, tenantId: tenant.id, role: "CLIENT_ADMIN" });
  const viewerMembership = await grantTestMembership(clock, {
    userId: viewer.id,
    tenantId: tenant.id,
    role: "CLIENT_VIEWER",
  });
  await grantTestMembership(clock, { userId: operator.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
  return { tenant, admin, viewer, operator, viewerMembership };
}

/** A one-off review of the tenants, opened now by a Super admin ("Start now"). */
async function openReview(tenantIds: string[], clientSayOnStaff: "none" | "advisory" = "none") {
  const ctx = testContext(clock, { kind: "user", principal: testPrincipal(clock, "SUPER_ADMIN") });
  const campaign = await createCampaign(ctx, {
    name: "Year-end review",
    allTenants: false,
    tenantIds,
    membershipKinds: "both",
    cadence: "once",
    durationDays: 14,
    clientSayOnStaff,
    justificationRequired: true,
    deadlineAction: "revoke",
    inactiveAfterDays: 30,
  });
  return openRun(ctx, campaign.id);
}

async function itemId(runId: string, userId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM review_items WHERE run_id = ? AND user_id = ?")
    .bind(runId, userId)
    .first<{ id: string }>();
  if (!row) throw new Error(`no item for ${userId}`);
  return row.id;
}

async function itemRow(id: string) {
  return env.DB.prepare("SELECT status, decision_source, justification FROM review_items WHERE id = ?")
    .bind(id)
    .first<{ status: string; decision_source: string | null; justification: string | null }>();
}

async function page(agent: Agent, path: string): Promise<string> {
  const response = await agent.get(path);
  expect(response.status, await summarizeResponse(response)).toBe(200);
  return response.text();
}

describe("/portal/:slug/reviews", () => {
  it("is for the company's client admins: a viewer gets 403, staff 404; the company page links to it", async () => {
    const acme = await company("Portal");
    await openReview([acme.tenant.id]);
    const admin = await signInAs(app, clock, acme.admin);
    expect(await page(admin, `/portal/${acme.tenant.slug}`)).toContain(`href="/portal/${acme.tenant.slug}/reviews"`);
    const viewer = await signInAs(app, clock, acme.viewer);
    expect((await viewer.get(`/portal/${acme.tenant.slug}/reviews`)).status).toBe(403);
    const operator = await signInAs(app, clock, acme.operator);
    expect((await operator.get(`/portal/${acme.tenant.slug}/reviews`)).status).toBe(404);
  });

  it("lists the client admin's own company's items to decide, never their own item nor another company's", async () => {
    const acme = await company("Listing");
    const globex = await company("Elsewhere");
    const run = await openReview([acme.tenant.id, globex.tenant.id]);
    const admin = await signInAs(app, clock, acme.admin);
    const html = await page(admin, `/portal/${acme.tenant.slug}/reviews`);
    const row = async (user: { id: string }) => `id="item-${await itemId(run.id, user.id)}"`;
    expect(html).toContain(await row(acme.viewer));
    expect(html, "a sole client admin's own item goes to the Super admins").not.toContain(await row(acme.admin));
    expect(html, "staff items are the granter's or the Super admins' unless clients have a say").not.toContain(
      await row(acme.operator),
    );
    expect(html).not.toContain(await row(globex.viewer));
    expect(html).not.toContain(globex.viewer.email);
  });

  it("shows a keep without a justification again with the error by its field, then keeps and says so", async () => {
    const acme = await company("Keep");
    const run = await openReview([acme.tenant.id]);
    const id = await itemId(run.id, acme.viewer.id);
    const admin = await signInAs(app, clock, acme.admin);
    const path = `/portal/${acme.tenant.slug}/reviews`;
    const refused = await admin.post(`${path}/items/${id}/decision`, { decision: "keep", justification: "" });
    expect(refused.status).toBe(400);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain(`id="justification-${id}-error"`);
    expect(refusedHtml).toContain("Say why this access is still needed.");
    expect((await itemRow(id))?.status).toBe("pending");

    const kept = await admin.post(`${path}/items/${id}/decision`, { decision: "keep", justification: "Runs payroll." });
    expect(kept.status, await summarizeResponse(kept)).toBe(303);
    expect(kept.headers.get("location")).toBe(path);
    expect(await itemRow(id)).toEqual({ status: "kept", decision_source: "reviewer", justification: "Runs payroll." });
    const after = await page(admin, path);
    expect(after).toContain(`Vic Keep keeps access to ${acme.tenant.name}.`);
    expect(after).not.toContain(acme.viewer.email);
  });

  it("revokes the ticked items in bulk, leaving another company's item alone and saying so", async () => {
    const acme = await company("Bulk");
    const globex = await company("Other");
    const run = await openReview([acme.tenant.id, globex.tenant.id]);
    const mine = await itemId(run.id, acme.viewer.id);
    const foreign = await itemId(run.id, globex.viewer.id);
    const admin = await signInAs(app, clock, acme.admin);
    const path = `/portal/${acme.tenant.slug}/reviews`;
    const response = await admin.post(`${path}/decisions`, [
      ["itemIds", mine],
      ["itemIds", foreign],
      ["decision", "revoke"],
      ["justification", "Left the company."],
    ]);
    expect(response.status, await summarizeResponse(response)).toBe(303);
    expect((await itemRow(mine))?.status).toBe("revoked");
    expect((await itemRow(foreign))?.status).toBe("pending");
    const membership = await env.DB.prepare("SELECT revoked_at, revoke_reason FROM memberships WHERE id = ?")
      .bind(acme.viewerMembership.id)
      .first<{ revoked_at: number; revoke_reason: string }>();
    expect(membership).toEqual({ revoked_at: clock.now().getTime(), revoke_reason: "removed" });
    const html = await page(admin, path);
    expect(html).toContain(`Vic Bulk no longer has access to ${acme.tenant.name}.`);
    expect(html).toContain("1 item was left alone: No such review item.");
  });

  it("takes advice on the company's staff when the review asks for it, once", async () => {
    const acme = await company("Advice");
    const run = await openReview([acme.tenant.id], "advisory");
    const id = await itemId(run.id, acme.operator.id);
    const admin = await signInAs(app, clock, acme.admin);
    const path = `/portal/${acme.tenant.slug}/reviews`;
    const before = await page(admin, path);
    expect(before).toContain("Staff with access to your company: your advice");
    expect(before).toContain(acme.operator.email);
    const advised = await admin.post(`${path}/items/${id}/advice`, {
      advice: "revoke",
      justification: "Not our team.",
    });
    expect(advised.status, await summarizeResponse(advised)).toBe(303);
    const row = await env.DB.prepare("SELECT status, advice, advice_justification FROM review_items WHERE id = ?")
      .bind(id)
      .first();
    expect(row).toEqual({ status: "pending", advice: "revoke", advice_justification: "Not our team." });
    const again = await admin.post(`${path}/items/${id}/advice`, { advice: "keep", justification: "" });
    expect(again.status).toBe(409);
  });
});
