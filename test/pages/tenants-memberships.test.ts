import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, grantTestMembership, signInAs } from "../helpers/factories";

async function setup() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, agent: await signInAs(app, clock, admin) };
}

describe("Admin → Tenants", () => {
  it("creates a tenant and explains a taken or malformed slug next to the field", async () => {
    const { agent } = await setup();
    const slug = `globex-${crypto.randomUUID().slice(0, 6)}`;
    const created = await agent.post("/admin/tenants", { name: "Globex", slug, description: "" });
    expect(created.status, await summarizeResponse(created)).toBe(303);
    expect(created.headers.get("location")).toBe(`/admin/tenants/${slug}?notice=tenant-created`);
    const taken = await agent.post("/admin/tenants", { name: "Globex again", slug, description: "" });
    const takenHtml = await taken.text();
    expect(taken.status).toBe(409);
    expect(takenHtml).toContain('id="field-slug-error">This slug is already taken.');
    expect(takenHtml).toContain('value="Globex again"');
    const bad = await agent.post("/admin/tenants", { name: "Bad", slug: "No Spaces", description: "" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("lower-case letters, digits and dashes");
  });

  it("shows only the tenant's own members on its settings page", async () => {
    const { clock, agent } = await setup();
    const mine = await createTestTenant(clock, "Mine");
    const theirs = await createTestTenant(clock, "Theirs");
    const member = await createActiveUser(clock, { firstName: "Member", lastName: "Mine" });
    const stranger = await createActiveUser(clock, { firstName: "Stranger", lastName: "Theirs" });
    await grantTestMembership(clock, { userId: member.id, tenantId: mine.id, role: "OPERATOR_FULL" });
    await grantTestMembership(clock, { userId: stranger.id, tenantId: theirs.id, role: "OPERATOR_FULL" });
    const html = await (await agent.get(`/admin/tenants/${mine.slug}`)).text();
    expect(html).toContain(member.email);
    expect(html).not.toContain(stranger.email);
    expect((await agent.get("/admin/tenants/no-such-tenant")).status).toBe(404);
  });
});

describe("Admin → Memberships", () => {
  it("adds a contractor membership with an expiry read in the admin's time zone", async () => {
    const { clock, agent, admin } = await setup();
    await env.DB.prepare("UPDATE users SET time_zone = 'America/New_York' WHERE id = ?").bind(admin.id).run();
    const tenant = await createTestTenant(clock);
    const contractor = await createActiveUser(clock, { role: "CONTRACTOR" });
    const missing = await agent.post("/admin/memberships", {
      userEmail: contractor.email,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "",
      returnTo: "/admin/memberships",
    });
    const missingHtml = await missing.text();
    expect(missing.status).toBe(400);
    expect(missingHtml).toContain('id="field-expiresAt-error">Contractor memberships need an expiry date.');
    expect(missingHtml).toContain(`value="${contractor.email}"`);
    const added = await agent.post("/admin/memberships", {
      userEmail: contractor.email,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "2026-12-01T09:00",
      returnTo: "/admin/memberships",
    });
    expect(added.headers.get("location")).toBe("/admin/memberships?notice=membership-added");
    const row = await env.DB.prepare("SELECT expires_at FROM memberships WHERE user_id = ?")
      .bind(contractor.id)
      .first<{ expires_at: number }>();
    expect(new Date(row?.expires_at ?? 0).toISOString()).toBe("2026-12-01T14:00:00.000Z");
    const list = await (await agent.get(`/admin/memberships?tenantId=${tenant.id}`)).text();
    expect(list).toContain("01 Dec 2026, 09:00");
    expect(list).toContain("2026-12-01T14:00:00.000Z");
    const unknown = await agent.post("/admin/memberships", {
      userEmail: "nobody@example.test",
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "",
    });
    expect(await unknown.text()).toContain("No user has this email.");
  });

  it("extends by 30 days from the later of now and the expiry, and removes after a confirmation", async () => {
    const { clock, agent } = await setup();
    const tenant = await createTestTenant(clock);
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    const membership = await grantTestMembership(clock, {
      userId: user.id,
      tenantId: tenant.id,
      role: "OPERATOR_READONLY",
      expiresAt: new Date("2026-11-30T00:00:00Z"),
    });
    const extended = await agent.post(`/admin/memberships/${membership.id}/extend`, {
      days: "30",
      returnTo: `/admin/tenants/${tenant.slug}`,
    });
    expect(extended.headers.get("location")).toBe(`/admin/tenants/${tenant.slug}?notice=membership-extended`);
    const row = await env.DB.prepare("SELECT expires_at FROM memberships WHERE id = ?")
      .bind(membership.id)
      .first<{ expires_at: number }>();
    expect(new Date(row?.expires_at ?? 0).toISOString()).toBe("2026-12-30T00:00:00.000Z");
    expect((await agent.post(`/admin/memberships/${membership.id}/extend`, { days: "1000" })).status).toBe(400);
    const confirm = await agent.get(
      `/admin/memberships/${membership.id}/remove?returnTo=${encodeURIComponent("//evil.example")}`,
    );
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain("Remove this membership?");
    expect(confirmHtml).not.toContain("evil.example");
    const removed = await agent.post(`/admin/memberships/${membership.id}/remove`, { returnTo: "/admin/memberships" });
    expect(removed.headers.get("location")).toBe("/admin/memberships?notice=membership-removed");
    const revoked = await env.DB.prepare("SELECT revoke_reason FROM memberships WHERE id = ?")
      .bind(membership.id)
      .first<{ revoke_reason: string }>();
    expect(revoked?.revoke_reason).toBe("removed");
  });

  it("filters by role and expiry window and refuses a role that does not fit", async () => {
    const { clock, agent } = await setup();
    const tenant = await createTestTenant(clock);
    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    const unfit = await agent.post("/admin/memberships", {
      userEmail: client.email,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "",
    });
    expect(await unfit.text()).toContain(
      "Full access does not fit the Client user role; use Client admin or Client viewer.",
    );
    await grantTestMembership(clock, {
      userId: client.id,
      tenantId: tenant.id,
      role: "CLIENT_VIEWER",
      expiresAt: new Date("2026-11-26T00:00:00Z"),
    });
    const soon = await (await agent.get(`/admin/memberships?tenantId=${tenant.id}&expiringWithinDays=5`)).text();
    expect(soon).toContain(client.email);
    const later = await (await agent.get(`/admin/memberships?tenantId=${tenant.id}&expiringWithinDays=1`)).text();
    expect(later).not.toContain(client.email);
    const bad = await agent.get("/admin/memberships?expiringWithinDays=-3");
    expect(bad.status).toBe(400);
  });
});

describe("/account", () => {
  it("changes display name and time zone, and lists and ends sessions", async () => {
    const { clock, app } = await setup();
    const user = await createActiveUser(clock);
    const first = await signInAs(app, clock, user);
    const second = await signInAs(app, clock, user);
    const saved = await first.post("/account/profile", { displayName: "New Name", timeZone: "Europe/Berlin" });
    expect(saved.headers.get("location")).toBe("/account");
    expect(await (await first.get("/account")).text()).toContain(
      "Your profile was saved: you are shown as New Name, and times are in Europe/Berlin.",
    );
    expect((await first.post("/account/profile", { displayName: "X", timeZone: "Mars/Olympus" })).status).toBe(400);
    const page = await (await first.get("/account")).text();
    expect(page).not.toContain("Your profile was saved");
    expect(page).toContain("this session");
    // Three live sessions (setup, first, second): every one but the current can be ended.
    expect((page.match(/name="sessionId"/g) ?? []).length).toBe(2);
    expect((await first.post("/account/sessions/end-others", {})).status).toBe(303);
    expect((await second.get("/account")).status).toBe(303);
    const row = await env.DB.prepare("SELECT display_name, time_zone FROM users WHERE id = ?").bind(user.id).first();
    expect(row).toEqual({ display_name: "New Name", time_zone: "Europe/Berlin" });
  });

  it("changes the password, ends the other sessions and queues a notice", async () => {
    const { clock, app } = await setup();
    const user = await createActiveUser(clock);
    const first = await signInAs(app, clock, user);
    const second = await signInAs(app, clock, user);
    const wrong = await first.post("/account/password", {
      currentPassword: "not it at all",
      newPassword: "a brand new passphrase",
      newPasswordConfirmation: "a brand new passphrase",
    });
    expect(await wrong.text()).toContain("That is not your current password.");
    const weak = await first.post("/account/password", {
      currentPassword: user.password,
      newPassword: "short",
      newPasswordConfirmation: "short",
    });
    expect(await weak.text()).toContain("Use at least 12 characters");
    const changed = await first.post("/account/password", {
      currentPassword: user.password,
      newPassword: "a brand new passphrase",
      newPasswordConfirmation: "a brand new passphrase",
    });
    expect(changed.headers.get("location")).toBe("/account");
    const after = await first.get("/account");
    expect(after.status).toBe(200);
    expect(await after.text()).toContain("Your password was changed. Your other sessions were ended");
    expect((await second.get("/account")).status).toBe(303);
    const mail = await env.DB.prepare("SELECT subject FROM outbox WHERE user_id = ? ORDER BY created_at DESC LIMIT 1")
      .bind(user.id)
      .first<{ subject: string }>();
    expect(mail?.subject).toBe("Your Gatehouse password was changed");
    await signInAs(app, clock, { ...user, password: "a brand new passphrase" });
  });

  it("counts recovery codes and regenerates them after password and code", async () => {
    const { clock, app } = await setup();
    const user = await createActiveUser(clock);
    const agent = await signInAs(app, clock, user);
    expect(await (await agent.get("/account")).text()).toContain("<strong>10</strong> unused recovery codes");
    const { totpCode, extractRecoveryCodes } = await import("../helpers/totp");
    clock.advanceSeconds(30);
    const regenerated = await agent.post("/account/recovery-codes", {
      password: user.password,
      code: totpCode(user.totpSecret, clock.now()),
    });
    const codes = extractRecoveryCodes(await regenerated.text());
    expect(codes).toHaveLength(10);
    expect(codes).not.toContain(user.recoveryCodes[0]);
    const unused = await env.DB.prepare(
      "SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(unused?.n).toBe(10);
  });
});
