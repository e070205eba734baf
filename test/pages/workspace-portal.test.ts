import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { revokeMembership } from "../../src/domain/memberships/memberships";
import { tenantPeoplePerPage } from "../../src/domain/tenants/tenant-people";
import { Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  signInAs,
  testContext,
  testPassword,
  uniqueEmail,
} from "../helpers/factories";
import { extractSetupUrl, openLinkPage } from "../helpers/links";
import { extractTotpSecret, totpCode } from "../helpers/totp";

async function world() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const tenant = await createTestTenant(clock, "Acme");
  const other = await createTestTenant(clock, "Other");
  const full = await createActiveUser(clock, { role: "OPERATOR", firstName: "Fiona", lastName: "Full" });
  const readonly = await createActiveUser(clock, { role: "OPERATOR", firstName: "Rory", lastName: "Readonly" });
  const contractor = await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Cara", lastName: "Contractor" });
  const clientAdmin = await createActiveUser(clock, { role: "CLIENT_USER", firstName: "Cleo", lastName: "Admin" });
  const viewer = await createActiveUser(clock, { role: "CLIENT_USER", firstName: "Vic", lastName: "Viewer" });
  await grantTestMembership(clock, { userId: full.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
  await grantTestMembership(clock, { userId: readonly.id, tenantId: tenant.id, role: "OPERATOR_READONLY" });
  await grantTestMembership(clock, {
    userId: contractor.id,
    tenantId: tenant.id,
    role: "OPERATOR_FULL",
    expiresAt: new Date("2026-11-23T13:00:00Z"),
  });
  await grantTestMembership(clock, { userId: clientAdmin.id, tenantId: tenant.id, role: "CLIENT_ADMIN" });
  await grantTestMembership(clock, { userId: viewer.id, tenantId: tenant.id, role: "CLIENT_VIEWER" });
  return { clock, app, tenant, other, full, readonly, contractor, clientAdmin, viewer };
}

describe("operator workspace", () => {
  it("lists the operator's tenants with role and, for contractors, expiry and days left", async () => {
    const w = await world();
    const home = await (await (await signInAs(w.app, w.clock, w.contractor)).get("/admin")).text();
    expect(home).toContain(`href="/tenants/${w.tenant.slug}"`);
    expect(home).toContain("(0 days left)");
  });

  it("lets OPERATOR_FULL post updates as plain text and OPERATOR_READONLY only read", async () => {
    const w = await world();
    const writer = await signInAs(w.app, w.clock, w.full);
    const posted = await writer.post(`/tenants/${w.tenant.slug}/updates`, {
      title: "Maintenance <b>tonight</b>",
      body: "Line one\r\n<script>alert(1)</script>",
    });
    expect(posted.status, await summarizeResponse(posted)).toBe(303);
    const html = await (await writer.get(`/tenants/${w.tenant.slug}`)).text();
    expect(html).toContain("Maintenance &lt;b&gt;tonight&lt;/b&gt;");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert");
    const reader = await signInAs(w.app, w.clock, w.readonly);
    const readerHtml = await (await reader.get(`/tenants/${w.tenant.slug}`)).text();
    expect(readerHtml).toContain("Maintenance");
    expect(readerHtml).not.toContain("Post an update");
    expect(readerHtml).not.toContain("Invite a client user");
    expect((await reader.post(`/tenants/${w.tenant.slug}/updates`, { title: "No", body: "No" })).status).toBe(403);
    expect(
      (
        await reader.post(`/tenants/${w.tenant.slug}/clients`, {
          email: uniqueEmail(),
          firstName: "A",
          lastName: "B",
          role: "CLIENT_VIEWER",
        })
      ).status,
    ).toBe(403);
  });

  it("confirms each workspace form once, with the update's title and the tenant's name, and shows roles in words", async () => {
    const w = await world();
    const writer = await signInAs(w.app, w.clock, w.full);
    const page = `/tenants/${w.tenant.slug}`;
    const expectFlashOnce = async (message: string) => {
      const html = await (await writer.get(page)).text();
      expect(html).toContain(
        `<div class="notice notice-success flash" role="status" aria-live="polite">${message}</div>`,
      );
      expect(await (await writer.get(page)).text()).not.toContain(message);
      return html;
    };
    const profile = await writer.post(`${page}/profile`, { name: "Acme Renamed", description: "Hello" });
    expect(profile.headers.get("location"), await summarizeResponse(profile)).toBe(page);
    const html = await expectFlashOnce("The profile of Acme Renamed was saved.");
    expect(html).toContain('Your access: <span class="badge badge-success">Full access</span>');

    const posted = await writer.post(`${page}/updates`, { title: "Outage", body: "Text" });
    expect(posted.headers.get("location")).toBe(page);
    await expectFlashOnce(
      "The update &quot;Outage&quot; was posted: Acme Renamed&#39;s client users see it in their portal.",
    );
    const id = (
      await env.DB.prepare("SELECT id FROM tenant_updates WHERE tenant_id = ? AND title = 'Outage'")
        .bind(w.tenant.id)
        .first<{ id: string }>()
    )?.id;
    await writer.post(`${page}/updates/${id}/edit`, { title: "Outage over", body: "Text" });
    await expectFlashOnce(
      "The update &quot;Outage over&quot; was saved; Acme Renamed&#39;s portal shows the new text.",
    );
    await writer.post(`${page}/updates/${id}/delete`, {});
    await expectFlashOnce(
      "The update &quot;Outage over&quot; was deleted from the workspace and Acme Renamed&#39;s portal.",
    );
  });

  it("edits and deletes an update after a confirmation, audited", async () => {
    const w = await world();
    const writer = await signInAs(w.app, w.clock, w.full);
    await writer.post(`/tenants/${w.tenant.slug}/updates`, { title: "Draft", body: "Text" });
    const id = (
      await env.DB.prepare("SELECT id FROM tenant_updates WHERE tenant_id = ? AND title = 'Draft'")
        .bind(w.tenant.id)
        .first<{ id: string }>()
    )?.id;
    expect((await writer.post(`/tenants/${w.tenant.slug}/updates/${id}/edit`, { title: "", body: "x" })).status).toBe(
      400,
    );
    expect(
      (await writer.post(`/tenants/${w.tenant.slug}/updates/${id}/edit`, { title: "Final", body: "Text" })).status,
    ).toBe(303);
    expect(await (await writer.get(`/tenants/${w.tenant.slug}/updates/${id}/delete`)).text()).toContain(
      "Delete &quot;Final&quot;?",
    );
    expect((await writer.post(`/tenants/${w.tenant.slug}/updates/${id}/delete`, {})).status).toBe(303);
    const actions = await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual([
      "tenant.update_posted",
      "tenant.update_edited",
      "tenant.update_deleted",
    ]);
    const other = await createTestTenant(w.clock, "Elsewhere");
    expect((await writer.get(`/tenants/${other.slug}/updates/${id}/edit`)).status).toBe(404);
  });

  it("answers 404 for a tenant the operator is not a member of, and loses the workspace when the membership expires", async () => {
    const w = await world();
    const contractor = await signInAs(w.app, w.clock, w.contractor);
    expect((await contractor.get(`/tenants/${w.other.slug}`)).status).toBe(404);
    expect((await contractor.get("/tenants/does-not-exist")).status).toBe(404);
    for (const time of ["2026-11-23T12:25:00Z", "2026-11-23T12:50:00Z"]) {
      w.clock.set(time);
      expect((await contractor.get(`/tenants/${w.tenant.slug}`)).status).toBe(200);
    }
    w.clock.set("2026-11-23T12:59:59.999Z");
    expect((await contractor.get(`/tenants/${w.tenant.slug}`)).status).toBe(200);
    w.clock.set("2026-11-23T13:00:00Z");
    expect((await contractor.get(`/tenants/${w.tenant.slug}`)).status).toBe(404);
  });

  it("shows who has access with role and expiry, and the client users", async () => {
    const w = await world();
    const html = await (await (await signInAs(w.app, w.clock, w.full)).get(`/tenants/${w.tenant.slug}`)).text();
    for (const name of ["Fiona Full", "Rory Readonly", "Cara Contractor", "Cleo Admin", "Vic Viewer"])
      expect(html).toContain(name);
    expect(html).toContain('23 Nov 2026,</span> <span class="nowrap">13:00');
  });
});

const zedName = (index: number) => `Zed ${String(index).padStart(3, "0")}`;

/** `count` client users of the tenant as plain rows, named "Zed 000", "Zed 001"… so they sort after the world's people. */
async function addClientRows(tenantId: string, count: number, now: number) {
  const statements = Array.from({ length: count }, (_, index) => {
    const id = `usr_zed_${tenantId}_${index}`;
    const name = zedName(index);
    return [
      env.DB.prepare(
        "INSERT INTO users (id, email, first_name, last_name, display_name, role, activated_at, created_at, updated_at) VALUES (?, ?, 'Zed', ?, ?, 'CLIENT_USER', ?, ?, ?)",
      ).bind(id, `zed.${index}.${tenantId}@example.test`, String(index), name, now, now, now),
      env.DB.prepare(
        "INSERT INTO memberships (id, user_id, tenant_id, role, created_at, updated_at) VALUES (?, ?, ?, 'CLIENT_VIEWER', ?, ?)",
      ).bind(`mbr_zed_${tenantId}_${index}`, id, tenantId, now, now),
    ];
  });
  await env.DB.batch(statements.flat());
}

describe("people of a tenant larger than a page", () => {
  it("shows a page of client users on the workspace and the portal, with a link to the rest", async () => {
    const w = await world();
    // The world's two client users sort before the Zeds: a page holds them and all Zeds but two.
    await addClientRows(w.tenant.id, tenantPeoplePerPage, w.clock.now().getTime());
    const lastOnFirstPage = zedName(tenantPeoplePerPage - 3);
    const firstOnSecondPage = zedName(tenantPeoplePerPage - 2);
    const operator = await signInAs(w.app, w.clock, w.full);
    const first = await (await operator.get(`/tenants/${w.tenant.slug}`)).text();
    expect(first).toContain("Cleo Admin");
    expect(first).toContain(lastOnFirstPage);
    expect(first).not.toContain(firstOnSecondPage);
    expect(first).toContain("Fiona Full");
    const more = /href="(\/tenants\/[^"]*\?clients=[^"]+)"/.exec(first)?.[1];
    expect(more, "link to more client users").toBeDefined();
    const second = await operator.get(more?.replaceAll("&amp;", "&") ?? "");
    expect(second.status).toBe(200);
    const secondHtml = await second.text();
    expect(secondHtml).toContain(firstOnSecondPage);
    expect(secondHtml).toContain(zedName(tenantPeoplePerPage - 1));
    expect(secondHtml).not.toContain(lastOnFirstPage);
    expect(secondHtml).not.toContain("More people");
    const client = await signInAs(w.app, w.clock, w.viewer);
    const portal = await (await client.get(`/portal/${w.tenant.slug}`)).text();
    expect(portal).toMatch(/href="\/portal\/[^"]*\?clients=[^"]+"/);
    expect(portal).not.toContain(firstOnSecondPage);
  });
});

describe("client portal", () => {
  it("shows the company's updates, users and who has access; staff get 404 and clients get 403 on /admin", async () => {
    const w = await world();
    const client = await signInAs(w.app, w.clock, w.viewer);
    const landing = await client.get("/portal");
    expect(landing.headers.get("location")).toBe(`/portal/${w.tenant.slug}`);
    const html = await (await client.get(`/portal/${w.tenant.slug}`)).text();
    expect(html).toContain("Who has access to your company");
    expect(html).toContain("Cara Contractor");
    expect(html).toContain('23 Nov 2026,</span> <span class="nowrap">13:00');
    expect(html).not.toContain("Invite a colleague");
    const adminPage = await client.get("/admin/users");
    expect(adminPage.status).toBe(403);
    const denied = await adminPage.text();
    for (const other of [w.full, w.readonly, w.contractor, w.clientAdmin]) expect(denied).not.toContain(other.email);
    expect((await client.get(`/portal/${w.other.slug}`)).status).toBe(404);
    expect((await client.get(`/tenants/${w.tenant.slug}`)).status).toBe(404);
    const staff = await signInAs(w.app, w.clock, w.full);
    expect((await staff.get(`/portal/${w.tenant.slug}`)).status).toBe(404);
  });

  it("lets a client in several companies switch between them, from a chooser", async () => {
    const w = await world();
    await grantTestMembership(w.clock, { userId: w.viewer.id, tenantId: w.other.id, role: "CLIENT_ADMIN" });
    const client = await signInAs(w.app, w.clock, w.viewer);
    const chooser = await client.get("/portal");
    const chooserHtml = await chooser.text();
    expect(chooser.status).toBe(200);
    expect(chooserHtml).toContain(`href="/portal/${w.tenant.slug}"`);
    expect(chooserHtml).toContain(`href="/portal/${w.other.slug}"`);
    expect(chooserHtml).toContain('<td data-label="Your role">Client admin</td>');
    expect(chooserHtml).toContain('<td data-label="Your role">Client viewer</td>');
    expect(chooserHtml).not.toContain("CLIENT_ADMIN");
    const portal = await (await client.get(`/portal/${w.other.slug}`)).text();
    expect(portal).toContain("Switch company");
    expect(portal).toContain("Invite a colleague");
  });
});

type World = Awaited<ReturnType<typeof world>>;

/** A pending CLIENT_USER with one CLIENT_VIEWER membership in each tenant given, revoked when asked. */
async function createClientUser(w: World, memberships: Array<{ tenantId: string; revoked?: boolean }>) {
  const { user } = await inviteTestUser(w.clock, { role: "CLIENT_USER" });
  for (const membership of memberships) {
    const granted = await grantTestMembership(w.clock, {
      userId: user.id,
      tenantId: membership.tenantId,
      role: "CLIENT_VIEWER",
    });
    if (membership.revoked) await revokeMembership(testContext(w.clock), granted.id);
  }
  return user;
}

/** Every kind of existing account that is outside `w.tenant`'s scope. */
async function createOutsiders(w: World) {
  const deactivated = await createClientUser(w, [{ tenantId: w.tenant.id }]);
  await env.DB.prepare("UPDATE users SET deactivated_at = 1 WHERE id = ?").bind(deactivated.id).run();
  return {
    staff: w.readonly,
    otherCompany: await createClientUser(w, [{ tenantId: w.other.id }]),
    formerlyElsewhere: await createClientUser(w, [{ tenantId: w.other.id, revoked: true }]),
    hereAndElsewhere: await createClientUser(w, [{ tenantId: w.tenant.id }, { tenantId: w.other.id }]),
    noCompany: await createClientUser(w, []),
    deactivated,
  };
}

describe("delegated invites", () => {
  it("lets a client admin invite a colleague who completes setup and lands on the portal", async () => {
    const w = await world();
    const admin = await signInAs(w.app, w.clock, w.clientAdmin);
    const email = uniqueEmail("colleague");
    const invited = await admin.post(`/portal/${w.tenant.slug}/users`, {
      email,
      firstName: "Col",
      lastName: "League",
      role: "CLIENT_VIEWER",
    });
    expect(invited.headers.get("location"), await summarizeResponse(invited)).toMatch(
      new RegExp(`^/portal/${w.tenant.slug}/users/mbr_\\w+/setup-link$`),
    );
    const linkPage = invited.headers.get("location") as string;
    const html = await openLinkPage(admin, invited);
    expect(html).toContain(`Col League was invited to ${w.tenant.name}.`);
    const setupUrl = extractSetupUrl(html);
    const reload = await (await admin.get(linkPage)).text();
    expect(reload).toContain("The setup link was shown once. Make a new one if it is needed.");
    expect(reload).not.toContain('id="setup-url"');
    expect(reload).toContain(`action="${linkPage}"`);
    const row = await env.DB.prepare("SELECT role, created_by FROM users WHERE email = ?").bind(email).first();
    expect(row).toEqual({ role: "CLIENT_USER", created_by: w.clientAdmin.id });
    const again = await admin.post(linkPage, {});
    expect(again.headers.get("location")).toBe(linkPage);
    const newUrl = extractSetupUrl(await openLinkPage(admin, again));
    expect(newUrl).not.toBe(setupUrl);
    expect((await new Agent(w.app).get(new URL(setupUrl).pathname)).status).toBe(404);
    const colleague = new Agent(w.app);
    await colleague.get(new URL(newUrl).pathname);
    const step2 = await colleague.post("/setup", {
      step: "password",
      displayName: "Col",
      password: testPassword,
      passwordConfirmation: testPassword,
    });
    const secret = extractTotpSecret(await step2.text());
    const done = await (
      await colleague.post("/setup", { step: "confirm", code: totpCode(secret, w.clock.now()) })
    ).text();
    expect(done).toContain('href="/portal"');
    expect((await colleague.get("/portal")).headers.get("location")).toBe(`/portal/${w.tenant.slug}`);
  });

  it("adds back a former portal user of the company without a second account", async () => {
    const w = await world();
    const admin = await signInAs(w.app, w.clock, w.clientAdmin);
    const former = await createClientUser(w, [{ tenantId: w.tenant.id, revoked: true }]);
    const added = await admin.post(`/portal/${w.tenant.slug}/users`, {
      email: former.email,
      firstName: "X",
      lastName: "Y",
      role: "CLIENT_VIEWER",
    });
    expect(added.headers.get("location"), await summarizeResponse(added)).toBe(`/portal/${w.tenant.slug}`);
    expect(await (await admin.get(`/portal/${w.tenant.slug}`)).text()).toContain(
      `had access to ${w.tenant.name} before: their access is back, with their old account.`,
    );
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(former.email)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    const live = await env.DB.prepare(
      "SELECT tenant_id, role FROM memberships WHERE user_id = ? AND revoked_at IS NULL",
    )
      .bind(former.id)
      .all();
    expect(live.results).toEqual([{ tenant_id: w.tenant.id, role: "CLIENT_VIEWER" }]);
  });

  for (const path of ["portal", "operator workspace"] as const) {
    it(`refuses from the ${path} everyone outside the company with one neutral page, grants nothing and audits it`, async () => {
      const w = await world();
      const [agent, action] =
        path === "portal"
          ? [await signInAs(w.app, w.clock, w.clientAdmin), `/portal/${w.tenant.slug}/users`]
          : [await signInAs(w.app, w.clock, w.full), `/tenants/${w.tenant.slug}/clients`];
      const outsiders = await createOutsiders(w);
      const pages = new Set<string>();
      for (const [kind, person] of Object.entries(outsiders)) {
        const response = await agent.post(action, {
          email: person.email,
          firstName: "X",
          lastName: "Y",
          role: "CLIENT_ADMIN",
        });
        const html = await response.text();
        expect(response.status, `${kind}: ${html.slice(0, 300)}`).toBe(409);
        expect(html, kind).toContain("This email address cannot be invited here.");
        pages.add(html.replace(/value="[^"]*"/g, ""));
      }
      expect(pages.size).toBe(1);
      const memberships = await env.DB.prepare("SELECT tenant_id, revoked_at FROM memberships WHERE user_id = ?")
        .bind(outsiders.otherCompany.id)
        .all();
      expect(memberships.results).toEqual([{ tenant_id: w.other.id, revoked_at: null }]);
      const refusals = await env.DB.prepare(
        "SELECT target_id FROM audit_events WHERE action = 'invite.refused' AND tenant_id = ?",
      )
        .bind(w.tenant.id)
        .all<{ target_id: string }>();
      expect(refusals.results.map((row) => row.target_id).sort()).toEqual(
        Object.values(outsiders)
          .map((person) => person.id)
          .sort(),
      );
    });
  }

  it("never grants more than client roles, and only in the delegator's own tenant", async () => {
    const w = await world();
    const admin = await signInAs(w.app, w.clock, w.clientAdmin);
    const staffRole = await admin.post(`/portal/${w.tenant.slug}/users`, {
      email: uniqueEmail(),
      firstName: "X",
      lastName: "Y",
      role: "OPERATOR_FULL",
    });
    expect(staffRole.status).toBe(400);
    expect(
      (
        await admin.post(`/portal/${w.other.slug}/users`, {
          email: uniqueEmail(),
          firstName: "X",
          lastName: "Y",
          role: "CLIENT_VIEWER",
        })
      ).status,
    ).toBe(404);
    const viewer = await signInAs(w.app, w.clock, w.viewer);
    expect(
      (
        await viewer.post(`/portal/${w.tenant.slug}/users`, {
          email: uniqueEmail(),
          firstName: "X",
          lastName: "Y",
          role: "CLIENT_VIEWER",
        })
      ).status,
    ).toBe(403);
    const operator = await signInAs(w.app, w.clock, w.full);
    const byOperator = await operator.post(`/tenants/${w.tenant.slug}/clients`, {
      email: uniqueEmail("opinvite"),
      firstName: "By",
      lastName: "Operator",
      role: "CLIENT_ADMIN",
    });
    expect(byOperator.status).toBe(303);
    const operatorPage = await openLinkPage(operator, byOperator);
    expect(operatorPage).toContain(`href="/tenants/${w.tenant.slug}"`);
    expect(extractSetupUrl(operatorPage)).toContain("/setup/");
  });

  it("removes a portal user from the company after a confirmation, but not yourself", async () => {
    const w = await world();
    const admin = await signInAs(w.app, w.clock, w.clientAdmin);
    const membership = await env.DB.prepare("SELECT id FROM memberships WHERE user_id = ? AND tenant_id = ?")
      .bind(w.viewer.id, w.tenant.id)
      .first<{ id: string }>();
    expect(await (await admin.get(`/portal/${w.tenant.slug}/users/${membership?.id}/remove`)).text()).toContain(
      "Remove Vic Viewer from Acme?",
    );
    expect((await admin.post(`/portal/${w.tenant.slug}/users/${membership?.id}/remove`, {})).status).toBe(303);
    expect(await (await admin.get(`/portal/${w.tenant.slug}`)).text()).toContain(
      "Vic Viewer was removed from Acme. Their account itself stays.",
    );
    const viewer = await signInAs(w.app, w.clock, w.viewer);
    expect((await viewer.get(`/portal/${w.tenant.slug}`)).status).toBe(404);
    const own = await env.DB.prepare("SELECT id FROM memberships WHERE user_id = ? AND tenant_id = ?")
      .bind(w.clientAdmin.id, w.tenant.id)
      .first<{ id: string }>();
    expect((await admin.post(`/portal/${w.tenant.slug}/users/${own?.id}/remove`, {})).status).toBe(403);
    const staffMembership = await env.DB.prepare("SELECT id FROM memberships WHERE user_id = ? AND tenant_id = ?")
      .bind(w.full.id, w.tenant.id)
      .first<{ id: string }>();
    expect((await admin.post(`/portal/${w.tenant.slug}/users/${staffMembership?.id}/remove`, {})).status).toBe(404);
  });
});
