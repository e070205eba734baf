// PUT, PATCH and DELETE on /scim/v2/Users/:id, in the shapes Okta and both Entra dialects send,
// and deactivation biting on the very next request of the user's session and API token.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createStaffDirectory, oktaUser } from "../helpers/directories";
import { createActiveUser, createTestApp, signInAs, uniqueEmail } from "../helpers/factories";

const clock = new TestClock("2026-12-01T09:00:00Z");
const app = createTestApp(clock);
const staff = await createStaffDirectory(app, clock);
const patchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

type ScimUser = {
  id: string;
  userName: string;
  active: boolean;
  emails: Array<{ value: string }>;
  [key: string]: unknown;
};

function patch(...operations: unknown[]) {
  return { schemas: [patchOpUrn], Operations: operations };
}

async function userRow(id: string) {
  return env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

describe("PUT", () => {
  it("replaces the owned fields and re-keys a new userName, refusing one another user holds", async () => {
    const sent = oktaUser();
    const user = await staff.scim.expect<ScimUser>("POST", "/Users", sent, 201);
    const other = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const renamed = uniqueEmail("Renamed");
    const replaced = await staff.scim.expect<ScimUser>(
      "PUT",
      `/Users/${user.id}`,
      { ...sent, userName: renamed, name: { givenName: "Re", familyName: "Named" }, displayName: undefined },
      200,
    );
    expect(replaced).toMatchObject({ id: user.id, userName: renamed, displayName: "Re Named" });
    const found = await staff.scim.expect<{ Resources: ScimUser[] }>(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${renamed.toLowerCase()}"`)}`,
      undefined,
      200,
    );
    expect(found.Resources.map((resource) => resource.id)).toEqual([user.id]);
    const clash = await staff.scim.request("PUT", `/Users/${user.id}`, { ...sent, userName: other.userName });
    expect(clash.status).toBe(409);
    expect(await clash.json()).toMatchObject({ scimType: "uniqueness" });
    const emailClash = await staff.scim.request("PUT", `/Users/${user.id}`, {
      ...sent,
      emails: [{ value: other.emails[0]?.value, primary: true }],
    });
    expect(emailClash.status).toBe(409);
  });
  it("keeps a deactivated user deactivated when a PUT does not mention active", async () => {
    const { active: _active, ...withoutActive } = oktaUser({ active: false });
    const user = await staff.scim.expect<ScimUser>("POST", "/Users", { ...withoutActive, active: false }, 201);
    const replaced = await staff.scim.expect<ScimUser>(
      "PUT",
      `/Users/${user.id}`,
      { ...withoutActive, userName: user.userName },
      200,
    );
    expect(replaced.active).toBe(false);
    expect((await userRow(user.id))?.deactivated_at).not.toBeNull();
  });
});

describe("PATCH", () => {
  it("deactivates with Okta's shape and reactivates with Entra's capitalised op and string booleans", async () => {
    const user = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const off = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${user.id}`,
      patch({ op: "replace", value: { active: false } }),
      200,
    );
    expect(off.active).toBe(false);
    expect((await userRow(user.id))?.deactivated_at).toBe(clock.now().getTime());
    const on = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${user.id}`,
      patch({ op: "Replace", path: "active", value: "True" }),
      200,
    );
    expect(on.active).toBe(true);
    const offAgain = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${user.id}`,
      patch({ op: "Replace", path: "active", value: "False" }),
      200,
    );
    expect(offAgain.active).toBe(false);
  });

  it('changes the email through emails[type eq "work"].value and a name through its path', async () => {
    const user = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const email = uniqueEmail("moved");
    const changed = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${user.id}`,
      patch(
        { op: "replace", path: 'emails[type eq "work"].value', value: email },
        { op: "replace", path: "name.familyName", value: "Moved" },
      ),
      200,
    );
    expect(changed).toMatchObject({ emails: [{ value: email }], name: { familyName: "Moved" } });
    expect(await userRow(user.id)).toMatchObject({ email, last_name: "Moved" });
  });

  it("keeps the enterprise extension's attributes Entra sends by path", async () => {
    const user = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const extension = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const changed = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${user.id}`,
      patch({ op: "Add", path: `${extension}:department`, value: "Finance" }),
      200,
    );
    expect(changed[extension]).toEqual({ department: "Finance" });
    expect(changed.schemas).toContain(extension);
  });
});

describe("deactivation by a directory", () => {
  it("ends the user's session and API token on their next request", async () => {
    const person = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = await signInAs(app, clock, person);
    const api = new ApiClient(app, await createApiTokenFor(agent));
    expect((await api.call("GET", "/api/v1/me")).status).toBe(200);
    const adopted = await staff.scim.expect<ScimUser>(
      "POST",
      "/Users",
      oktaUser({ userName: person.email, emails: [{ value: person.email, primary: true }] }),
      201,
    );
    expect(adopted.id).toBe(person.id);
    await staff.scim.expect("PATCH", `/Users/${person.id}`, patch({ op: "replace", value: { active: false } }), 200);
    expect((await agent.json("GET", "/api/v1/me")).status).toBe(401);
    expect((await api.call("GET", "/api/v1/me")).status).toBe(401);
    const audit = await env.DB.prepare(
      "SELECT actor_kind, actor_id FROM audit_events WHERE action = 'user.deactivated' AND target_id = ?",
    )
      .bind(person.id)
      .first();
    expect(audit).toEqual({ actor_kind: "service:scim_directory", actor_id: staff.id });
  });

  it("never touches a SUPER_ADMIN promoted after the directory linked them", async () => {
    const user = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    await env.DB.prepare("UPDATE users SET role = 'SUPER_ADMIN' WHERE id = ?").bind(user.id).run();
    const refused = await staff.scim.request(
      "PATCH",
      `/Users/${user.id}`,
      patch({ op: "replace", value: { active: false } }),
    );
    expect(refused.status).toBe(403);
    expect((await staff.scim.request("DELETE", `/Users/${user.id}`)).status).toBe(403);
    expect((await userRow(user.id))?.deactivated_at).toBeNull();
  });
});

describe("Entra's provisioning cycle, replayed", () => {
  it("probes by userName, creates with its shape, updates in both PATCH dialects, then disables", async () => {
    const userName = `Test_User_${crypto.randomUUID().slice(0, 8)}@testuser.example`;
    const probe = await staff.scim.expect<{ totalResults: number; Resources: unknown[] }>(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
      undefined,
      200,
    );
    expect(probe).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await staff.scim.expect<ScimUser>(
      "POST",
      "/Users",
      {
        schemas: [
          "urn:ietf:params:scim:schemas:core:2.0:User",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        userName,
        active: true,
        emails: [{ primary: true, type: "work", value: userName }],
        meta: { resourceType: "User" },
        name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
        roles: [],
      },
      201,
    );
    expect(created).toMatchObject({ userName, displayName: "givenName familyName", active: true });
    // The default dialect: capitalised ops, booleans as strings.
    const renamed = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${created.id}`,
      patch(
        { op: "Replace", path: "displayName", value: "Renamed Person" },
        { op: "Add", path: "name.givenName", value: "Renamed" },
        { op: "Replace", path: "active", value: "True" },
      ),
      200,
    );
    expect(renamed).toMatchObject({ displayName: "Renamed Person", name: { givenName: "Renamed" } });
    // aadOptscim062020: lower-case ops and real booleans.
    const disabled = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${created.id}`,
      patch({ op: "replace", path: "active", value: false }),
      200,
    );
    expect(disabled.active).toBe(false);
    expect(await userRow(created.id)).toMatchObject({ display_name: "Renamed Person", first_name: "Renamed" });
  });
});

describe("emails", () => {
  it("keeps every email sent, answers them back, and uses the primary one as the Gatehouse email", async () => {
    const work = uniqueEmail("Work");
    const home = uniqueEmail("Home");
    const created = await staff.scim.expect<ScimUser>(
      "POST",
      "/Users",
      oktaUser({
        userName: work,
        emails: [
          { value: home, type: "home" },
          { value: work, type: "work", primary: true },
        ],
      }),
      201,
    );
    expect(created.emails).toEqual([
      { value: home, type: "home" },
      { value: work.toLowerCase(), type: "work", primary: true },
    ]);
    const newHome = uniqueEmail("NewHome");
    const patched = await staff.scim.expect<ScimUser>(
      "PATCH",
      `/Users/${created.id}`,
      patch({ op: "replace", path: 'emails[type eq "home"].value', value: newHome }),
      200,
    );
    expect(patched.emails[0]).toEqual({ value: newHome, type: "home" });
    expect((await userRow(created.id))?.email).toBe(work.toLowerCase());
  });

  it("answers noTarget to a replace through a filter no email matches, changing nothing", async () => {
    const created = await staff.scim.expect<ScimUser>("POST", "/Users", oktaUser(), 201);
    const response = await staff.scim.request(
      "PATCH",
      `/Users/${created.id}`,
      patch({ op: "replace", path: 'emails[type eq "pager"].value', value: "x@example.test" }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ scimType: "noTarget", status: "400" });
    const after = await staff.scim.expect<ScimUser>("GET", `/Users/${created.id}`, undefined, 200);
    expect(after.emails).toEqual(created.emails);
  });
});

describe("the audit of a change", () => {
  async function updates(userId: string) {
    const rows = await env.DB.prepare(
      "SELECT details FROM audit_events WHERE action = 'user.updated' AND target_id = ? ORDER BY id",
    )
      .bind(userId)
      .all<{ details: string }>();
    return rows.results.map((row) => JSON.parse(row.details) as { fields: string[] });
  }

  it("names the directory's identifiers and kept attributes it changed, and writes nothing for a PUT that changes nothing", async () => {
    const sent = oktaUser();
    const created = await staff.scim.expect<ScimUser>("POST", "/Users", sent, 201);
    const before = await userRow(created.id);
    clock.advanceSeconds(60);
    await staff.scim.expect("PUT", `/Users/${created.id}`, sent, 200);
    expect(await updates(created.id)).toEqual([]);
    expect((await userRow(created.id))?.updated_at).toBe(before?.updated_at);
    await staff.scim.expect(
      "PUT",
      `/Users/${created.id}`,
      { ...sent, userName: uniqueEmail("Renamed"), externalId: "00u-new", title: "Lead" },
      200,
    );
    expect(await updates(created.id)).toEqual([{ fields: ["userName", "externalId", "attributes"] }]);
  });
});
