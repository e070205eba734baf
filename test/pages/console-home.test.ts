// The console's home (/admin) and the layout around every signed-in page: what needs attention,
// shown only to those who may open it, and a navigation that works on a phone without JavaScript.
import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  signInAs,
} from "../helpers/factories";
import { createUserWithPermissions } from "../helpers/groups";

// A year of its own, so no other test's memberships end within its week.
const clock = new TestClock("2032-03-03T09:00:00Z");
const app = createTestApp(clock);
const day = 86_400_000;

describe("the console home", () => {
  it("shows an admin pending invites and the access that ends this week, each with a link to its list", async () => {
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const tenant = await createTestTenant(clock, "Harbour Freight");
    const { user: soon } = await inviteTestUser(clock, { firstName: "Sally", lastName: "Soon", role: "CONTRACTOR" });
    await grantTestMembership(clock, {
      userId: soon.id,
      tenantId: tenant.id,
      role: "OPERATOR_READONLY",
      expiresAt: new Date(clock.now().getTime() + 2 * day),
    });

    const response = await (await signInAs(app, clock, admin)).get("/admin");
    const html = await response.text();

    expect(response.status, html).toBe(200);
    expect(html).toContain("Pending invites");
    expect(html).toContain('href="/admin/users?status=PENDING"');
    expect(html).toContain("Access ending within 7 days");
    expect(html).toContain("Sally Soon · Harbour Freight");
    expect(html).toContain('href="/admin/memberships?expiringWithinDays=7"');
  });

  it("shows an operator who may read memberships but not users no invites and no outbox", async () => {
    const reader = await createUserWithPermissions(clock, ["memberships:read"]);
    const html = await (await (await signInAs(app, clock, reader)).get("/admin")).text();

    expect(html).toContain("Needs your attention");
    expect(html).not.toContain("Pending invites");
    expect(html).not.toContain("/admin/users?status=PENDING");
    expect(html).not.toContain("Failed emails");
  });

  it("puts the navigation in a sidebar and in a Menu that opens without JavaScript, with the role in words", async () => {
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN", firstName: "Ada", lastName: "Layout" });
    const html = await (await (await signInAs(app, clock, admin)).get("/admin/tenants")).text();

    expect(html).toMatch(/<details class="menu"><summary>Menu<\/summary>/);
    expect(html.match(/<nav aria-label="Main">/g)).toHaveLength(2);
    expect(html.match(/href="\/admin\/tenants" aria-current="page"/g)).toHaveLength(2);
    expect(html).toContain('<span class="role">Super admin</span>');
    expect(html).not.toContain("SUPER_ADMIN");
    expect(html).toContain('<a class="skip-link" href="#main">');
  });
});
