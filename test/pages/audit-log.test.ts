import { env } from "cloudflare:test";
import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "../../src/db/schema";
import { testActor, testService, writeAuditEvent } from "../helpers/audit";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  signInAs,
  testContext,
} from "../helpers/factories";
import { createUserWithPermissions, uniqueGroupName } from "../helpers/groups";

const clock = new TestClock("2026-11-24T12:00:00Z");
const app = createTestApp(clock);

async function signedInAdmin(timeZone = "UTC") {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  await testContext(clock).db.update(users).set({ timeZone }).where(eq(users.id, admin.id));
  return { admin, agent: await signInAs(app, clock, admin) };
}

describe("Admin → Audit log", () => {
  it("shows actor and target names as they were, after a group and a user are renamed", async () => {
    const { agent } = await signedInAdmin();
    const operator = await createUserWithPermissions(
      clock,
      ["groups:create", "groups:read", "groups:update", "users:read"],
      {
        firstName: "Olga",
        lastName: "Before",
      },
    );
    const operatorAgent = await signInAs(app, clock, operator);
    const before = uniqueGroupName("Alpha");
    const created = await operatorAgent.post("/admin/access-groups", { name: before, description: "" });
    const groupPath = (created.headers.get("location") ?? "").split("?")[0] ?? "";
    const groupId = groupPath.split("/").pop() ?? "";
    await operatorAgent.post(`${groupPath}/members`, { userIds: operator.id });

    const [original] = await testContext(clock)
      .db.select({ displayName: users.displayName })
      .from(users)
      .where(eq(users.id, operator.id));
    const originalName = original?.displayName as string;
    const after = uniqueGroupName("Beta");
    await testContext(clock)
      .db.update(users)
      .set({ firstName: "Olga", lastName: "After", displayName: "Olga Renamed" })
      .where(eq(users.id, operator.id));
    await operatorAgent.post(groupPath, { name: after, description: "" });

    const rows = await testContext(clock)
      .db.select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, operator.id), like(auditEvents.action, "group.%")))
      .orderBy(auditEvents.id);
    expect(rows.map((row) => [row.action, row.actorName, row.targetLabel])).toEqual([
      ["group.created", originalName, before],
      ["group.member_added", originalName, `Olga Before <${operator.email}>`],
      ["group.updated", "Olga Renamed", after],
    ]);
    const html = await (await agent.get(`/admin/audit?actor=${operator.id}`)).text();
    expect(html).toContain(`>${before}</a>`);
    expect(html).toContain(`>Olga Before</a><div class="muted">${operator.email}</div>`);
    expect(html).toContain(`>${originalName}</a>`);
    expect(html).toContain(">Olga Renamed</a>");
    const table = html.slice(html.indexOf("<tbody>"));
    expect(table.indexOf('title="group.updated"')).toBeLessThan(table.indexOf('title="group.created"'));
    const byGroup = await (await agent.get(`/api/v1/audit-events?targetId=${groupId}`)).json<{
      items: Array<{ target: { label: string } }>;
    }>();
    expect(byGroup.items.map((item) => item.target.label)).toEqual([after, before]);
  });

  it("filters by actor email and by a time range typed in the viewer's time zone", async () => {
    const { agent } = await signedInAdmin("America/New_York");
    const actor = testActor("Zoe Zone");
    await writeAuditEvent("2026-11-22T14:00:00Z", actor, { action: "tenant.created" });
    await writeAuditEvent("2026-11-22T16:00:00Z", actor, { action: "tenant.updated" });
    await writeAuditEvent("2026-11-22T18:00:00Z", actor, { action: "tenant.update_posted" });
    // 10:30 and 12:30 in New York (UTC-5 in November) are 15:30 and 17:30 UTC.
    const response = await agent.get(
      `/admin/audit?actor=${encodeURIComponent(actor.user.email.toUpperCase())}&from=2026-11-22T10:30&to=2026-11-22T12:30`,
    );
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(html).toContain('title="tenant.updated">Tenant changed</a>');
    expect(html).not.toContain('title="tenant.created"');
    expect(html).not.toContain('title="tenant.update_posted"');
    expect(html).toContain("EST");
    expect(html).toContain('value="2026-11-22T10:30"');
    expect(html).toContain(
      `href="/admin/audit/export.csv?actor=${encodeURIComponent(actor.user.email.toUpperCase())}&amp;from=2026-11-22T10%3A30&amp;to=2026-11-22T12%3A30"`,
    );
  });

  it("puts a malformed time or unknown action next to its field", async () => {
    const { agent } = await signedInAdmin();
    const response = await agent.get("/admin/audit?from=soon&action=user.hacked");
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).toContain('id="filter-from-error">Enter a date and time');
    expect(html).toContain('id="filter-action-error">Choose an action from the list.');
  });

  it("shows a service actor with what it is, beside its name", async () => {
    const { agent } = await signedInAdmin();
    const review = testService("access_review", { kind: "tenant", tenantId: "tnt_acme" }, "Q4 access review");
    await writeAuditEvent("2026-11-23T07:00:00Z", review, { action: "membership.revoked" });
    const html = await (await agent.get(`/admin/audit?actor=${review.service.id}`)).text();
    expect(html).toContain(
      `<a href="/admin/audit?actor=${review.service.id}">Q4 access review</a><div><span class="badge badge-info">Access review</span></div>`,
    );
  });

  it("pages to older events with a link that keeps the filter", async () => {
    const { agent } = await signedInAdmin();
    const actor = testActor();
    for (let minute = 0; minute < 52; minute += 1) {
      await writeAuditEvent(`2026-11-23T08:${String(minute).padStart(2, "0")}:00Z`, actor, {
        action: "user.updated",
        details: { minute },
      });
    }
    const first = await (await agent.get(`/admin/audit?actor=${actor.user.id}`)).text();
    expect(first.match(/>Minute:<\/span>/g)).toHaveLength(50);
    const next = /href="(\/admin\/audit\?actor=[^"]+&amp;cursor=[^"]+)">Older events/
      .exec(first)?.[1]
      ?.replaceAll("&amp;", "&");
    expect(next).toBeDefined();
    const second = await (await agent.get(next as string)).text();
    expect(second).toContain("Minute:</span> <span>1</span>");
    expect(second).toContain("Minute:</span> <span>0</span>");
    expect(second).not.toContain("Older events");
  });
});

describe("Admin → Audit log: names, not ids", () => {
  it("shows the tenant's name, the action in words (its code in the tooltip) and readable details", async () => {
    const { agent } = await signedInAdmin();
    const tenant = await createTestTenant(clock, "Acme Names");
    const person = await createActiveUser(clock, { role: "OPERATOR", firstName: "Nora", lastName: "Named" });
    await grantTestMembership(clock, {
      userId: person.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: new Date("2027-01-11T16:00:00Z"),
    });
    const response = await agent.get(`/admin/audit?tenantId=${tenant.id}`);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    const table = html.slice(html.indexOf("<tbody>"));
    expect(table).toContain(`<a href="/admin/audit?tenantId=${tenant.id}">Acme Names</a>`);
    expect(table).not.toContain(`>${tenant.id}<`);
    expect(table).toContain('title="membership.granted">Membership granted</a>');
    expect(table).toContain('<span title="OPERATOR_FULL">Full access</span>');
    expect(table).toContain("11 Jan 2027");
    expect(table).not.toContain(`>${person.id}<`);
    expect(table).toMatch(/<td data-label="Details" class="wrap audit-details">/);
    expect(table).toMatch(/<td data-label="Address" class="priority-low">/);
    expect(html).toContain('<table class="data-table audit-log">');
  });

  it("reads a list of roles in the details in words, with the codes in the tooltip (the sign-in policy's change)", async () => {
    const { agent } = await signedInAdmin();
    const actor = testActor();
    await writeAuditEvent("2026-11-23T11:30:00Z", actor, {
      action: "policy.passkey_requirement_changed",
      details: { added: ["SUPER_ADMIN", "OPERATOR"], removed: [] },
    });
    const html = await (await agent.get(`/admin/audit?actor=${actor.user.id}`)).text();
    expect(html).toContain('<span title="SUPER_ADMIN, OPERATOR">Super admin, Operator</span>');
    expect(html).toMatch(/Removed:<\/span> <span>—<\/span>/);
  });

  it("names a target the row stored no label for by its current name", async () => {
    const { agent } = await signedInAdmin();
    const tenant = await createTestTenant(clock, "Unlabelled Target Co");
    const actor = testActor();
    await writeAuditEvent("2026-11-23T11:00:00Z", actor, {
      action: "tenant.updated",
      target: { type: "tenant", id: tenant.id, label: null },
    });
    const html = await (await agent.get(`/admin/audit?actor=${actor.user.id}`)).text();
    expect(html).toContain(`<a href="/admin/audit?targetId=${tenant.id}">Unlabelled Target Co</a>`);
  });

  it("filters by a tenant chosen from a menu of tenant names", async () => {
    const { agent } = await signedInAdmin();
    const chosen = await createTestTenant(clock, "Chosen Corp");
    const other = await createTestTenant(clock, "Other Corp");
    const actor = testActor();
    await writeAuditEvent("2026-11-23T11:10:00Z", actor, { action: "tenant.updated", tenantId: chosen.id });
    await writeAuditEvent("2026-11-23T11:11:00Z", actor, { action: "tenant.update_posted", tenantId: other.id });
    const everything = await (await agent.get("/admin/audit")).text();
    expect(everything).toContain('<select id="filter-tenantId" name="tenantId"');
    expect(everything).toContain(`<option value="${chosen.id}">Chosen Corp</option>`);
    expect(everything).not.toContain('label for="filter-tenantId">Tenant id');
    const filtered = await (await agent.get(`/admin/audit?tenantId=${chosen.id}&actor=${actor.user.id}`)).text();
    expect(filtered).toContain(`<option value="${chosen.id}" selected="">Chosen Corp</option>`);
    expect(filtered).toContain('title="tenant.updated"');
    expect(filtered).not.toContain('title="tenant.update_posted"');
  });

  it("filters by the email of the person an event is about, and says so by the field when no one has it", async () => {
    const { agent } = await signedInAdmin();
    const subject = await createActiveUser(clock, { role: "OPERATOR", firstName: "Esme", lastName: "Emailed" });
    const bystander = await createActiveUser(clock, { role: "OPERATOR", firstName: "Bo", lastName: "Bystander" });
    const response = await agent.get(`/admin/audit?targetEmail=${encodeURIComponent(subject.email.toUpperCase())}`);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    const table = html.slice(html.indexOf("<tbody>"));
    expect(table).toContain(`<a href="/admin/audit?targetId=${subject.id}">Esme Emailed</a>`);
    expect(table).not.toContain(bystander.email);
    expect(html).toContain(
      `href="/admin/audit/export.csv?targetEmail=${encodeURIComponent(subject.email.toUpperCase())}"`,
    );

    const unknown = await (await agent.get("/admin/audit?targetEmail=nobody%40example.test")).text();
    expect(unknown).toContain('id="filter-targetEmail-error">No user has the email nobody@example.test.');
    expect(unknown).toContain("No events match these filters.");
  });

  it("shows a person's email in the form when a row's link filtered by their id", async () => {
    const { agent } = await signedInAdmin();
    const subject = await createActiveUser(clock, { role: "OPERATOR", firstName: "Ida", lastName: "Linked" });
    const html = await (await agent.get(`/admin/audit?targetId=${subject.id}`)).text();
    // The filter form; the export form below it carries the id as a hidden field, which nobody sees.
    const start = html.indexOf('aria-label="Filter the audit log"');
    const form = html.slice(start, html.indexOf("</form>", start));
    expect(form).toContain(`name="targetEmail" type="text" value="${subject.email}"`);
    expect(form).not.toContain(`name="targetId" value="${subject.id}"`);
    expect(html).not.toContain("Target id");
  });
});

describe("the audit table", () => {
  it("refuses UPDATE and DELETE in the database, whichever way they are sent", async () => {
    await writeAuditEvent("2026-11-23T10:00:00Z", testActor(), { action: "user.updated" });
    const db = testContext(clock).db;
    await expect(db.update(auditEvents).set({ actorName: "someone else" })).rejects.toThrow();
    await expect(db.delete(auditEvents)).rejects.toThrow();
    await expect(env.DB.prepare("UPDATE audit_events SET action = 'tampered'").run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_events").run()).rejects.toThrow(/append-only/);
    expect(
      await env.DB.prepare(
        "SELECT count(*) AS n FROM audit_events WHERE actor_name = 'someone else' OR action = 'tampered'",
      ).first("n"),
    ).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_events").first("n")).toBeGreaterThan(0);
  });
});
