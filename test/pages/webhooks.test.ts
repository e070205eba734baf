// Admin → Webhooks: a Super admin adds an endpoint and sees its signing secret once, edits, pauses,
// resumes, replaces the secret (with its 24-hour overlap) and deletes it; the endpoint's page shows
// each attempt with its response and next try, and resends a delivery. Nobody else opens these pages.
// Endpoints point at the loopback receiver: every change here starts a real delivery in the background.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { allPermissions } from "../../src/domain/access";
import { deactivateUser } from "../../src/domain/users/user-lifecycle";
import { deliverEvents } from "../../src/domain/webhooks/webhook-delivery";
import type { Agent } from "../helpers/agent";
import { summarizeResponse } from "../helpers/agent";
import { collectBackgroundWork } from "../helpers/background";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  signInAs,
  testContext,
} from "../helpers/factories";
import { newInbox, receiverUrl } from "../helpers/webhook-receiver";

const clock = new TestClock("2026-12-03T09:00:00Z");
const background = collectBackgroundWork();
const app = createTestApp(clock, { runInBackground: background.runInBackground });

async function signedInSuperAdmin() {
  return signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
}

function shownSecret(html: string): string | null {
  return /id="webhook-secret"[^>]*value="(whsec_[^"]+)"/.exec(html)?.[1] ?? null;
}

async function endpointRow(id: string) {
  return env.DB.prepare(
    "SELECT status, event_types, tenant_id, secret_sealed, previous_secret_expires_at FROM webhook_endpoints WHERE id = ?",
  )
    .bind(id)
    .first<{
      status: string;
      event_types: string;
      tenant_id: string | null;
      secret_sealed: string;
      previous_secret_expires_at: number | null;
    }>();
}

/** Adds an endpoint through the form; answers its id and the page the redirect leads to. */
async function addEndpoint(agent: Agent, form: Array<[string, string]>) {
  const created = await agent.post("/admin/webhooks", form);
  expect(created.status, await summarizeResponse(created)).toBe(303);
  const location = created.headers.get("location") ?? "";
  expect(location).toMatch(/^\/admin\/webhooks\/whe_[a-f0-9]+\?secret=new$/);
  await background.settleBackgroundWork();
  return { id: location.slice("/admin/webhooks/".length, location.indexOf("?")), location };
}

describe("Admin → Webhooks", () => {
  it("adds an endpoint and shows its whsec_ secret once: a reload does not", async () => {
    const agent = await signedInSuperAdmin();
    const form = await (await agent.get("/admin/webhooks/new")).text();
    expect(form).toContain('value="user.deactivated"');
    expect(form).toContain("Tick none to receive every event type");
    const url = receiverUrl(`/ok/${newInbox("console-add")}`);
    const { id, location } = await addEndpoint(agent, [
      ["url", url],
      ["description", "CRM sync"],
      ["eventTypes", "user.deactivated"],
      ["eventTypes", "user.reactivated"],
      ["tenantId", ""],
    ]);

    const page = await (await agent.get(location)).text();
    const secret = shownSecret(page);
    expect(secret, page).toMatch(/^whsec_/);
    expect(page).toContain("The endpoint “CRM sync” (127.0.0.1");
    expect(page).toContain("User deactivated, User reactivated");
    const row = await endpointRow(id);
    expect(row?.status).toBe("enabled");
    expect(JSON.parse(row?.event_types ?? "[]")).toEqual(["user.deactivated", "user.reactivated"]);
    expect(row?.secret_sealed).not.toContain(secret);

    const reloaded = await (await agent.get(location)).text();
    expect(shownSecret(reloaded)).toBeNull();
    expect(reloaded).not.toContain(secret ?? "never");
    expect(reloaded).toContain("The secret was shown once, when it was made.");

    const list = await (await agent.get("/admin/webhooks")).text();
    expect(list).toContain("CRM sync");
    expect(list).toContain("2 event types");
    expect(list).not.toContain(secret ?? "never");
  });

  it("answers 403 to an Operator holding every permission, and shows them no Webhooks link", async () => {
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(operator.id, [...allPermissions]);
    const agent = await signInAs(app, clock, operator);
    for (const response of [
      await agent.get("/admin/webhooks"),
      await agent.get("/admin/webhooks/new"),
      await agent.post("/admin/webhooks", { url: receiverUrl("/ok/x"), description: "", tenantId: "" }),
    ]) {
      expect(response.status, await summarizeResponse(response)).toBe(403);
    }
    expect(await (await agent.get("/admin")).text()).not.toContain('href="/admin/webhooks"');
    expect(await env.DB.prepare("SELECT count(*) AS n FROM webhook_endpoints WHERE url LIKE '%/ok/x'").first("n")).toBe(
      0,
    );
  });

  it("shows a refused URL again with the message next to it and what was typed", async () => {
    const agent = await signedInSuperAdmin();
    const tenant = await createTestTenant(clock, "Refusal Co");
    for (const [url, message] of [
      ["http://10.0.0.1/x", "This address is private, local or reserved."],
      ["https://intranet/hooks", "Use a full host name with a domain, such as hooks.example.com."],
    ] as const) {
      const refused = await agent.post("/admin/webhooks", [
        ["url", url],
        ["description", "Typed description"],
        ["eventTypes", "membership.granted"],
        ["tenantId", tenant.id],
      ]);
      const html = await refused.text();
      expect(refused.status, html).toBe(400);
      expect(html).toMatch(new RegExp(`id="field-url-error">${message.replaceAll(".", "\\.")}<`));
      expect(html).toContain(`value="${url}"`);
      expect(html).toContain('value="Typed description"');
      expect(html).toMatch(/value="membership\.granted" checked/);
      expect(html).toMatch(new RegExp(`value="${tenant.id}" selected`));
    }
  });

  it("edits the event types and the tenant", async () => {
    const agent = await signedInSuperAdmin();
    const tenant = await createTestTenant(clock, "Edit Co");
    const url = receiverUrl(`/ok/${newInbox("console-edit")}`);
    const { id } = await addEndpoint(agent, [
      ["url", url],
      ["description", "Edited"],
      ["tenantId", ""],
    ]);
    const form = await (await agent.get(`/admin/webhooks/${id}/edit`)).text();
    expect(form).toContain(`value="${url}"`);
    const saved = await agent.post(`/admin/webhooks/${id}/edit`, [
      ["url", url],
      ["description", "Edited"],
      ["eventTypes", "tenant.updated"],
      ["tenantId", tenant.id],
    ]);
    expect(saved.status, await summarizeResponse(saved)).toBe(303);
    await background.settleBackgroundWork();
    const row = await endpointRow(id);
    expect(JSON.parse(row?.event_types ?? "[]")).toEqual(["tenant.updated"]);
    expect(row?.tenant_id).toBe(tenant.id);
    const page = await (await agent.get(`/admin/webhooks/${id}`)).text();
    expect(page).toContain("The endpoint “Edited” (127.0.0.1");
    expect(page).toContain("Edit Co: only its events");
  });

  it("pauses and resumes an endpoint", async () => {
    const agent = await signedInSuperAdmin();
    const { id } = await addEndpoint(agent, [
      ["url", receiverUrl(`/ok/${newInbox("console-pause")}`)],
      ["description", "Paused one"],
      ["tenantId", ""],
    ]);
    const paused = await agent.post(`/admin/webhooks/${id}/pause`, {});
    expect(paused.status, await summarizeResponse(paused)).toBe(303);
    expect((await endpointRow(id))?.status).toBe("paused");
    expect(await (await agent.get(`/admin/webhooks/${id}`)).text()).toContain("is paused: it gets no events");
    const resumed = await agent.post(`/admin/webhooks/${id}/resume`, {});
    expect(resumed.status, await summarizeResponse(resumed)).toBe(303);
    await background.settleBackgroundWork();
    expect((await endpointRow(id))?.status).toBe("enabled");
  });

  it("replaces the signing secret: the new one shown once, the old one signing until 24 hours later", async () => {
    const agent = await signedInSuperAdmin();
    const { id, location } = await addEndpoint(agent, [
      ["url", receiverUrl(`/ok/${newInbox("console-rotate")}`)],
      ["description", "Rotated"],
      ["tenantId", ""],
    ]);
    const first = shownSecret(await (await agent.get(location)).text());
    const rotated = await agent.post(`/admin/webhooks/${id}/rotate-secret`, {});
    expect(rotated.status, await summarizeResponse(rotated)).toBe(303);
    await background.settleBackgroundWork();
    const page = await (await agent.get(rotated.headers.get("location") ?? "")).text();
    const second = shownSecret(page);
    expect(second, page).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(page).toContain("The previous secret still signs every delivery beside the new one until");
    expect((await endpointRow(id))?.previous_secret_expires_at).toBe(clock.now().getTime() + 24 * 60 * 60 * 1000);
  });

  it("deletes an endpoint after a confirmation page", async () => {
    const agent = await signedInSuperAdmin();
    const { id } = await addEndpoint(agent, [
      ["url", receiverUrl(`/ok/${newInbox("console-delete")}`)],
      ["description", "Doomed"],
      ["tenantId", ""],
    ]);
    const confirm = await agent.get(`/admin/webhooks/${id}/delete`);
    const html = await confirm.text();
    expect(confirm.status, html).toBe(200);
    expect(html).toContain(`action="/admin/webhooks/${id}/delete"`);
    const deleted = await agent.post(`/admin/webhooks/${id}/delete`, {});
    expect(deleted.status, await summarizeResponse(deleted)).toBe(303);
    expect(deleted.headers.get("location")).toBe("/admin/webhooks");
    expect(await endpointRow(id)).toBeNull();
    expect(await (await agent.get("/admin/webhooks")).text()).toContain("“Doomed” (127.0.0.1");
  });

  it("shows a failed attempt with its 500 and next try, and resends that delivery", async () => {
    const agent = await signedInSuperAdmin();
    const { id } = await addEndpoint(agent, [
      ["url", receiverUrl(`/status/500/${newInbox("console-resend")}`)],
      ["description", "Failing"],
      ["eventTypes", "user.deactivated"],
      ["tenantId", ""],
    ]);
    const someone = await createActiveUser(clock);
    await deactivateUser(testContext(clock), someone.id);
    const run = { readClock: () => new Date(), deadline: new Date(Date.now() + 15_000) };
    await deliverEvents(testContext(clock), run);
    const page = await (await agent.get(`/admin/webhooks/${id}`)).text();
    expect(page).toMatch(/data-label="Response">500</);
    expect(page).toContain("user.deactivated");
    expect(page).toContain("Waiting to retry");
    expect(page).toMatch(/data-label="Next try"><time datetime="2026-12-03T/);
    const delivery = await env.DB.prepare("SELECT id, attempts FROM webhook_deliveries WHERE endpoint_id = ?")
      .bind(id)
      .first<{ id: string; attempts: number }>();
    expect(delivery?.attempts).toBe(1);

    const resent = await agent.post(`/admin/webhooks/${id}/deliveries/${delivery?.id}/resend`, {});
    expect(resent.status, await summarizeResponse(resent)).toBe(303);
    await background.settleBackgroundWork();
    const after = await (await agent.get(`/admin/webhooks/${id}`)).text();
    expect(after).toContain("is sent again now, with the same webhook-id");
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM webhook_attempts WHERE endpoint_id = ?").bind(id).first("n"),
    ).toBe(2);
  });
});
