// A user a directory holds, on the console: every tab says which directory manages them; Details
// offers only the Slack ID and no Deactivate, and a forged change of an owned field is refused.
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createDirectoryUser, createTestDirectory } from "../helpers/directory-groups";
import { createActiveUser, createTestApp, createTestTenant, signInAs } from "../helpers/factories";

async function setUp() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const tenant = await createTestTenant(clock, "Acme");
  const directory = await createTestDirectory(clock, { tenantId: tenant.id }, "Acme Okta");
  const user = await createDirectoryUser(clock, directory);
  return { clock, app, user, agent: await signInAs(app, clock, admin) };
}

describe("the Details tab of a directory's user", () => {
  it("says the directory manages them, offers the Slack ID alone and no Deactivate", async () => {
    const { user, agent } = await setUp();
    const response = await agent.get(`/admin/users/${user.id}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Managed by the directory “Acme Okta”");
    expect(html).toContain('name="slackId"');
    expect(html).toMatch(/<input type="hidden" name="firstName"/);
    expect(html).not.toMatch(/<input[^>]*type="text"[^>]*name="firstName"/);
    expect(html).not.toMatch(/<select[^>]*name="role"/);
    expect(html).not.toContain(`href="/admin/users/${user.id}/deactivate"`);
  });

  it("saves the Slack ID and refuses a forged change of a name, naming the directory", async () => {
    const { user, agent } = await setUp();
    const kept = {
      firstName: user.firstName,
      lastName: user.lastName,
      displayName: "Test Person",
      role: "CLIENT_USER",
    };
    const saved = await agent.post(`/admin/users/${user.id}`, { ...kept, slackId: "U012AB3CD" });
    expect(saved.status, await summarizeResponse(saved)).toBe(303);
    const forged = await agent.post(`/admin/users/${user.id}`, { ...kept, firstName: "Forged", slackId: "" });
    expect(forged.status).toBe(409);
    expect(await forged.text()).toContain("Managed by the directory “Acme Okta”: change this in Acme Okta.");
  });

  it("refuses the deactivation by hand even when asked directly", async () => {
    const { user, agent } = await setUp();
    const response = await agent.post(`/admin/users/${user.id}/deactivate`, {});
    expect(response.status).toBe(409);
  });
});

describe("the other tabs of a directory's user", () => {
  it("say the directory manages them too: Memberships, Access groups and Security", async () => {
    const { user, agent } = await setUp();
    for (const tab of ["memberships", "access-groups", "security"]) {
      const response = await agent.get(`/admin/users/${user.id}/${tab}`);
      expect(response.status, await summarizeResponse(response.clone())).toBe(200);
      expect(await response.text(), tab).toContain("Managed by the directory “Acme Okta”");
    }
  });
});
