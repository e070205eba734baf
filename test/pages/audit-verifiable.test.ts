// Admin → Audit log, the verifiable log's part (docs/AUDIT.md "Verifying the log"): the checkpoint
// panel and the verifier key, each row's checkpoint, "Seal now" (Super admins only), the
// verifiable export's links, and the tamper banner with its acknowledgement.
import { describe, expect, it } from "vitest";
import { type Agent, summarizeResponse } from "../helpers/agent";
import { testVerifierKey } from "../helpers/audit-log";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";
import { createUserWithPermissions } from "../helpers/groups";
import { rawDb } from "../helpers/store";

const clock = new TestClock("2026-12-03T12:00:00Z");
const app = createTestApp(clock);

async function signedInSuperAdmin() {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { admin, agent: await signInAs(app, clock, admin) };
}

async function signedInAuditor() {
  const auditor = await createUserWithPermissions(clock, ["audit:read"]);
  return { auditor, agent: await signInAs(app, clock, auditor) };
}

async function newestEventId(): Promise<number> {
  const row = await rawDb.prepare("SELECT max(id) AS id FROM audit_events").first<{ id: number }>();
  return row?.id ?? 0;
}

async function latestCheckpoint() {
  return rawDb
    .prepare("SELECT tree_size, last_event_id, root_hash FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1")
    .first<{ tree_size: number; last_event_id: number; root_hash: string }>();
}

/** The status cell of the audit row with this event's action shown first (the newest row). */
function firstRowStatus(html: string): string {
  const body = html.slice(html.indexOf("<tbody>"));
  return /<td data-label="Checkpoint">(.*?)<\/td>/s.exec(body)?.[1] ?? "";
}

/** Seals through the page's button and answers the flash the redirect shows. */
async function sealNow(agent: Agent): Promise<string> {
  const sealed = await agent.post("/admin/audit/seal", {});
  expect(sealed.status, await summarizeResponse(sealed)).toBe(303);
  expect(sealed.headers.get("location")).toBe("/admin/audit#verifiable-log");
  const page = await agent.get("/admin/audit");
  return /<div class="notice notice-success flash"[^>]*>(.*?)<\/div>/s.exec(await page.text())?.[1] ?? "";
}

describe("Admin → Audit log: the verifiable log", () => {
  it("marks the newest row Pending before a seal and 'In checkpoint N' after Seal now, with the checkpoint in the panel", async () => {
    const { agent } = await signedInSuperAdmin();
    const before = await (await agent.get("/admin/audit")).text();
    expect(firstRowStatus(before)).toContain("Pending");
    expect(before).toMatch(/<dt>Pending<\/dt>\s*<dd>[\d,]+ events? not in a checkpoint yet/);

    clock.advanceSeconds(5);
    const newest = await newestEventId();
    const flash = await sealNow(agent);
    const checkpoint = await latestCheckpoint();
    expect(checkpoint?.last_event_id).toBe(newest);
    expect(flash).toBe(`Checkpoint sealed: ${checkpoint?.tree_size.toLocaleString("en-GB")} events.`);

    const after = await (await agent.get("/admin/audit")).text();
    expect(firstRowStatus(after)).toContain(`In checkpoint ${checkpoint?.tree_size}`);
    expect(after).toContain(`${checkpoint?.tree_size.toLocaleString("en-GB")} events, sealed <time`);
    expect(after).toContain(`<code title="${checkpoint?.root_hash}">${checkpoint?.root_hash.slice(0, 16)}…</code>`);
    expect(after).toContain("<code>gatehouse.test/audit</code>");
    expect(after).toContain("None: the newest checkpoint covers every event.");
  });

  it("shows the verifier key the well-known path publishes, and links that path", async () => {
    const { agent } = await signedInAuditor();
    const html = await (await agent.get("/admin/audit")).text();
    expect(html).toContain(`<code class="wrap">${testVerifierKey}</code>`);
    expect(html).toContain('<a href="/.well-known/gatehouse-audit-keys">/.well-known/gatehouse-audit-keys</a>');
  });

  it("says Pending again for an event written after the checkpoint", async () => {
    const { agent } = await signedInSuperAdmin();
    await sealNow(agent);
    clock.advanceSeconds(5);
    // Any audited change: a new user invited from the console.
    const invited = await agent.post("/admin/users", {
      email: `pending-${crypto.randomUUID().slice(0, 8)}@example.com`,
      firstName: "Pen",
      lastName: "Ding",
      role: "OPERATOR",
    });
    expect(invited.status, await summarizeResponse(invited)).toBe(303);
    const html = await (await agent.get("/admin/audit")).text();
    expect(firstRowStatus(html)).toContain("Pending");
    expect(html).toContain("1 event not in a checkpoint yet.");
  });

  it("says there is nothing new to seal when the latest checkpoint covers every event", async () => {
    const { agent } = await signedInSuperAdmin();
    await sealNow(agent);
    const sealed = await latestCheckpoint();
    clock.advanceSeconds(5);
    expect(await sealNow(agent)).toBe("Nothing new to seal: the latest checkpoint covers every event.");
    expect(await latestCheckpoint()).toEqual(sealed);
  });

  it("offers Seal now to a Super admin only, and refuses an auditor's POST with 403 and no checkpoint", async () => {
    const { agent: adminAgent } = await signedInSuperAdmin();
    expect(await (await adminAgent.get("/admin/audit")).text()).toContain('action="/admin/audit/seal"');

    const { agent } = await signedInAuditor();
    const page = await agent.get("/admin/audit");
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html).toContain("Verifiable log");
    expect(html).not.toContain("Seal now");
    const before = await latestCheckpoint();
    clock.advanceSeconds(5);
    const refused = await agent.post("/admin/audit/seal", {});
    expect(refused.status, await summarizeResponse(refused)).toBe(403);
    expect(await latestCheckpoint()).toEqual(before);
  });

  it("links the JSON export with the page's filters, and its form's empty consistencyFrom is accepted", async () => {
    const { agent } = await signedInAuditor();
    const html = await (await agent.get("/admin/audit?action=user.invited")).text();
    expect(html).toContain('href="/admin/audit/export.csv?action=user.invited"');
    expect(html).toContain('href="/admin/audit/export.json?action=user.invited"');
    const form = html.slice(html.indexOf('<form method="get" action="/admin/audit/export.json"'));
    expect(form).toContain('<input type="hidden" name="action" value="user.invited"');
    expect(form).toContain('name="consistencyFrom" type="number"');
    // What the form sends when the optional field is left empty.
    const exported = await agent.get("/admin/audit/export.json?action=user.invited&consistencyFrom=");
    expect(exported.status, await summarizeResponse(exported)).toBe(200);
    expect(exported.headers.get("content-type")).toMatch(/^application\/json/);
  });
});

describe("the tamper banner", () => {
  const banner = "The audit log no longer matches what it recorded:";

  async function openFinding(): Promise<number> {
    const eventId = await newestEventId();
    await rawDb
      .prepare(
        "INSERT INTO audit_findings (subject, event_id, leaf_index, problem, detected_at) VALUES ('event:' || ?1, ?1, ?2, 'changed', ?3)",
      )
      .bind(eventId, 0, clock.now().getTime())
      .run();
    return eventId;
  }

  it("shows on every console page to Super admins only while a finding is open, and acknowledging clears it (audited)", async () => {
    const { admin, agent } = await signedInSuperAdmin();
    const { agent: auditorAgent } = await signedInAuditor();
    expect(await (await agent.get("/admin")).text()).not.toContain(banner);
    const eventId = await openFinding();

    for (const path of ["/admin", "/admin/users", "/account"]) {
      const html = await (await agent.get(path)).text();
      expect(html, path).toContain('<div class="notice notice-error" role="alert">');
      expect(html, path).toContain(banner);
      expect(html, path).toContain("1 row changed behind Gatehouse");
      expect(html, path).toContain('<a href="/admin/audit#audit-findings">Review them →</a>');
    }
    const auditorPage = await (await auditorAgent.get("/admin/audit")).text();
    expect(auditorPage).not.toContain(banner);
    expect(auditorPage).not.toContain('id="audit-findings"');
    const refused = await auditorAgent.post("/admin/audit/findings/acknowledge", {});
    expect(refused.status, await summarizeResponse(refused)).toBe(403);

    const audit = await (await agent.get("/admin/audit")).text();
    const findings = audit.slice(audit.indexOf('id="audit-findings"'));
    expect(findings).toContain(`Event ${eventId}`);
    expect(findings).toContain("Changed: the row differs from its leaf");
    expect(findings).toContain('action="/admin/audit/findings/acknowledge"');

    clock.advanceSeconds(5);
    const acknowledged = await agent.post("/admin/audit/findings/acknowledge", {});
    expect(acknowledged.status, await summarizeResponse(acknowledged)).toBe(303);
    const row = await rawDb
      .prepare("SELECT acknowledged_at, acknowledged_by FROM audit_findings WHERE event_id = ?")
      .bind(eventId)
      .first<{ acknowledged_at: number; acknowledged_by: string }>();
    expect(row).toEqual({ acknowledged_at: clock.now().getTime(), acknowledged_by: admin.id });
    const event = await rawDb
      .prepare(
        "SELECT actor_id, details FROM audit_events WHERE action = 'audit.findings_acknowledged' ORDER BY id DESC",
      )
      .first<{ actor_id: string; details: string }>();
    expect(event?.actor_id).toBe(admin.id);
    expect(JSON.parse(event?.details ?? "{}")).toEqual({ count: 1 });

    const after = await (await agent.get("/admin/audit")).text();
    expect(after).toContain("1 finding acknowledged: the banner is gone, and the findings stay in the audit log.");
    expect(after).not.toContain(banner);
    expect(after).not.toContain('id="audit-findings"');
  });
});
