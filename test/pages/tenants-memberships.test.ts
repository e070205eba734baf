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

/** Text as the pages write it (hono/jsx escapes quotes and apostrophes). */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("'", "&#39;").replaceAll('"', "&quot;");
}

/** The table row of a membership, as rendered (from its <tr> to its </tr>). */
function membershipRow(html: string, membershipId: string): string {
  return new RegExp(`<tr id="membership-${membershipId}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
}

/** The path a redirect leads to, without the #fragment a browser keeps to itself. */
function redirectPath(response: Response): string {
  return (response.headers.get("location") ?? "").split("#")[0] ?? "";
}

const flashMarkup = '<div class="notice notice-success flash" role="status" aria-live="polite">';

describe("Admin → Tenants", () => {
  it("creates a tenant and explains a taken or malformed slug next to the field", async () => {
    const { agent } = await setup();
    const slug = `globex-${crypto.randomUUID().slice(0, 6)}`;
    const created = await agent.post("/admin/tenants", { name: "Globex", slug, description: "" });
    expect(created.status, await summarizeResponse(created)).toBe(303);
    expect(created.headers.get("location")).toBe(`/admin/tenants/${slug}`);
    expect(await (await agent.get(`/admin/tenants/${slug}`)).text()).toContain(
      `${flashMarkup}The tenant Globex was created. Add its members below.</div>`,
    );
    expect(await (await agent.get(`/admin/tenants/${slug}`)).text(), "a reload shows no flash").not.toContain(
      flashMarkup,
    );
    const taken = await agent.post("/admin/tenants", { name: "Globex again", slug, description: "" });
    const takenHtml = await taken.text();
    expect(taken.status).toBe(409);
    expect(takenHtml).toContain('id="field-slug-error">This slug is already taken.');
    expect(takenHtml).toContain('value="Globex again"');
    const bad = await agent.post("/admin/tenants", { name: "Bad", slug: "No Spaces", description: "" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("lower-case letters, digits and dashes");
  });

  it("saves a tenant's details and says so by name on its page", async () => {
    const { clock, agent } = await setup();
    const tenant = await createTestTenant(clock, "Initech");
    const saved = await agent.post(`/admin/tenants/${tenant.slug}`, {
      name: "Initech Ltd",
      slug: tenant.slug,
      description: "Printers.",
    });
    expect(saved.status, await summarizeResponse(saved)).toBe(303);
    expect(saved.headers.get("location")).toBe(`/admin/tenants/${tenant.slug}`);
    const html = await (await agent.get(`/admin/tenants/${tenant.slug}`)).text();
    expect(html).toContain(`${flashMarkup}The details of Initech Ltd were saved.</div>`);
    const row = await env.DB.prepare("SELECT name, description FROM tenants WHERE id = ?").bind(tenant.id).first();
    expect(row).toEqual({ name: "Initech Ltd", description: "Printers." });
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
  it("adds a contractor membership with an expiry read in the admin's time zone, shown in one format", async () => {
    const { clock, agent, admin } = await setup();
    await env.DB.prepare("UPDATE users SET time_zone = 'America/New_York' WHERE id = ?").bind(admin.id).run();
    const tenant = await createTestTenant(clock, "Acme Corp");
    const contractor = await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Carl", lastName: "Contractor" });
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
    const row = await env.DB.prepare("SELECT id, expires_at FROM memberships WHERE user_id = ?")
      .bind(contractor.id)
      .first<{ id: string; expires_at: number }>();
    expect(added.status, await summarizeResponse(added)).toBe(303);
    expect(added.headers.get("location")).toBe(`/admin/memberships#membership-${row?.id}`);
    expect(new Date(row?.expires_at ?? 0).toISOString()).toBe("2026-12-01T14:00:00.000Z");
    const list = await (await agent.get(`/admin/memberships?tenantId=${tenant.id}`)).text();
    expect(membershipRow(list, row?.id ?? "")).toContain(
      `${flashMarkup}Carl Contractor now has Full access to Acme Corp until 1 Dec 2026</div>`,
    );
    expect(list).toContain(
      '<time datetime="2026-12-01T14:00:00.000Z" title="2026-12-01 14:00 UTC"><span class="nowrap">1 Dec 2026,</span> <span class="nowrap">09:00',
    );
    expect(list, "no raw ISO timestamp as text").not.toMatch(/>\s*2026-12-01T14:00/);
    const unknown = await agent.post("/admin/memberships", {
      userEmail: "nobody@example.test",
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "",
    });
    expect(await unknown.text()).toContain("No user has this email.");
  });

  it("names roles in words in the table, the filter and the add form, keeping the codes as option values", async () => {
    const { clock, agent } = await setup();
    const tenant = await createTestTenant(clock, "Globex");
    const operator = await createActiveUser(clock, { role: "OPERATOR", firstName: "Olga", lastName: "Operator" });
    const membership = await grantTestMembership(clock, {
      userId: operator.id,
      tenantId: tenant.id,
      role: "OPERATOR_READONLY",
    });
    for (const path of [`/admin/memberships?tenantId=${tenant.id}`, `/admin/tenants/${tenant.slug}`]) {
      const html = await (await agent.get(path)).text();
      const row = membershipRow(html, membership.id);
      expect(row, path).toContain('<span class="badge badge-neutral">Read-only</span>');
      expect(row, path).toContain("No end date");
      expect(html, path).not.toMatch(/>\s*(OPERATOR_READONLY|OPERATOR_FULL|CLIENT_ADMIN|CLIENT_VIEWER)\s*</);
      expect(html, path).toContain('<option value="OPERATOR_FULL">Full access</option>');
      expect(html, path).toContain('<option value="CLIENT_VIEWER">Client viewer</option>');
    }
    const tab = await (await agent.get(`/admin/users/${operator.id}/memberships`)).text();
    expect(membershipRow(tab, membership.id)).toContain('<span class="badge badge-neutral">Read-only</span>');
    expect(tab).not.toMatch(/>\s*OPERATOR_READONLY\s*</);
  });

  it("extends by 30 days with one click, says so next to the row once, and removes after a confirmation", async () => {
    const { clock, agent } = await setup();
    const tenant = await createTestTenant(clock, "Acme Corp");
    const user = await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Carl", lastName: "Contractor" });
    const membership = await grantTestMembership(clock, {
      userId: user.id,
      tenantId: tenant.id,
      role: "OPERATOR_READONLY",
      expiresAt: new Date("2026-11-30T00:00:00Z"),
    });
    const settings = `/admin/tenants/${tenant.slug}`;
    const page = await (await agent.get(settings)).text();
    expect(membershipRow(page, membership.id)).toContain(
      `<form method="post" action="/admin/memberships/${membership.id}/extend" class="inline">`,
    );
    const extended = await agent.post(`/admin/memberships/${membership.id}/extend`, { days: "30", returnTo: settings });
    expect(extended.status, await summarizeResponse(extended)).toBe(303);
    expect(extended.headers.get("location")).toBe(`${settings}#membership-${membership.id}`);
    const row = await env.DB.prepare("SELECT expires_at FROM memberships WHERE id = ?")
      .bind(membership.id)
      .first<{ expires_at: number }>();
    expect(new Date(row?.expires_at ?? 0).toISOString()).toBe("2026-12-30T00:00:00.000Z");
    const after = await (await agent.get(redirectPath(extended))).text();
    expect(membershipRow(after, membership.id)).toContain(
      `${flashMarkup}${escaped("Carl Contractor's access to Acme Corp now ends 30 Dec 2026")}</div>`,
    );
    expect((after.match(/class="notice notice-success flash"/g) ?? []).length, "shown once, by the row").toBe(1);
    expect(await (await agent.get(settings)).text(), "a reload shows no flash").not.toContain(flashMarkup);
    expect((await agent.post(`/admin/memberships/${membership.id}/extend`, { days: "1000" })).status).toBe(400);
    const confirm = await agent.get(
      `/admin/memberships/${membership.id}/remove?returnTo=${encodeURIComponent("//evil.example")}`,
    );
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain("Remove this membership?");
    expect(confirmHtml).toContain("loses Read-only access to Acme Corp");
    expect(confirmHtml).not.toContain("evil.example");
    const removed = await agent.post(`/admin/memberships/${membership.id}/remove`, { returnTo: "/admin/memberships" });
    expect(removed.headers.get("location")).toBe("/admin/memberships");
    expect(await (await agent.get("/admin/memberships")).text()).toContain(
      `${flashMarkup}${escaped("Carl Contractor's access to Acme Corp was removed")}</div>`,
    );
    const revoked = await env.DB.prepare("SELECT revoke_reason FROM memberships WHERE id = ?")
      .bind(membership.id)
      .first<{ revoke_reason: string }>();
    expect(revoked?.revoke_reason).toBe("removed");
  });

  it("goes back only to a page that shows memberships, whatever returnTo names", async () => {
    const { clock, agent } = await setup();
    const tenant = await createTestTenant(clock);
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    const membership = await grantTestMembership(clock, {
      userId: user.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: new Date("2026-12-30T00:00:00Z"),
    });
    const answers: Record<string, string> = {
      "/account": "/admin/memberships",
      "//evil.example/admin/memberships": "/admin/memberships",
      "/admin/users/x/../../logout": "/admin/memberships",
      "/admin/tenants/a/b": "/admin/memberships",
      [`/admin/users/${user.id}/memberships`]: `/admin/users/${user.id}/memberships`,
      [`/admin/memberships?tenantId=${tenant.id}`]: `/admin/memberships?tenantId=${tenant.id}`,
    };
    for (const [returnTo, expected] of Object.entries(answers)) {
      const extended = await agent.post(`/admin/memberships/${membership.id}/extend`, { days: "30", returnTo });
      expect(extended.headers.get("location"), returnTo).toBe(`${expected}#membership-${membership.id}`);
    }
    const edit = await (await agent.get(`/admin/memberships/${membership.id}/edit?returnTo=%2Faccount`)).text();
    expect(edit).toContain('<input type="hidden" name="returnTo" value="/admin/memberships"/>');
  });

  it("changes role and expiry on the membership's own edit page, with the UTC value in the details", async () => {
    const { clock, agent, admin } = await setup();
    await env.DB.prepare("UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = ?").bind(admin.id).run();
    const tenant = await createTestTenant(clock, "Globex");
    const operator = await createActiveUser(clock, { role: "OPERATOR", firstName: "Olga", lastName: "Operator" });
    const membership = await grantTestMembership(clock, {
      userId: operator.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: new Date("2027-01-11T16:00:00Z"),
    });
    const returnTo = `/admin/users/${operator.id}/memberships`;
    const tab = await (await agent.get(returnTo)).text();
    const editHref = `/admin/memberships/${membership.id}/edit?returnTo=${encodeURIComponent(returnTo)}`;
    expect(membershipRow(tab, membership.id)).toContain(`href="${editHref.replaceAll("&", "&amp;")}"`);
    const edit = await agent.get(editHref);
    const editHtml = await edit.text();
    expect(edit.status, editHtml).toBe(200);
    expect(editHtml).toContain("<h1>Olga Operator in Globex</h1>");
    expect(editHtml).toContain("<dt>Ends, in UTC</dt><dd>11 Jan 2027, 16:00 UTC</dd>");
    expect(editHtml).toContain('value="2027-01-11T17:00"');
    expect(editHtml).toContain('<option value="OPERATOR_FULL" selected="">Full access</option>');
    expect(editHtml).toContain('<option value="OPERATOR_READONLY">Read-only</option>');
    expect(editHtml).not.toContain("CLIENT_VIEWER");
    const saved = await agent.post(`/admin/memberships/${membership.id}/edit`, {
      returnTo,
      role: "OPERATOR_READONLY",
      expiresAt: "2027-02-01T09:30",
    });
    expect(saved.status, await summarizeResponse(saved)).toBe(303);
    expect(saved.headers.get("location")).toBe(`${returnTo}#membership-${membership.id}`);
    const row = await env.DB.prepare("SELECT role, expires_at FROM memberships WHERE id = ?")
      .bind(membership.id)
      .first<{ role: string; expires_at: number }>();
    expect(row).toEqual({ role: "OPERATOR_READONLY", expires_at: Date.parse("2027-02-01T08:30:00Z") });
    expect(membershipRow(await (await agent.get(returnTo)).text(), membership.id)).toContain(
      `${flashMarkup}Olga Operator now has Read-only access to Globex until 1 Feb 2027</div>`,
    );
    const later = await agent.post(`/admin/memberships/${membership.id}/edit`, {
      returnTo,
      role: "OPERATOR_READONLY",
      expiresAt: "",
    });
    expect(later.status).toBe(303);
    expect(await (await agent.get(returnTo)).text()).toContain(
      `${flashMarkup}${escaped("Olga Operator's access to Globex now has no end date")}</div>`,
    );
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
    expect(unfit.status).toBe(400);
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
    expect(soon).toContain('<span class="badge badge-warning">Ends soon</span>');
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

  it("counts recovery codes and regenerates them after password and code, showing them once after a redirect", async () => {
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
    expect(regenerated.status).toBe(303);
    expect(regenerated.headers.get("location")).toBe("/account/recovery-codes/new");
    const shown = await agent.get("/account/recovery-codes/new");
    const codes = extractRecoveryCodes(await shown.text());
    expect(codes).toHaveLength(10);
    const reloaded = await (await agent.get("/account/recovery-codes/new")).text();
    expect(extractRecoveryCodes(reloaded), "a reload shows no codes").toEqual([]);
    expect(reloaded).toContain("were shown once and are not shown again");
    expect(codes).not.toContain(user.recoveryCodes[0]);
    const unused = await env.DB.prepare(
      "SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(unused?.n).toBe(10);
  });
});
