// Admin → Sign-in policy (docs/PASSKEYS.md "The policy"): Super admins only, a recent sign-in to
// save, one checkbox per global role, Post/Redirect/Get with a flash, a page opened before another
// admin's change refused with 409, and the people not yet compliant, who leave the list once they
// add a passkey.
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { type Agent, summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, grantPermissionsThroughGroup, signInAs } from "../helpers/factories";
import { registerTestPasskey } from "../helpers/passkeys";

const policyPath = "/admin/sign-in-policy";

async function setup() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return { clock, app, admin, adminAgent: await signInAs(app, clock, admin) };
}

async function page(agent: Agent): Promise<string> {
  const response = await agent.get(policyPath);
  expect(response.status, await summarizeResponse(response)).toBe(200);
  return response.text();
}

/** The checkbox of a role as rendered: its tag, to look at `checked` and `disabled`. */
function checkbox(html: string, role: string): string {
  const tag = new RegExp(`<input[^>]*id="role-${role}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`no checkbox role-${role} in the page`);
  return tag;
}

async function requiredRoles(): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT role FROM passkey_required_roles ORDER BY role").all<{ role: string }>();
  return rows.results.map((row) => row.role);
}

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM passkey_required_roles").run();
});

describe("the sign-in policy page", () => {
  it("offers one checkbox per global role, labelled in words, and saves the ones ticked (303 back, with a flash)", async () => {
    const { adminAgent } = await setup();
    const html = await page(adminAgent);
    const labels = {
      SUPER_ADMIN: "Super admin",
      OPERATOR: "Operator",
      CONTRACTOR: "Contractor",
      CLIENT_USER: "Client user",
    };
    for (const [role, label] of Object.entries(labels)) {
      expect(checkbox(html, role)).toContain('name="roles"');
      expect(checkbox(html, role)).not.toContain("checked");
      expect(html).toContain(`<label for="role-${role}">${label}</label>`);
    }
    expect(html).toContain("Save policy");
    expect(html).toContain('href="/admin/sign-in-policy"'); // the navigation item
    expect(html).toContain("Sign-in policy</a>");
    expect(html).toContain("A recovery code is the way back");

    const saved = await adminAgent.post(policyPath, [
      ["shown", ""],
      ["roles", "CONTRACTOR"],
      ["roles", "OPERATOR"],
    ]);
    expect(saved.status, await summarizeResponse(saved)).toBe(303);
    expect(saved.headers.get("location")).toBe(policyPath);
    expect(await requiredRoles()).toEqual(["CONTRACTOR", "OPERATOR"]);
    const after = await page(adminAgent);
    expect(after).toContain(
      "The sign-in policy was saved: a passkey is now required for Operator, Contractor. It applies from each person&#39;s next sign-in.",
    );
    expect(checkbox(after, "CONTRACTOR")).toContain("checked");
    expect(checkbox(after, "OPERATOR")).toContain("checked");
    expect(checkbox(after, "SUPER_ADMIN")).not.toContain("checked");

    const off = await adminAgent.post(policyPath, [
      ["shown", "OPERATOR,CONTRACTOR"],
      ["roles", "CONTRACTOR"],
    ]);
    expect(off.status).toBe(303);
    expect(await page(adminAgent)).toContain("no longer for Operator");
    expect(await requiredRoles()).toEqual(["CONTRACTOR"]);
  });

  it("lists the people of a required role without a passkey, and drops them once they add one", async () => {
    const { clock, adminAgent } = await setup();
    const carl = await createActiveUser(clock, { role: "CONTRACTOR", firstName: "Carl", lastName: "Compliance" });
    const nora = await createActiveUser(clock, { role: "OPERATOR", firstName: "Nora", lastName: "Notrequired" });
    expect(await page(adminAgent)).toContain("No role requires a passkey");
    await adminAgent.post(policyPath, [
      ["shown", ""],
      ["roles", "CONTRACTOR"],
    ]);
    const listed = await page(adminAgent);
    expect(listed).toContain(carl.email);
    expect(listed).toContain(`href="/admin/users/${carl.id}/security">Carl Compliance</a>`);
    expect(listed).not.toContain(nora.email);

    await registerTestPasskey(clock, carl, { name: "Carl's laptop" });
    expect(await page(adminAgent)).not.toContain(carl.email);
  });

  it("refuses with 409 a save from a page opened before another Super admin's change, and shows the policy as it is now", async () => {
    const { clock, app, adminAgent } = await setup();
    const other = await signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
    await page(adminAgent);
    await page(other);
    expect(
      (
        await other.post(policyPath, [
          ["shown", ""],
          ["roles", "OPERATOR"],
        ])
      ).status,
    ).toBe(303);
    const late = await adminAgent.post(policyPath, [
      ["shown", ""],
      ["roles", "CONTRACTOR"],
    ]);
    expect(late.status).toBe(409);
    const html = await late.text();
    expect(html).toContain("Another Super admin changed the sign-in policy meanwhile.");
    expect(checkbox(html, "OPERATOR")).toContain("checked");
    expect(checkbox(html, "CONTRACTOR")).not.toContain("checked");
    expect(await requiredRoles()).toEqual(["OPERATOR"]);
  });

  it("refuses a role that does not exist, and fields the form does not have", async () => {
    const { adminAgent } = await setup();
    const unknown = await adminAgent.post(policyPath, [
      ["shown", ""],
      ["roles", "ROOT"],
    ]);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("Choose among the global roles.");
    expect((await adminAgent.post(policyPath, { shown: "", role: "OPERATOR" })).status).toBe(400);
    expect(await requiredRoles()).toEqual([]);
  });

  it("asks to confirm it's you before saving when the sign-in is not recent", async () => {
    const { clock, adminAgent } = await setup();
    clock.advanceSeconds(16 * 60);
    await adminAgent.get("/admin"); // keep the session from idling out
    const html = await page(adminAgent);
    expect(html).toContain(`href="/account/confirm?next=${encodeURIComponent(policyPath)}">Confirm it&#39;s you</a>`);
    expect(html).not.toContain("Save policy");
    expect(checkbox(html, "OPERATOR")).toContain("disabled");
    const refused = await adminAgent.post(policyPath, [
      ["shown", ""],
      ["roles", "OPERATOR"],
    ]);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("confirm it&#39;s you");
    expect(await requiredRoles()).toEqual([]);
  });

  it("is for Super admins only: an operator holding every users permission gets 403 and no menu item", async () => {
    const { clock, app } = await setup();
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(operator.id, ["users:read", "users:create", "users:update", "users:delete"]);
    const agent = await signInAs(app, clock, operator);
    expect((await agent.get(policyPath)).status).toBe(403);
    const refused = await agent.post(policyPath, [
      ["shown", ""],
      ["roles", "OPERATOR"],
    ]);
    expect(refused.status).toBe(403);
    expect(await (await agent.get("/admin/users")).text()).not.toContain("Sign-in policy");
    expect(await requiredRoles()).toEqual([]);
  });
});
