// Access reviews through /api/v1 (docs/API.md "Access reviews"): campaigns for Super admins only,
// "Start now" opening a real review, and items decided and advised on under the same authorize()
// as the console and the portal: a client admin reaches their own company's items only, nobody
// their own item, a revocation ends the membership at once with the campaign as the audit actor.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import {
  type ActiveTestUser,
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  grantTestMembership,
  signInAs,
} from "../helpers/factories";

const clock = new TestClock("2026-12-03T09:00:00Z");
const app = createTestApp(clock);

interface Item {
  id: string;
  runId: string;
  member: { id: string; email: string };
  tenant: { id: string };
  reviewerKey: string;
  status: string;
  decisionSource: string | null;
  justification: string | null;
  advice: { advice: string; justification: string | null } | null;
}

async function apiFor(user: ActiveTestUser): Promise<ApiClient> {
  return new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, user)));
}

async function superAdminApi(): Promise<ApiClient> {
  return apiFor(await createActiveUser(clock, { role: "SUPER_ADMIN" }));
}

/** A company with two client admins, a viewer and an operator granted by a Super admin. */
async function company(name: string) {
  const tenant = await createTestTenant(clock, name);
  const people = {
    admin: await createActiveUser(clock, { role: "CLIENT_USER" }),
    otherAdmin: await createActiveUser(clock, { role: "CLIENT_USER" }),
    viewer: await createActiveUser(clock, { role: "CLIENT_USER" }),
    operator: await createActiveUser(clock, { role: "OPERATOR" }),
  };
  const membershipIds = {
    admin: (await grantTestMembership(clock, { userId: people.admin.id, tenantId: tenant.id, role: "CLIENT_ADMIN" }))
      .id,
    otherAdmin: (
      await grantTestMembership(clock, { userId: people.otherAdmin.id, tenantId: tenant.id, role: "CLIENT_ADMIN" })
    ).id,
    viewer: (await grantTestMembership(clock, { userId: people.viewer.id, tenantId: tenant.id, role: "CLIENT_VIEWER" }))
      .id,
    operator: (
      await grantTestMembership(clock, { userId: people.operator.id, tenantId: tenant.id, role: "OPERATOR_FULL" })
    ).id,
  };
  return { tenant, people, membershipIds };
}

/** A one-off review of these tenants, started now through the API; returns its run id. */
async function startReview(sa: ApiClient, tenantIds: string[], settings: Record<string, unknown> = {}) {
  const { campaign } = await sa.expectJson<{ campaign: { id: string } }>(
    "POST",
    "/api/v1/access-reviews",
    { name: `Review ${crypto.randomUUID().slice(0, 6)}`, allTenants: false, tenantIds, cadence: "once", ...settings },
    201,
  );
  const { run } = await sa.expectJson<{ run: { id: string; itemCount: number } }>(
    "POST",
    `/api/v1/access-reviews/${campaign.id}/start`,
    undefined,
    201,
  );
  return { campaignId: campaign.id, runId: run.id, itemCount: run.itemCount };
}

async function itemsOf(api: ApiClient, query = ""): Promise<Item[]> {
  return (await api.expectJson<{ items: Item[] }>("GET", `/api/v1/access-review-items${query}`, undefined, 200)).items;
}

function itemFor(items: Item[], user: { id: string }): Item {
  const found = items.find((item) => item.member.id === user.id);
  if (!found) throw new Error(`no item for ${user.id} in ${JSON.stringify(items.map((i) => i.member.id))}`);
  return found;
}

async function membershipRow(id: string) {
  return env.DB.prepare("SELECT revoked_at, revoke_reason, revoked_by, expires_at FROM memberships WHERE id = ?")
    .bind(id)
    .first<{
      revoked_at: number | null;
      revoke_reason: string | null;
      revoked_by: string | null;
      expires_at: number | null;
    }>();
}

describe("campaigns: /api/v1/access-reviews", () => {
  it("creates a campaign with the documented defaults, lists, reads, changes and stops it", async () => {
    const sa = await superAdminApi();
    const { tenant } = await company("Defaults");
    const created = await sa.expectJson<{ campaign: Record<string, unknown> }>(
      "POST",
      "/api/v1/access-reviews",
      { name: "PCI half-yearly", allTenants: false, tenantIds: [tenant.id], cadence: "half_yearly" },
      201,
    );
    expect(created.campaign).toMatchObject({
      name: "PCI half-yearly",
      allTenants: false,
      tenantIds: [tenant.id],
      membershipKinds: "both",
      cadence: "half_yearly",
      durationDays: 14,
      clientSayOnStaff: "none",
      justificationRequired: true,
      deadlineAction: "revoke",
      inactiveAfterDays: 30,
      startsAt: clock.now().toISOString(),
      nextRunAt: clock.now().toISOString(),
      stoppedAt: null,
    });
    const id = created.campaign.id as string;
    const row = await env.DB.prepare("SELECT cadence, next_run_at FROM review_campaigns WHERE id = ?")
      .bind(id)
      .first<{ cadence: string; next_run_at: number }>();
    expect(row).toEqual({ cadence: "half_yearly", next_run_at: clock.now().getTime() });

    const list = await sa.expectJson<{ items: Array<{ id: string }> }>(
      "GET",
      "/api/v1/access-reviews?limit=100",
      undefined,
      200,
    );
    expect(list.items.map((campaign) => campaign.id)).toContain(id);
    const read = await sa.expectJson<{ campaign: { id: string }; tenants: Array<{ id: string }>; runs: unknown[] }>(
      "GET",
      `/api/v1/access-reviews/${id}`,
      undefined,
      200,
    );
    expect(read.tenants.map((t) => t.id)).toEqual([tenant.id]);
    expect(read.runs).toEqual([]);

    const changed = await sa.expectJson<{ campaign: { durationDays: number } }>(
      "PATCH",
      `/api/v1/access-reviews/${id}`,
      { durationDays: 21 },
      200,
    );
    expect(changed.campaign.durationDays).toBe(21);
    const stopped = await sa.expectJson<{ campaign: { stoppedAt: string; nextRunAt: null } }>(
      "POST",
      `/api/v1/access-reviews/${id}/stop`,
      undefined,
      200,
    );
    expect(stopped.campaign).toMatchObject({ stoppedAt: clock.now().toISOString(), nextRunAt: null });
    const again = await sa.expectJson<{ code: string }>("POST", `/api/v1/access-reviews/${id}/stop`, undefined, 409);
    expect(again.code).toBe("STATE_CONFLICT");
  });

  it("refuses a campaign with no tenant chosen, a duration out of range and an unknown field, naming each", async () => {
    const sa = await superAdminApi();
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ name: "Bad", allTenants: false, cadence: "quarterly" }, "tenantIds"],
      [{ name: "Bad", allTenants: true, cadence: "quarterly", durationDays: 91 }, "durationDays"],
      [{ name: "Bad", allTenants: true, cadence: "quarterly", role: "SUPER_ADMIN" }, "body"],
    ];
    for (const [body, field] of refusals) {
      const refused = await sa.expectJson<{ errors: Array<{ field: string }> }>(
        "POST",
        "/api/v1/access-reviews",
        body,
        400,
      );
      expect(refused.errors.map((error) => error.field)).toEqual([field]);
    }
    const count = await env.DB.prepare("SELECT count(*) AS n FROM review_campaigns WHERE name = 'Bad'").first<{
      n: number;
    }>();
    expect(count?.n).toBe(0);
  });

  it("is the Super admins' alone: an operator holding every console permission and a client admin get 403", async () => {
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(operator.id, [
      "users:read",
      "users:create",
      "users:update",
      "users:delete",
      "memberships:read",
      "memberships:create",
      "memberships:update",
      "memberships:delete",
      "tenants:read",
      "tenants:create",
      "tenants:update",
      "tenants:delete",
      "audit:read",
    ]);
    const { people } = await company("Refusals");
    for (const api of [await apiFor(operator), await apiFor(people.admin)]) {
      const list = await api.expectJson<{ code: string; detail: string }>(
        "GET",
        "/api/v1/access-reviews",
        undefined,
        403,
      );
      expect(list.detail).toBe("Only a Super admin can manage access reviews.");
      await api.expectJson("POST", "/api/v1/access-reviews", { name: "x", allTenants: true, cadence: "once" }, 403);
      await api.expectJson("GET", "/api/v1/access-review-runs/rvr_none", undefined, 403);
      await api.expectJson("GET", "/api/v1/access-review-items?scope=all", undefined, 403);
    }
    const count = await env.DB.prepare("SELECT count(*) AS n FROM review_campaigns WHERE name = 'x'").first<{
      n: number;
    }>();
    expect(count?.n).toBe(0);
  });
});

describe("items: /api/v1/access-review-items", () => {
  it("starts a review now and shows its progress per tenant and per reviewer", async () => {
    const sa = await superAdminApi();
    const acme = await company("Progress");
    const { runId, itemCount } = await startReview(sa, [acme.tenant.id]);
    expect(itemCount).toBe(4);
    const progress = await sa.expectJson<{
      run: { id: string; closedAt: null };
      progress: { totals: { pending: number; total: number }; byTenant: Array<{ tenantId: string }> };
    }>("GET", `/api/v1/access-review-runs/${runId}`, undefined, 200);
    expect(progress.run).toMatchObject({ id: runId, closedAt: null });
    expect(progress.progress.totals).toMatchObject({ pending: 4, total: 4 });
    expect(progress.progress.byTenant.map((entry) => entry.tenantId)).toEqual([acme.tenant.id]);
    const all = await itemsOf(sa, `?scope=all&runId=${runId}`);
    expect(all).toHaveLength(4);
    expect(itemFor(all, acme.people.operator).reviewerKey).toBe("super_admins");
  });

  it("lets a client admin review their own company's client items only, never their own item", async () => {
    const sa = await superAdminApi();
    const acme = await company("Acme");
    const globex = await company("Globex");
    const { runId } = await startReview(sa, [acme.tenant.id, globex.tenant.id], { membershipKinds: "client" });
    const admin = await apiFor(acme.people.admin);
    const mine = await itemsOf(admin, `?runId=${runId}`);
    expect(mine.map((item) => item.member.id).sort()).toEqual(
      [acme.people.otherAdmin.id, acme.people.viewer.id].sort(),
    );
    expect(mine.every((item) => item.tenant.id === acme.tenant.id)).toBe(true);

    const all = await itemsOf(sa, `?scope=all&runId=${runId}`);
    const own = itemFor(all, acme.people.admin);
    const foreign = itemFor(all, globex.people.viewer);
    const refusedOwn = await admin.call("POST", `/api/v1/access-review-items/${own.id}/decision`, {
      decision: "keep",
      justification: "Me.",
    });
    expect(refusedOwn.status, await refusedOwn.clone().text()).toBe(403);
    const refusedForeign = await admin.call("POST", `/api/v1/access-review-items/${foreign.id}/decision`, {
      decision: "revoke",
    });
    expect(refusedForeign.status, "another company's item is not even visible").toBe(404);
    const read = await admin.call("GET", `/api/v1/access-review-items/${foreign.id}`);
    expect(read.status).toBe(404);
    expect((await membershipRow(globex.membershipIds.viewer))?.revoked_at).toBeNull();
    const items = await itemsOf(sa, `?scope=all&runId=${runId}`);
    expect(items.filter((item) => item.status !== "pending")).toEqual([]);
  });

  it("keeps with a justification (required), never touching the membership, and answers 409 when decided again", async () => {
    const sa = await superAdminApi();
    const acme = await company("Keep");
    await env.DB.prepare("UPDATE memberships SET expires_at = ? WHERE id = ?")
      .bind(clock.now().getTime() + 86_400_000 * 20, acme.membershipIds.viewer)
      .run();
    const { runId } = await startReview(sa, [acme.tenant.id], { membershipKinds: "client" });
    const admin = await apiFor(acme.people.admin);
    const viewer = itemFor(await itemsOf(admin, `?runId=${runId}`), acme.people.viewer);
    const missing = await admin.expectJson<{ errors: Array<{ field: string }> }>(
      "POST",
      `/api/v1/access-review-items/${viewer.id}/decision`,
      { decision: "keep" },
      400,
    );
    expect(missing.errors.map((error) => error.field)).toEqual(["justification"]);
    const before = await membershipRow(acme.membershipIds.viewer);
    const kept = await admin.expectJson<{ item: Item }>(
      "POST",
      `/api/v1/access-review-items/${viewer.id}/decision`,
      { decision: "keep", justification: "Runs the monthly close." },
      200,
    );
    expect(kept.item).toMatchObject({
      status: "kept",
      decisionSource: "reviewer",
      justification: "Runs the monthly close.",
    });
    expect(await membershipRow(acme.membershipIds.viewer)).toEqual(before);
    const again = await admin.expectJson<{ code: string }>(
      "POST",
      `/api/v1/access-review-items/${viewer.id}/decision`,
      { decision: "revoke" },
      409,
    );
    expect(again.code).toBe("STATE_CONFLICT");
    const audit = await env.DB.prepare(
      "SELECT actor_id, target_id, details FROM audit_events WHERE action = 'access_review.item_decided' AND target_id = ?",
    )
      .bind(viewer.id)
      .all<{ actor_id: string; details: string }>();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0]?.actor_id).toBe(acme.people.admin.id);
    expect(JSON.parse(audit.results[0]?.details ?? "{}")).toMatchObject({
      decision: "keep",
      justification: "Runs the monthly close.",
    });
  });

  it("revokes at once with the campaign as the actor, and the member loses the company on their next request", async () => {
    const sa = await superAdminApi();
    const acme = await company("Revoke");
    const { runId, campaignId } = await startReview(sa, [acme.tenant.id], { membershipKinds: "client" });
    const viewerApi = await apiFor(acme.people.viewer);
    const before = await viewerApi.call("GET", `/api/v1/tenants/${acme.tenant.id}/updates`);
    expect(before.status).toBe(200);
    const admin = await apiFor(acme.people.admin);
    const item = itemFor(await itemsOf(admin, `?runId=${runId}`), acme.people.viewer);
    await admin.expectJson("POST", `/api/v1/access-review-items/${item.id}/decision`, { decision: "revoke" }, 200);
    expect(await membershipRow(acme.membershipIds.viewer)).toMatchObject({
      revoked_at: clock.now().getTime(),
      revoke_reason: "removed",
      revoked_by: null,
    });
    const event = await env.DB.prepare(
      "SELECT actor_kind, actor_id, details FROM audit_events WHERE action = 'membership.revoked' AND target_id = ?",
    )
      .bind(acme.membershipIds.viewer)
      .first<{ actor_kind: string; actor_id: string; details: string }>();
    expect(event).toMatchObject({ actor_kind: "service:access_review", actor_id: campaignId });
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({
      reviewItemId: item.id,
      runId,
      decidedBy: acme.people.admin.id,
      source: "reviewer",
    });
    const after = await viewerApi.call("GET", `/api/v1/tenants/${acme.tenant.id}/updates`);
    expect(after.status, "the next request after the revocation").toBe(404);
  });

  it("decides in bulk, reporting the items it skipped and deciding the rest", async () => {
    const sa = await superAdminApi();
    const acme = await company("Bulk");
    const globex = await company("Bulk other");
    const { runId } = await startReview(sa, [acme.tenant.id, globex.tenant.id], { membershipKinds: "client" });
    const admin = await apiFor(acme.people.admin);
    const all = await itemsOf(sa, `?scope=all&runId=${runId}`);
    const viewer = itemFor(all, acme.people.viewer);
    const otherAdmin = itemFor(all, acme.people.otherAdmin);
    const foreign = itemFor(all, globex.people.viewer);
    await admin.expectJson(
      "POST",
      `/api/v1/access-review-items/${otherAdmin.id}/decision`,
      { decision: "keep", justification: "Backup admin." },
      200,
    );
    const result = await admin.expectJson<{
      decided: Array<{ id: string }>;
      skipped: Array<{ id: string; reason: string }>;
    }>(
      "POST",
      "/api/v1/access-review-items/decisions",
      {
        itemIds: [viewer.id, otherAdmin.id, foreign.id],
        decision: "keep",
        justification: "Still on the account team.",
      },
      200,
    );
    expect(result.decided.map((item) => item.id)).toEqual([viewer.id]);
    expect(result.skipped.map((item) => item.id).sort()).toEqual([otherAdmin.id, foreign.id].sort());
    const after = await itemsOf(sa, `?scope=all&runId=${runId}`);
    expect(itemFor(after, globex.people.viewer).status).toBe("pending");
    expect(itemFor(after, acme.people.viewer)).toMatchObject({
      status: "kept",
      justification: "Still on the account team.",
    });
  });

  it("takes a client admin's advice on a staff item once, while it is pending, and changes nothing else", async () => {
    const sa = await superAdminApi();
    const acme = await company("Advice");
    const { runId } = await startReview(sa, [acme.tenant.id], {
      membershipKinds: "staff",
      clientSayOnStaff: "advisory",
    });
    const admin = await apiFor(acme.people.admin);
    const staff = itemFor(await itemsOf(admin, `?runId=${runId}`), acme.people.operator);
    const decide = await admin.call("POST", `/api/v1/access-review-items/${staff.id}/decision`, { decision: "revoke" });
    expect(decide.status, "advisory: the client admin does not decide").toBe(403);
    const advised = await admin.expectJson<{ item: Item }>(
      "POST",
      `/api/v1/access-review-items/${staff.id}/advice`,
      { advice: "revoke", justification: "We have not worked with Olivia since spring." },
      200,
    );
    expect(advised.item.advice).toMatchObject({ advice: "revoke" });
    expect(advised.item.status).toBe("pending");
    expect((await membershipRow(acme.membershipIds.operator))?.revoked_at).toBeNull();
    const twice = await admin.expectJson<{ code: string }>(
      "POST",
      `/api/v1/access-review-items/${staff.id}/advice`,
      { advice: "keep" },
      409,
    );
    expect(twice.code).toBe("STATE_CONFLICT");
    const viewer = await apiFor(acme.people.viewer);
    const notAdmin = await viewer.call("POST", `/api/v1/access-review-items/${staff.id}/advice`, { advice: "keep" });
    expect(notAdmin.status).toBe(403);
  });
});
