import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, signInAs } from "../helpers/factories";

async function setup() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const api = new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, admin)));
  return { clock, app, admin, api };
}

type Membership = { id: string; expiresAt: string | null; role: string };

describe("/api/v1/memberships", () => {
  it("requires a future expiry for contractors and a role that fits the global role", async () => {
    const { clock, api } = await setup();
    const tenant = await createTestTenant(clock);
    const contractor = await createActiveUser(clock, { role: "CONTRACTOR" });
    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    const noExpiry = await api.expectJson<{ errors: Array<{ field: string; message: string }> }>(
      "POST",
      "/api/v1/memberships",
      { userId: contractor.id, tenantId: tenant.id, role: "OPERATOR_FULL" },
      400,
    );
    expect(noExpiry.errors).toEqual([{ field: "expiresAt", message: "Contractor memberships need an expiry date." }]);
    const past = await api.expectJson<{ errors: Array<{ field: string }> }>(
      "POST",
      "/api/v1/memberships",
      { userId: contractor.id, tenantId: tenant.id, role: "OPERATOR_FULL", expiresAt: "2026-11-01T00:00:00Z" },
      400,
    );
    expect(past.errors[0]?.field).toBe("expiresAt");
    const unfit = await api.expectJson<{ code: string; detail: string }>(
      "POST",
      "/api/v1/memberships",
      { userId: client.id, tenantId: tenant.id, role: "OPERATOR_FULL" },
      400,
    );
    expect(unfit.code).toBe("MEMBERSHIP_ROLE_UNFIT");
    expect(unfit.detail).toContain("Client admin or Client viewer");
    const created = await api.expectJson<{ membership: Membership }>(
      "POST",
      "/api/v1/memberships",
      { userId: contractor.id, tenantId: tenant.id, role: "OPERATOR_READONLY", expiresAt: "2026-12-01T00:00:00Z" },
      201,
    );
    expect(created.membership).toMatchObject({
      role: "OPERATOR_READONLY",
      expiresAt: "2026-12-01T00:00:00.000Z",
      createdBy: expect.any(String),
    });
  });

  it("allows one active membership per user and tenant (409 naming the existing one), and replaces an expired one not yet swept", async () => {
    const { clock, api } = await setup();
    const tenant = await createTestTenant(clock);
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    const body = { userId: user.id, tenantId: tenant.id, role: "OPERATOR_FULL", expiresAt: "2026-11-23T13:00:00Z" };
    const first = await api.expectJson<{ membership: Membership }>("POST", "/api/v1/memberships", body, 201);
    const duplicate = await api.expectJson<{ code: string; existingMembershipId: string }>(
      "POST",
      "/api/v1/memberships",
      body,
      409,
    );
    expect(duplicate).toMatchObject({ code: "DUPLICATE_MEMBERSHIP", existingMembershipId: first.membership.id });
    clock.set("2026-11-23T13:00:00Z");
    const replacement = await api.expectJson<{ membership: Membership }>(
      "POST",
      "/api/v1/memberships",
      { ...body, expiresAt: null },
      201,
    );
    const old = await env.DB.prepare("SELECT revoke_reason FROM memberships WHERE id = ?")
      .bind(first.membership.id)
      .first<{ revoke_reason: string }>();
    expect(old?.revoke_reason).toBe("expired");
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'membership.expired' AND actor_kind = 'system' AND target_id = ?",
    )
      .bind(first.membership.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
    expect(replacement.membership.expiresAt).toBeNull();
  });

  it("denies an expired membership from the instant of expiry, whatever the cron has done", async () => {
    const { clock, app, api } = await setup();
    const tenant = await createTestTenant(clock);
    const contractor = await createActiveUser(clock, { role: "CONTRACTOR" });
    await api.expectJson(
      "POST",
      "/api/v1/memberships",
      { userId: contractor.id, tenantId: tenant.id, role: "OPERATOR_FULL", expiresAt: "2026-11-23T12:30:00Z" },
      201,
    );
    const contractorAgent = await signInAs(app, clock, contractor);
    const before = await (await contractorAgent.get("/api/v1/me")).json<{ memberships: unknown[] }>();
    expect(before.memberships).toHaveLength(1);
    clock.set("2026-11-23T12:29:59.999Z");
    expect(
      (await (await contractorAgent.get("/api/v1/me")).json<{ memberships: unknown[] }>()).memberships,
    ).toHaveLength(1);
    clock.set("2026-11-23T12:30:00Z");
    expect(
      (await (await contractorAgent.get("/api/v1/me")).json<{ memberships: unknown[] }>()).memberships,
    ).toHaveLength(0);
    const row = await env.DB.prepare("SELECT revoked_at FROM memberships WHERE user_id = ?")
      .bind(contractor.id)
      .first<{ revoked_at: number | null }>();
    expect(row?.revoked_at).toBeNull();
  });

  it("changes, extends from the later of now and the expiry, and revokes with 204", async () => {
    const { clock, api } = await setup();
    const tenant = await createTestTenant(clock);
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    const { membership } = await api.expectJson<{ membership: Membership }>(
      "POST",
      "/api/v1/memberships",
      { userId: user.id, tenantId: tenant.id, role: "OPERATOR_FULL", expiresAt: "2026-12-01T00:00:00Z" },
      201,
    );
    const changed = await api.expectJson<{ membership: Membership }>(
      "PATCH",
      `/api/v1/memberships/${membership.id}`,
      { role: "OPERATOR_READONLY" },
      200,
    );
    expect(changed.membership).toMatchObject({ role: "OPERATOR_READONLY", expiresAt: "2026-12-01T00:00:00.000Z" });
    const cleared = await api.expectJson<{ errors: Array<{ field: string }> }>(
      "PATCH",
      `/api/v1/memberships/${membership.id}`,
      { expiresAt: null },
      400,
    );
    expect(cleared.errors[0]?.field).toBe("expiresAt");
    const extended = await api.expectJson<{ membership: Membership }>(
      "POST",
      `/api/v1/memberships/${membership.id}/extend`,
      { days: 30 },
      200,
    );
    expect(extended.membership.expiresAt).toBe("2026-12-31T00:00:00.000Z");
    expect((await api.call("PATCH", `/api/v1/memberships/${membership.id}`, { tenantId: "other" })).status).toBe(400);
    const removed = await api.call("DELETE", `/api/v1/memberships/${membership.id}`);
    expect(removed.status).toBe(204);
    expect((await api.call("DELETE", `/api/v1/memberships/${membership.id}`)).status).toBe(404);
    const actions = await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(membership.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual([
      "membership.granted",
      "membership.changed",
      "membership.changed",
      "membership.revoked",
    ]);
  });

  it("lists active memberships filtered by tenant, user, role and expiry window, soonest first", async () => {
    const { clock, api } = await setup();
    const tenant = await createTestTenant(clock, "Filter");
    const other = await createTestTenant(clock, "Other");
    const users = await Promise.all([1, 2, 3].map(() => createActiveUser(clock, { role: "CONTRACTOR" })));
    const expiries = ["2026-12-20T00:00:00Z", "2026-11-25T00:00:00Z", "2026-11-28T00:00:00Z"];
    for (const [index, user] of users.entries()) {
      await api.expectJson(
        "POST",
        "/api/v1/memberships",
        { userId: user.id, tenantId: tenant.id, role: "OPERATOR_READONLY", expiresAt: expiries[index] },
        201,
      );
    }
    await api.expectJson(
      "POST",
      "/api/v1/memberships",
      { userId: users[0]?.id, tenantId: other.id, role: "OPERATOR_FULL", expiresAt: "2026-11-24T00:00:00Z" },
      201,
    );
    const all = await api.expectJson<{ items: Array<{ expiresAt: string; tenantId: string }> }>(
      "GET",
      `/api/v1/memberships?tenantId=${tenant.id}`,
      undefined,
      200,
    );
    expect(all.items.map((m) => m.expiresAt.slice(0, 10))).toEqual(["2026-11-25", "2026-11-28", "2026-12-20"]);
    const soon = await api.expectJson<{ items: unknown[] }>(
      "GET",
      `/api/v1/memberships?tenantId=${tenant.id}&expiringWithinDays=7`,
      undefined,
      200,
    );
    expect(soon.items).toHaveLength(2);
    const byUser = await api.expectJson<{ items: Array<{ tenantId: string }> }>(
      "GET",
      `/api/v1/memberships?userId=${users[0]?.id}&role=OPERATOR_FULL`,
      undefined,
      200,
    );
    expect(byUser.items.map((m) => m.tenantId)).toEqual([other.id]);
    const paged = await api.expectJson<{ items: unknown[]; nextCursor: string }>(
      "GET",
      `/api/v1/memberships?tenantId=${tenant.id}&limit=2`,
      undefined,
      200,
    );
    const rest = await api.expectJson<{ items: Array<{ expiresAt: string }>; nextCursor: null }>(
      "GET",
      `/api/v1/memberships?tenantId=${tenant.id}&limit=2&cursor=${paged.nextCursor}`,
      undefined,
      200,
    );
    expect(rest.items.map((m) => m.expiresAt.slice(0, 10))).toEqual(["2026-12-20"]);
    expect(rest.nextCursor).toBeNull();
  });
});
