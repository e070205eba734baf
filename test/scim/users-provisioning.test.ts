// POST /scim/v2/Users: create, adopt, relink, and the one uniqueness answer whatever holds the
// userName or email (docs/PRODUCT.md "Provisioning", docs/SECURITY.md "Directories as actors").
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import { createClientDirectory, createStaffDirectory, oktaUser, scimMediaType } from "../helpers/directories";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  uniqueEmail,
} from "../helpers/factories";

const clock = new TestClock("2026-12-01T09:00:00Z");
const app = createTestApp(clock);
const staff = await createStaffDirectory(app, clock);
const acme = await createClientDirectory(app, clock, "Acme");
const globex = await createClientDirectory(app, clock, "Globex");

type ScimUser = { id: string; userName: string; active: boolean; meta: { location: string }; [key: string]: unknown };

async function userRow(id: string) {
  return env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function auditActions(userId: string) {
  const { results } = await env.DB.prepare(
    "SELECT action, actor_kind, actor_name FROM audit_events WHERE target_id = ? ORDER BY id",
  )
    .bind(userId)
    .all<{ action: string; actor_kind: string; actor_name: string }>();
  return results;
}

describe("creating a user", () => {
  it("makes a PENDING OPERATOR with the invite email from the staff directory, audited with the directory as actor", async () => {
    const sent = oktaUser({ title: "Engineer" });
    const response = await staff.scim.request("POST", "/Users", sent);
    expect(response.status, await response.clone().text()).toBe(201);
    expect(response.headers.get("content-type")).toBe(scimMediaType);
    const created = await response.json<ScimUser>();
    expect(response.headers.get("location")).toBe(`http://localhost:8787/scim/v2/Users/${created.id}`);
    expect(created).toMatchObject({
      userName: sent.userName,
      externalId: sent.externalId,
      displayName: sent.displayName,
      name: { givenName: "Pat", familyName: sent.name.familyName },
      emails: [{ value: sent.userName, type: "work", primary: true }],
      active: true,
      title: "Engineer",
      locale: "en-US",
      groups: [],
      meta: { resourceType: "User", location: response.headers.get("location") },
    });
    expect(created).not.toHaveProperty("password");
    const row = await userRow(created.id);
    expect(row).toMatchObject({ role: "OPERATOR", email: sent.userName, activated_at: null, deactivated_at: null });
    expect(row?.setup_token_hash).not.toBeNull();
    const link = await env.DB.prepare("SELECT attributes FROM directory_users WHERE user_id = ?")
      .bind(created.id)
      .first<{ attributes: string }>();
    expect(link?.attributes).not.toContain("not kept anywhere");
    const invite = await env.DB.prepare("SELECT kind FROM outbox WHERE user_id = ?").bind(created.id).first();
    expect(invite).toMatchObject({ kind: "invite" });
    expect(await auditActions(created.id)).toEqual([
      { action: "user.invited", actor_kind: "service:scim_directory", actor_name: "Staff Okta" },
      { action: "directory.user_linked", actor_kind: "service:scim_directory", actor_name: "Staff Okta" },
    ]);
    const directory = await env.DB.prepare("SELECT last_change_at FROM directories WHERE id = ?")
      .bind(staff.id)
      .first<{ last_change_at: number }>();
    expect(directory?.last_change_at).toBe(clock.now().getTime());
  });

  it("makes a CLIENT_USER with a CLIENT_VIEWER membership in the client directory's tenant only", async () => {
    const created = await acme.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    expect(await userRow(created.id)).toMatchObject({ role: "CLIENT_USER" });
    const { results } = await env.DB.prepare("SELECT tenant_id, role FROM memberships WHERE user_id = ?")
      .bind(created.id)
      .all();
    expect(results).toEqual([{ tenant_id: acme.tenant?.id, role: "CLIENT_VIEWER" }]);
  });

  it("takes the email from the work entry, then userName, and the names from displayName when name is missing", async () => {
    const email = uniqueEmail("work");
    const fromWork = await staff.scim.expect<ScimUser>(
      "POST",
      "/Users",
      oktaUser({
        name: undefined,
        displayName: "Ada King Lovelace",
        emails: [{ value: email.toUpperCase(), type: "work" }],
      }),
      201,
    );
    expect(await userRow(fromWork.id)).toMatchObject({ email, first_name: "Ada", last_name: "King Lovelace" });
    const userName = uniqueEmail("grace.hopper");
    const fromUserName = await staff.scim.expect<ScimUser>(
      "POST",
      "/Users",
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName },
      201,
    );
    expect(await userRow(fromUserName.id)).toMatchObject({ email: userName, first_name: "grace" });
  });

  it("refuses a user with no email anywhere, and a name Gatehouse refuses, naming the attribute", async () => {
    const noEmail = await staff.scim.request("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "just-a-name",
    });
    expect(noEmail.status).toBe(400);
    expect(await noEmail.json()).toMatchObject({
      scimType: "invalidValue",
      detail: expect.stringContaining("Send an email"),
    });
    const badName = await staff.scim.request(
      "POST",
      "/Users",
      oktaUser({ name: { givenName: "A\u202Eb", familyName: "C" } }),
    );
    expect(badName.status).toBe(400);
    expect(await badName.json()).toMatchObject({
      scimType: "invalidValue",
      detail: expect.stringContaining("name.givenName"),
    });
  });

  it("creates a user sent with active false deactivated, without a setup link or an invite email", async () => {
    const created = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser({ active: false }), 201);
    expect(created.active).toBe(false);
    const row = await userRow(created.id);
    expect(row?.deactivated_at).not.toBeNull();
    expect(row?.setup_token_hash).toBeNull();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE user_id = ?").bind(created.id).first()).toEqual(
      { n: 0 },
    );
  });
});

describe("adopting a hand-made user", () => {
  it("links an OPERATOR invited by hand to the staff directory and keeps their id", async () => {
    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    const adopted = await staff.scim.expect<ScimUser>(
      "POST",
      "/Users",
      oktaUser({
        userName: operator.email,
        emails: [{ value: operator.email, primary: true }],
        name: { givenName: "New", familyName: "Name" },
      }),
      201,
    );
    expect(adopted.id).toBe(operator.id);
    expect(await userRow(operator.id)).toMatchObject({ first_name: "New", last_name: "Name", role: "OPERATOR" });
    expect((await auditActions(operator.id)).map((event) => event.action)).toContain("directory.user_adopted");
  });

  it("links a client user whose only memberships are in the directory's tenant", async () => {
    const client = await createActiveUser(clock, {
      role: "CLIENT_USER",
      memberships: [{ tenantId: acme.tenant?.id ?? "", role: "CLIENT_ADMIN", expiresAt: null }],
    });
    const adopted = await acme.scim.expect<ScimUser>(
      "POST",
      "/Users",
      oktaUser({ userName: client.email, emails: undefined }),
      201,
    );
    expect(adopted.id).toBe(client.id);
  });
});

describe("the one uniqueness answer", () => {
  async function refusal(directory: typeof staff, email: string, userName = email) {
    const response = await directory.scim.request(
      "POST",
      "/Users",
      oktaUser({ userName, emails: [{ value: email, primary: true }] }),
    );
    return { status: response.status, body: await response.json() };
  }

  it("answers 409 with the same body for every kind of holder, never saying which", async () => {
    const superAdmin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const otherTenant = await createTestTenant(clock, "Other");
    const otherClient = await inviteTestUser(clock, {
      role: "CLIENT_USER",
      memberships: [{ tenantId: otherTenant.id, role: "CLIENT_VIEWER", expiresAt: null }],
    });
    const twoTenants = await inviteTestUser(clock, {
      role: "CLIENT_USER",
      memberships: [{ tenantId: acme.tenant?.id ?? "", role: "CLIENT_VIEWER", expiresAt: null }],
    });
    await grantTestMembership(clock, { userId: twoTenants.user.id, tenantId: otherTenant.id, role: "CLIENT_VIEWER" });
    const operator = await inviteTestUser(clock, { role: "OPERATOR" });
    const heldByGlobex = await globex.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const linkedHere = await acme.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const answers = [
      await refusal(staff, superAdmin.email),
      await refusal(acme, otherClient.user.email),
      await refusal(acme, twoTenants.user.email),
      await refusal(acme, operator.user.email),
      await refusal(staff, otherClient.user.email),
      await refusal(acme, heldByGlobex.userName),
      await refusal(acme, uniqueEmail("fresh"), linkedHere.userName.toUpperCase()),
      await refusal(acme, linkedHere.userName, uniqueEmail("other-name")),
    ];
    const expected = {
      status: 409,
      body: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "409",
        scimType: "uniqueness",
        detail: "A user with this userName or email already exists.",
      },
    };
    expect(answers).toEqual(answers.map(() => expected));
    expect(await userRow(superAdmin.id)).toMatchObject({ role: "SUPER_ADMIN", deactivated_at: null });
  });
});

describe("relinking a user the directory deleted", () => {
  it("answers 404 after DELETE, then relinks and reactivates the same id on a new POST", async () => {
    const sent = oktaUser();
    const created = await acme.scim.expect<ScimUser>("POST", "/Users", sent, 201);
    await acme.scim.expect("DELETE", `/Users/${created.id}`, undefined, 204);
    expect((await acme.scim.request("GET", `/Users/${created.id}`)).status).toBe(404);
    expect((await userRow(created.id))?.deactivated_at).not.toBeNull();
    const again = await acme.scim.expect<ScimUser>("POST", "/Users", { ...sent, displayName: "Back Again" }, 201);
    expect(again).toMatchObject({ id: created.id, active: true, displayName: "Back Again" });
    expect((await userRow(created.id))?.deactivated_at).toBeNull();
    // A pending user's link died with the deactivation: the relink sends a fresh one.
    expect((await userRow(created.id))?.setup_token_hash).not.toBeNull();
    expect((await auditActions(created.id)).map((event) => event.action)).toEqual([
      "user.invited",
      "directory.user_linked",
      "user.deactivated",
      "directory.user_unlinked",
      "user.updated",
      "user.reactivated",
      "directory.user_relinked",
      "user.setup_link_regenerated",
    ]);
  });

  it("relinks by email under a new userName", async () => {
    const sent = oktaUser();
    const created = await staff.scim.expect<ScimUser>("POST", "/Users", sent, 201);
    await staff.scim.expect("DELETE", `/Users/${created.id}`, undefined, 204);
    const renamed = uniqueEmail("renamed");
    const again = await staff.scim.expect<ScimUser>("POST", "/Users", { ...sent, userName: renamed }, 201);
    expect(again).toMatchObject({ id: created.id, userName: renamed });
  });
});
