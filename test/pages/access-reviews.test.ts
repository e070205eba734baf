// Admin → Access reviews (docs/ACCESS-REVIEWS.md): a Super admin sets up, edits, starts and stops a
// campaign through the forms; a review's page shows its progress and items; a reviewer decides their
// own items one by one or ticked in bulk (keep changes nothing, revoke ends the membership at once,
// keep needs a justification); an Operator sees only "Your reviews" and their own items.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  grantTestMembership,
  signInAs,
} from "../helpers/factories";
import { closeSeededRuns, seedReviewItemFor, seedReviewItems, seedReviewRun } from "../helpers/review-seed";

const clock = new TestClock("2026-12-01T09:00:00Z");
const app = createTestApp(clock);

async function signedIn(role: "SUPER_ADMIN" | "OPERATOR" = "SUPER_ADMIN") {
  const user = await createActiveUser(clock, { role });
  return { user, agent: await signInAs(app, clock, user) };
}

/** An Operator whose access group may end memberships: a grantor who reviews what they granted. */
async function signedInGrantor() {
  const user = await createActiveUser(clock, { role: "OPERATOR" });
  await grantPermissionsThroughGroup(user.id, ["memberships:read", "memberships:create", "memberships:delete"]);
  return { user, agent: await signInAs(app, clock, user) };
}

const campaignForm = (overrides: Record<string, string> = {}, tenantIds: string[] = []): Array<[string, string]> => [
  ...Object.entries({
    name: "Half-yearly PCI review",
    tenantScope: "all",
    membershipKinds: "both",
    cadence: "half_yearly",
    startsAt: "",
    durationDays: "14",
    clientSayOnStaff: "advisory",
    justificationRequired: "yes",
    deadlineAction: "revoke",
    inactiveAfterDays: "30",
    ...overrides,
  }),
  ...tenantIds.map((id): [string, string] => ["tenantIds", id]),
];

/** A client viewer of a fresh tenant with a live membership, and the tenant. */
async function clientMember(tenantName = "Reviewed Corp") {
  const tenant = await createTestTenant(clock, tenantName);
  const user = await createActiveUser(clock, { role: "CLIENT_USER" });
  const membership = await grantTestMembership(clock, { userId: user.id, tenantId: tenant.id, role: "CLIENT_VIEWER" });
  return { tenant, user, membership };
}

async function membershipRow(id: string) {
  return env.DB.prepare("SELECT revoked_at, revoke_reason, expires_at FROM memberships WHERE id = ?")
    .bind(id)
    .first<{ revoked_at: number | null; revoke_reason: string | null; expires_at: number | null }>();
}

async function itemRow(id: string) {
  return env.DB.prepare("SELECT status, decided_by, justification FROM review_items WHERE id = ?")
    .bind(id)
    .first<{ status: string; decided_by: string | null; justification: string | null }>();
}

describe("campaigns (Super admins)", () => {
  it("creates a campaign over chosen tenants from the form and shows it", async () => {
    const { agent } = await signedIn();
    const tenant = await createTestTenant(clock, "Chosen Ltd");
    const created = await agent.post("/admin/reviews", campaignForm({ tenantScope: "chosen" }, [tenant.id]));
    expect(created.status, await summarizeResponse(created)).toBe(303);
    const location = created.headers.get("location") ?? "";
    const campaignId = location.split("/").at(-1) ?? "";
    const row = await env.DB.prepare(
      "SELECT cadence, all_tenants, client_say_on_staff, next_run_at FROM review_campaigns WHERE id = ?",
    )
      .bind(campaignId)
      .first<{ cadence: string; all_tenants: number; client_say_on_staff: string; next_run_at: number }>();
    expect(row).toEqual({
      cadence: "half_yearly",
      all_tenants: 0,
      client_say_on_staff: "advisory",
      next_run_at: clock.now().getTime(),
    });
    const page = await agent.get(location);
    const html = await page.text();
    expect(page.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain("Half-yearly PCI review");
    expect(html).toContain("Chosen Ltd");
    expect(html).toContain("Start now");
  });

  it("shows the form again with the error by its field when no tenant is ticked", async () => {
    const { agent } = await signedIn();
    const refused = await agent.post("/admin/reviews", campaignForm({ tenantScope: "chosen", name: "Nobody chosen" }));
    const html = await refused.text();
    expect(refused.status, html.slice(0, 300)).toBe(400);
    expect(html).toContain("Choose at least one tenant, or all tenants.");
    expect(html).toContain('value="Nobody chosen"');
    const none = await env.DB.prepare("SELECT count(*) AS n FROM review_campaigns WHERE name = 'Nobody chosen'").first<{
      n: number;
    }>();
    expect(none?.n).toBe(0);
  });

  it("refuses a duration past 90 days with its own words", async () => {
    const { agent } = await signedIn();
    const refused = await agent.post("/admin/reviews", campaignForm({ durationDays: "120" }));
    const html = await refused.text();
    expect(refused.status, html.slice(0, 300)).toBe(400);
    expect(html).toContain("Give at most 90 days.");
  });

  it("edits a campaign, starts a review now, then stops the schedule", async () => {
    const { agent } = await signedIn();
    const { tenant, membership } = await clientMember("Started Inc");
    const created = await agent.post("/admin/reviews", campaignForm({ tenantScope: "chosen" }, [tenant.id]));
    const campaignPath = created.headers.get("location") ?? "";
    const edited = await agent.post(
      `${campaignPath}/edit`,
      campaignForm({ tenantScope: "chosen", durationDays: "21" }, [tenant.id]),
    );
    expect(edited.status, await summarizeResponse(edited)).toBe(303);
    const editForm = await (await agent.get(`${campaignPath}/edit`)).text();
    expect(editForm).toContain('value="21"');

    const started = await agent.post(`${campaignPath}/start`, {});
    expect(started.status, await summarizeResponse(started)).toBe(303);
    const runPath = started.headers.get("location") ?? "";
    expect(runPath).toMatch(/^\/admin\/reviews\/runs\//);
    const item = await env.DB.prepare("SELECT reviewer_key, status FROM review_items WHERE membership_id = ?")
      .bind(membership.id)
      .first<{ reviewer_key: string; status: string }>();
    expect(item).toEqual({ reviewer_key: "super_admins", status: "pending" });
    const runPage = await agent.get(runPath);
    const runHtml = await runPage.text();
    expect(runPage.status, runHtml.slice(0, 300)).toBe(200);
    expect(runHtml).toContain("Started Inc");
    expect(runHtml).toContain("By reviewer");

    const confirm = await agent.get(`${campaignPath}/stop`);
    expect(await confirm.text()).toContain("Stop the schedule");
    const stopped = await agent.post(`${campaignPath}/stop`, {});
    expect(stopped.status, await summarizeResponse(stopped)).toBe(303);
    const after = await (await agent.get(campaignPath)).text();
    expect(after).toContain("Stopped");
    expect(after).not.toContain("Start now");
  });

  it("refuses an Operator the campaigns (403) but shows them Access reviews with their own reviews", async () => {
    const { agent } = await signedIn("OPERATOR");
    expect((await agent.get("/admin/reviews/new")).status).toBe(403);
    expect((await agent.post("/admin/reviews", campaignForm())).status).toBe(403);
    const list = await agent.get("/admin/reviews");
    const html = await list.text();
    expect(list.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain("Your reviews");
    expect(html).not.toContain("New campaign");
    expect(html).toContain('href="/admin/reviews"');
  });
});

describe("the navigation", () => {
  it("gives every staff member Access reviews, which is not access: Home still says they have none yet", async () => {
    const { agent } = await signedIn("OPERATOR");
    const home = await agent.get("/admin");
    const html = await home.text();
    expect(home.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain('href="/admin/reviews"');
    expect(html).toContain("You have no access yet");
  });
});

describe("deciding in a review", () => {
  it("lists a reviewer's own items under Your reviews and lets them keep one, which changes nothing on the membership", async () => {
    const { agent, user: reviewer } = await signedInGrantor();
    const { membership } = await clientMember();
    const run = await seedReviewRun(clock, "Quarterly review, Dec");
    const itemId = await seedReviewItemFor(run, membership, `user:${reviewer.id}`);
    const home = await (await agent.get("/admin/reviews")).text();
    expect(home).toContain("Quarterly review, Dec");
    expect(home).toContain(`/admin/reviews/runs/${run.runId}?mine=1`);
    const page = await (await agent.get(`/admin/reviews/runs/${run.runId}`)).text();
    expect(page).toContain("Your items to decide");
    const kept = await agent.post(`/admin/reviews/runs/${run.runId}/items/${itemId}/decision`, {
      decision: "keep",
      justification: "Runs their monthly report.",
    });
    expect(kept.status, await summarizeResponse(kept)).toBe(303);
    expect(await itemRow(itemId)).toEqual({
      status: "kept",
      decided_by: reviewer.id,
      justification: "Runs their monthly report.",
    });
    expect(await membershipRow(membership.id)).toMatchObject({ revoked_at: null, expires_at: null });
    const flash = await (await agent.get(kept.headers.get("location") ?? "")).text();
    expect(flash).toContain("keeps access");
  });

  it("shows the row again with the error when keeping without a justification", async () => {
    const { agent, user: reviewer } = await signedInGrantor();
    const { membership } = await clientMember();
    const run = await seedReviewRun(clock);
    const itemId = await seedReviewItemFor(run, membership, `user:${reviewer.id}`);
    const refused = await agent.post(`/admin/reviews/runs/${run.runId}/items/${itemId}/decision`, {
      decision: "keep",
      justification: "",
    });
    const html = await refused.text();
    expect(refused.status, html.slice(0, 300)).toBe(400);
    expect(html).toContain(`id="item-${itemId}"`);
    expect(html).toMatch(/class="error"/);
    expect((await itemRow(itemId))?.status).toBe("pending");
  });

  it("revokes the ticked items in bulk: the memberships end at once", async () => {
    const { agent } = await signedIn();
    const first = await clientMember("Bulk One");
    const second = await clientMember("Bulk Two");
    const run = await seedReviewRun(clock);
    const ids = [await seedReviewItemFor(run, first.membership), await seedReviewItemFor(run, second.membership)];
    const mine = await (await agent.get(`/admin/reviews/runs/${run.runId}?mine=1`)).text();
    expect(mine).toContain("Decide the ticked items");
    // A keep without its justification is refused by its field, and the ticked rows stay ticked.
    const refused = await agent.post(`/admin/reviews/runs/${run.runId}/decisions`, [
      ["itemIds", ids[0] ?? ""],
      ["decision", "keep"],
      ["justification", ""],
    ]);
    const again = await refused.text();
    expect(refused.status, again.slice(0, 300)).toBe(400);
    expect(again).toMatch(new RegExp(`value="${ids[0]}"[^>]*checked`));
    expect(again).not.toMatch(new RegExp(`value="${ids[1]}"[^>]*checked`));
    const revoked = await agent.post(`/admin/reviews/runs/${run.runId}/decisions`, [
      ...ids.map((id): [string, string] => ["itemIds", id]),
      ["decision", "revoke"],
      ["justification", "Left the company."],
    ]);
    expect(revoked.status, await summarizeResponse(revoked)).toBe(303);
    for (const id of ids) expect((await itemRow(id))?.status).toBe("revoked");
    expect(await membershipRow(first.membership.id)).toMatchObject({
      revoked_at: clock.now().getTime(),
      revoke_reason: "removed",
    });
    expect((await membershipRow(second.membership.id))?.revoked_at).toBe(clock.now().getTime());
  });

  it("never lets an Operator decide an item that is not theirs", async () => {
    const { agent } = await signedIn("OPERATOR");
    const { membership } = await clientMember();
    const run = await seedReviewRun(clock);
    const itemId = await seedReviewItemFor(run, membership, "super_admins");
    // With no item in the review, the Operator learns nothing of it, not even its name.
    const response = await agent.get(`/admin/reviews/runs/${run.runId}`);
    const page = await response.text();
    expect(response.status).toBe(404);
    expect(page).not.toContain(itemId);
    expect(page).not.toContain("Quarterly access review");
    const refused = await agent.post(`/admin/reviews/runs/${run.runId}/items/${itemId}/decision`, {
      decision: "revoke",
      justification: "",
    });
    expect([403, 404], await summarizeResponse(refused)).toContain(refused.status);
    expect((await itemRow(itemId))?.status).toBe("pending");
    expect((await membershipRow(membership.id))?.revoked_at).toBeNull();
  });
});

describe("a review's page (Super admins)", () => {
  it("shows the progress per tenant and filters the items by status", async () => {
    const { agent } = await signedIn();
    const tenant = await createTestTenant(clock, "Progress GmbH");
    const run = await seedReviewRun(clock, "Progress review");
    await seedReviewItems(clock, run, { tenantId: tenant.id, count: 3 });
    await seedReviewItems(clock, run, { tenantId: tenant.id, count: 2, status: "kept" });
    const page = await (await agent.get(`/admin/reviews/runs/${run.runId}`)).text();
    expect(page).toContain("Progress GmbH");
    expect(page).toContain("By tenant");
    expect(page).toContain("revoke recommended");
    const kept = await (await agent.get(`/admin/reviews/runs/${run.runId}?status=kept`)).text();
    expect(kept.match(/<tr id="item-/g)?.length).toBe(2);
    expect(kept).toContain("Still works on this account.");
  });

  it("offers the evidence once the review is closed, never before", async () => {
    const { agent } = await signedIn();
    const tenant = await createTestTenant(clock, "Closing Co");
    const run = await seedReviewRun(clock, "Closing review");
    await seedReviewItems(clock, run, { tenantId: tenant.id, count: 2, status: "kept" });
    const open = await (await agent.get(`/admin/reviews/runs/${run.runId}`)).text();
    expect(open).not.toContain("evidence.csv");
    clock.advanceSeconds(60);
    await closeSeededRuns(clock);
    const closed = await (await agent.get(`/admin/reviews/runs/${run.runId}`)).text();
    expect(closed).toContain(`/admin/reviews/runs/${run.runId}/evidence.csv`);
    expect(closed).toContain(`/admin/reviews/runs/${run.runId}/evidence.json`);
    expect(closed).toContain("Closed");
  });
});
