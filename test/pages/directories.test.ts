// Admin → Directories: a SUPER_ADMIN creates a directory, sees its token once (a reload does not),
// replaces it with a 24-hour overlap and revokes it; nobody else opens these pages.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/crypto";
import { allPermissions } from "../../src/domain/access";
import { insertAuditEvent } from "../../src/domain/audit/audit";
import { readConfig } from "../../src/env";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createFilledDirectory } from "../helpers/directory-fixtures";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  signInAs,
  testContext,
} from "../helpers/factories";

const clock = new TestClock("2026-12-02T09:00:00Z");
const app = createTestApp(clock);
const scimBaseUrl = `${readConfig(env).APP_ORIGIN}/scim/v2`;

async function signedInSuperAdmin() {
  return signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
}

function shownToken(html: string): string | null {
  return (
    /id="directory-token"[^>]*value="(gths_[^"]+)"|value="(gths_[^"]+)"[^>]*id="directory-token"/
      .exec(html)
      ?.slice(1)
      .find(Boolean) ?? null
  );
}

async function tokenRows(directoryId: string) {
  const rows = await env.DB.prepare(
    "SELECT id, token_hash, expires_at, revoked_at FROM directory_tokens WHERE directory_id = ? ORDER BY created_at",
  )
    .bind(directoryId)
    .all<{ id: string; token_hash: string; expires_at: number | null; revoked_at: number | null }>();
  return rows.results;
}

describe("Admin → Directories", () => {
  it("creates a company directory and shows its SCIM address always and its token once", async () => {
    const agent = await signedInSuperAdmin();
    const tenant = await createTestTenant(clock, "Acme");
    const form = await (await agent.get("/admin/directories/new")).text();
    expect(form).toContain(`value="tenant:${tenant.id}"`);
    const created = await agent.post("/admin/directories", { name: "Acme Entra", owner: `tenant:${tenant.id}` });
    expect(created.status, await summarizeResponse(created)).toBe(303);
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(/^\/admin\/directories\/dir_[a-f0-9]+\?token=dtk_[a-f0-9]+$/);

    const page = await (await agent.get(location)).text();
    const token = shownToken(page);
    expect(token, page).toMatch(/^gths_/);
    expect(page).toContain(`value="${scimBaseUrl}"`);
    expect(page).toContain("The directory &quot;Acme Entra&quot; was created for Acme.");
    const directoryId = location.slice("/admin/directories/".length, location.indexOf("?"));
    expect((await tokenRows(directoryId)).map((row) => row.token_hash)).toEqual([hashToken(token ?? "")]);

    const reloaded = await (await agent.get(location)).text();
    expect(shownToken(reloaded)).toBeNull();
    expect(reloaded).not.toContain(token ?? "never");
    expect(reloaded).toContain("The token was shown once, when it was made.");
    expect(reloaded).toContain(`value="${scimBaseUrl}"`);

    const list = await (await agent.get("/admin/directories")).text();
    expect(list).toContain("Acme Entra");
    expect(list).toContain("Acme");
  });

  it("refuses a second staff directory with a clear message, and stops offering the staff", async () => {
    const agent = await signedInSuperAdmin();
    const first = await agent.post("/admin/directories", { name: "Okta", owner: "staff" });
    expect(first.status, await summarizeResponse(first)).toBe(303);
    expect(await (await agent.get("/admin/directories/new")).text()).not.toContain('value="staff"');
    const second = await agent.post("/admin/directories", { name: "Entra", owner: "staff" });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("The staff already has a directory.");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM directories WHERE scope = 'staff'").first<{
      n: number;
    }>();
    expect(count?.n).toBe(1);
  });

  it("marks both the name and the missing owner when both are wrong, so every problem shows at once", async () => {
    const agent = await signedInSuperAdmin();
    const refused = await agent.post("/admin/directories", { name: "Okta\u0000", owner: "" });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(/id="field-name"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/id="field-owner"[^>]*aria-invalid="true"/);
  });

  it("replaces the token: the new one is shown once and the old one ends 24 hours later", async () => {
    const agent = await signedInSuperAdmin();
    const { directory, token } = await createFilledDirectory(clock);
    clock.advanceSeconds(600);
    const rotated = await agent.post(`/admin/directories/${directory.id}/tokens`, {});
    expect(rotated.status, await summarizeResponse(rotated)).toBe(303);
    const page = await (await agent.get(rotated.headers.get("location") ?? "")).text();
    const secret = shownToken(page);
    expect(secret).toMatch(/^gths_/);
    expect(page).toContain("its older tokens keep working until 24 hours from now");
    const rows = await tokenRows(directory.id);
    expect(
      rows.map((row) => [row.id === token.id, row.expires_at, row.token_hash === hashToken(secret ?? "")]),
    ).toEqual([
      [true, clock.now().getTime() + 24 * 3600 * 1000, false],
      [false, null, true],
    ]);
    expect(page).toContain("Still accepted");
    const newRow = page.slice(page.indexOf(`<tr id="token-${rows[1]?.id}"`));
    expect(newRow.slice(0, newRow.indexOf("</tr>"))).toContain("The token shown above");
    expect(await (await agent.get(rotated.headers.get("location") ?? "")).text()).not.toContain(
      "The token shown above",
    );
  });

  it("revokes a token behind a confirmation", async () => {
    const agent = await signedInSuperAdmin();
    const { directory, token } = await createFilledDirectory(clock);
    const path = `/admin/directories/${directory.id}/tokens/${token.id}/revoke`;
    const confirmation = await agent.post(path, {});
    expect(confirmation.status).toBe(200);
    expect(await confirmation.text()).toContain("Revoke token");
    expect((await tokenRows(directory.id))[0]?.revoked_at).toBeNull();
    const revoked = await agent.post(path, { confirm: "yes" });
    expect(revoked.status, await summarizeResponse(revoked)).toBe(303);
    expect((await tokenRows(directory.id))[0]?.revoked_at).toBe(clock.now().getTime());
    const page = await (await agent.get(`/admin/directories/${directory.id}`)).text();
    expect(page).toContain("A token of &quot;Entra&quot; was revoked");
    expect(page).toContain("Revoked");
  });

  it("shows the counts, groups and last errors of a directory", async () => {
    const agent = await signedInSuperAdmin();
    const { directory } = await createFilledDirectory(clock, { users: 8, groups: 2, errors: 3 });
    const page = await (await agent.get(`/admin/directories/${directory.id}`)).text();
    expect(page).toContain("2 active, 2 pending, 2 deactivated");
    expect(page).toContain("Group 0");
    expect(page).toContain("Client admin");
    expect(page).toContain("Refusal 2: this email exists.");
    expect(page).toContain('data-label="SCIM type">uniqueness');
  });

  it("names a directory acting in the audit log with a Directory badge", async () => {
    const agent = await signedInSuperAdmin();
    const { directory } = await createFilledDirectory(clock);
    const service = {
      type: "scim_directory" as const,
      id: directory.id,
      name: "Okta",
      scope: { kind: "staff" as const },
    };
    await insertAuditEvent(testContext(clock, { kind: "service", service }), {
      action: "user.deactivated",
      details: {},
    });
    const audit = await (await agent.get(`/admin/audit?actor=${directory.id}`)).text();
    expect(audit).toMatch(/Okta<\/a><div><span class="badge badge-info">Directory<\/span>/);
  });

  it("refuses an Operator holding every permission, and keeps Directories out of their navigation", async () => {
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(operator.id, [...allPermissions]);
    const agent = await signInAs(app, clock, operator);
    for (const path of ["/admin/directories", "/admin/directories/new"]) {
      expect((await agent.get(path)).status, path).toBe(403);
    }
    const refused = await agent.post("/admin/directories", { name: "Sneaky", owner: "staff" });
    expect(refused.status).toBe(403);
    expect(await (await agent.get("/admin")).text()).not.toContain('href="/admin/directories"');
  });
});
