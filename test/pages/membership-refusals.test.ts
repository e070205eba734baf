// A refused membership form comes back where it was posted (docs/DECISIONS.md "Form refusals"): the
// membership's edit page, or the list, a user's Memberships tab or a tenant's settings page again,
// with what was typed and the error next to its field — never a message page whose only way on is
// "← Back".
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  grantTestMembership,
  signInAs,
} from "../helpers/factories";

const clock = new TestClock("2026-11-23T12:00:00Z");
const app = createTestApp(clock);

async function signedInAdmin() {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return signInAs(app, clock, admin);
}

/** A contractor with one membership expiring 2026-12-01 10:00 UTC, and its tenant. */
async function contractorMembership() {
  const tenant = await createTestTenant(clock, "Refusals");
  const contractor = await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Cora", lastName: "Contractor" });
  const membership = await grantTestMembership(clock, {
    userId: contractor.id,
    tenantId: tenant.id,
    role: "OPERATOR_FULL",
    expiresAt: new Date("2026-12-01T10:00:00Z"),
  });
  return { tenant, contractor, membership };
}

async function liveMemberships(userId: string) {
  const rows = await env.DB.prepare(
    "SELECT tenant_id, role, expires_at FROM memberships WHERE user_id = ? AND revoked_at IS NULL",
  )
    .bind(userId)
    .all<{ tenant_id: string; role: string; expires_at: number | null }>();
  return rows.results;
}

/** The <input> or <select> with this id, as rendered. */
function control(html: string, id: string): string {
  return new RegExp(`<(?:input|select)[^>]* id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
}

describe("a refused change on a membership's edit page", () => {
  for (const origin of ["the memberships list", "a user's Memberships tab", "a tenant's settings page"] as const) {
    it(`refuses a past expiry from ${origin} with the edit page again, the expiry as typed and the error next to it`, async () => {
      const agent = await signedInAdmin();
      const { tenant, contractor, membership } = await contractorMembership();
      const returnTo = {
        "the memberships list": `/admin/memberships?tenantId=${tenant.id}`,
        "a user's Memberships tab": `/admin/users/${contractor.id}/memberships`,
        "a tenant's settings page": `/admin/tenants/${tenant.slug}`,
      }[origin];
      const response = await agent.post(`/admin/memberships/${membership.id}/edit`, {
        returnTo,
        role: "OPERATOR_READONLY",
        expiresAt: "2026-11-01T09:00",
      });
      const html = await response.text();
      expect(response.status, html).toBe(400);
      expect(html).toContain(`<h1>Cora Contractor in ${tenant.name}</h1>`);
      expect(html).toContain('<p class="error" id="field-expiresAt-error">The expiry must lie in the future.</p>');
      const expiry = control(html, "field-expiresAt");
      expect(expiry).toContain('value="2026-11-01T09:00"');
      expect(expiry).toContain('aria-invalid="true"');
      expect(expiry).toContain('aria-describedby="field-expiresAt-hint field-expiresAt-error"');
      expect(html).toContain('<option value="OPERATOR_READONLY" selected="">Read-only</option>');
      expect(html).toContain(`<input type="hidden" name="returnTo" value="${returnTo}"/>`);
      expect(html).toContain(`<a class="button secondary" href="${returnTo}">Cancel</a>`);
      expect(html).not.toContain("← Back");
      expect(html).not.toContain("The membership was not changed");
      expect(await liveMemberships(contractor.id)).toEqual([
        { tenant_id: tenant.id, role: "OPERATOR_FULL", expires_at: Date.parse("2026-12-01T10:00:00Z") },
      ]);
    });
  }

  it("refuses to drop a contractor's expiry, and a role that does not fit, by their fields", async () => {
    const agent = await signedInAdmin();
    const { contractor, membership } = await contractorMembership();
    const noExpiry = await agent.post(`/admin/memberships/${membership.id}/edit`, {
      returnTo: "/admin/memberships",
      role: "OPERATOR_FULL",
      expiresAt: "",
    });
    const noExpiryHtml = await noExpiry.text();
    expect(noExpiry.status, noExpiryHtml).toBe(400);
    expect(noExpiryHtml).toContain(
      '<p class="error" id="field-expiresAt-error">Contractor memberships need an expiry date.</p>',
    );
    const unfit = await agent.post(`/admin/memberships/${membership.id}/edit`, {
      returnTo: "/admin/memberships",
      role: "CLIENT_VIEWER",
      expiresAt: "2027-01-01T09:00",
    });
    const unfitHtml = await unfit.text();
    expect(unfit.status, unfitHtml).toBe(400);
    expect(unfitHtml).toContain('<p class="error" id="field-role-error">');
    expect(control(unfitHtml, "field-role")).toContain('aria-invalid="true"');
    expect((await liveMemberships(contractor.id))[0]?.role).toBe("OPERATOR_FULL");
  });

  it("refuses an extension by anything but 30 or 90 days next to the row's extend buttons", async () => {
    const agent = await signedInAdmin();
    const { tenant, contractor, membership } = await contractorMembership();
    const response = await agent.post(`/admin/memberships/${membership.id}/extend`, {
      returnTo: `/admin/tenants/${tenant.slug}`,
      days: "365",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain(`<h1>${tenant.name}</h1>`);
    expect(html).toContain(`<p class="error" id="extend-${membership.id}-error">Extend by 30 or 90 days.</p>`);
    expect(html).toContain(`aria-describedby="extend-${membership.id}-error"`);
    expect(await liveMemberships(contractor.id)).toEqual([
      { tenant_id: tenant.id, role: "OPERATOR_FULL", expires_at: Date.parse("2026-12-01T10:00:00Z") },
    ]);
  });

  it("says why an extension was refused even when the row is not on the page shown again", async () => {
    const agent = await signedInAdmin();
    const { contractor, membership } = await contractorMembership();
    const other = await createTestTenant(clock, "Elsewhere");
    const response = await agent.post(`/admin/memberships/${membership.id}/extend`, {
      returnTo: `/admin/memberships?tenantId=${other.id}`,
      days: "7",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain('<div class="notice notice-error" role="alert">Extend by 30 or 90 days.</div>');
    expect((await liveMemberships(contractor.id))[0]?.expires_at).toBe(Date.parse("2026-12-01T10:00:00Z"));
  });
});

describe("a refused new membership", () => {
  it("refuses a duplicate from a user's Memberships tab with the tab again, the form as typed, the error by the tenant and a link to the existing membership", async () => {
    const agent = await signedInAdmin();
    const { tenant, contractor, membership } = await contractorMembership();
    const returnTo = `/admin/users/${contractor.id}/memberships`;
    const response = await agent.post("/admin/memberships", {
      returnTo,
      userId: contractor.id,
      tenantId: tenant.id,
      role: "OPERATOR_READONLY",
      expiresAt: "2027-01-15T08:30",
    });
    const html = await response.text();
    expect(response.status, html).toBe(409);
    expect(html).toContain("<title>Memberships of Cora Contractor · Gatehouse</title>");
    expect(html).toContain(
      '<p class="error" id="field-tenantId-error">This user already has an active membership in that tenant.</p>',
    );
    expect(control(html, "field-tenantId")).toContain('aria-invalid="true"');
    expect(html).toContain(`<option value="${tenant.id}" selected="">`);
    expect(control(html, "field-expiresAt")).toContain('value="2027-01-15T08:30"');
    const existingHref = `/admin/memberships/${membership.id}/edit?returnTo=${encodeURIComponent(returnTo)}`;
    expect(html).toContain(
      `</select></div><p class="hint field-note" id="existing-membership"><a href="${existingHref}">See the existing membership</a>`,
    );
    expect((await agent.get(existingHref)).status).toBe(200);
    expect(html).not.toContain("← Back");
    expect(await liveMemberships(contractor.id)).toEqual([
      { tenant_id: tenant.id, role: "OPERATOR_FULL", expires_at: Date.parse("2026-12-01T10:00:00Z") },
    ]);
  });

  it("refuses a duplicate from a tenant's settings page with that page again, the error by the email and a link to the existing membership", async () => {
    const agent = await signedInAdmin();
    const { tenant, contractor, membership } = await contractorMembership();
    const response = await agent.post("/admin/memberships", {
      returnTo: `/admin/tenants/${tenant.slug}`,
      tenantId: tenant.id,
      userEmail: contractor.email,
      role: "OPERATOR_FULL",
      expiresAt: "2027-01-15T08:30",
    });
    const html = await response.text();
    expect(response.status, html).toBe(409);
    expect(html).toContain(`<h1>${tenant.name}</h1>`);
    expect(html).toContain(
      '<p class="error" id="field-userEmail-error">This user already has an active membership in that tenant.</p>',
    );
    expect(control(html, "field-userEmail")).toContain(`value="${contractor.email}"`);
    expect(html).toContain(
      `<a href="/admin/memberships/${membership.id}/edit?returnTo=${encodeURIComponent(`/admin/tenants/${tenant.slug}`)}">See the existing membership</a>`,
    );
    expect(await liveMemberships(contractor.id)).toHaveLength(1);
  });

  it("shows an unknown email next to the field on the memberships list, keeping its filters", async () => {
    const agent = await signedInAdmin();
    const { tenant } = await contractorMembership();
    const response = await agent.post("/admin/memberships", {
      returnTo: `/admin/memberships?tenantId=${tenant.id}`,
      userEmail: "nobody-here@example.test",
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: "",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain('<p class="error" id="field-userEmail-error">No user has this email.</p>');
    expect(control(html, "field-userEmail")).toContain('value="nobody-here@example.test"');
    expect(html).toContain(`<input type="hidden" name="returnTo" value="/admin/memberships?tenantId=${tenant.id}"/>`);
    const granted = await env.DB.prepare("SELECT count(*) AS n FROM memberships WHERE tenant_id = ?")
      .bind(tenant.id)
      .first<{ n: number }>();
    expect(granted?.n).toBe(1);
  });
});

describe("the page a refusal comes back on", () => {
  it("is not shown to a caller who could not open it: the refusal goes to the error page instead", async () => {
    // memberships:update without users:read or memberships:read: the user's tab is not theirs to see.
    const updater = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(updater.id, ["memberships:update"]);
    const agent = await signInAs(app, clock, updater);
    const { contractor, membership } = await contractorMembership();
    expect((await agent.get(`/admin/users/${contractor.id}/memberships`)).status).toBe(403);
    const response = await agent.post(`/admin/memberships/${membership.id}/extend`, {
      returnTo: `/admin/users/${contractor.id}/memberships`,
      days: "365",
    });
    const html = await response.text();
    expect(response.status, html).toBe(400);
    expect(html).toContain("Extend by 30 or 90 days.");
    expect(html).not.toContain(contractor.email);
    expect(html).not.toContain("Tenants this user can reach");
    expect((await liveMemberships(contractor.id))[0]?.expires_at).toBe(Date.parse("2026-12-01T10:00:00Z"));
  });
});
