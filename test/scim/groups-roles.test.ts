// What groups grant, end to end: users provisioned through POST /Users, groups through /Groups, the
// mapping set by a Super admin; the roles and access groups follow each SCIM change.
import { describe, expect, it } from "vitest";
import { setDirectoryGroupMapping } from "../../src/domain/directories/directory-group-mapping";
import { TestClock } from "../helpers/clock";
import { createClientDirectory, createStaffDirectory, oktaUser, type TestDirectory } from "../helpers/directories";
import { superAdminActor } from "../helpers/directory-groups";
import { createTestApp, inviteTestUser, testContext } from "../helpers/factories";
import { createTestGroup } from "../helpers/groups";
import { rawDb } from "../helpers/store";

const groupUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";
const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async function provision(directory: TestDirectory) {
  return (await directory.scim.expect<{ id: string }>("POST", "/Users", oktaUser(), 201)).id;
}

async function createGroup(directory: TestDirectory, displayName: string, memberIds: string[]) {
  const body = { schemas: [groupUrn], displayName, members: memberIds.map((value) => ({ value })) };
  return (await directory.scim.expect<{ id: string }>("POST", "/Groups", body, 201)).id;
}

function patch(directory: TestDirectory, groupId: string, operations: unknown[]) {
  return directory.scim.expect("PATCH", `/Groups/${groupId}`, { schemas: [patchOp], Operations: operations }, 204);
}

const roleOf = async (sql: string, ...values: string[]) =>
  (
    await rawDb
      .prepare(sql)
      .bind(...values)
      .first<{ role: string }>()
  )?.role;

describe("groups over SCIM", () => {
  it("make a client directory's members client admins through the mapped group, and viewers when Entra removes them", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const directory = await createClientDirectory(app, clock, "Acme");
    const tenantId = directory.tenant?.id ?? "";
    const userId = await provision(directory);
    const membershipRole = () =>
      roleOf(
        "SELECT role FROM memberships WHERE user_id = ? AND tenant_id = ? AND revoked_at IS NULL",
        userId,
        tenantId,
      );
    expect(await membershipRole()).toBe("CLIENT_VIEWER");
    const groupId = await createGroup(directory, "Acme IT", []);
    await setDirectoryGroupMapping(testContext(clock, superAdminActor(clock)), groupId, {
      mappedRole: "CLIENT_ADMIN",
      accessGroupId: null,
    });
    await patch(directory, groupId, [{ op: "Add", path: "members", value: [{ value: userId }] }]);
    expect(await membershipRole()).toBe("CLIENT_ADMIN");
    await patch(directory, groupId, [{ op: "Remove", path: "members", value: [{ value: userId }] }]);
    expect(await membershipRole()).toBe("CLIENT_VIEWER");
  });

  it("make staff contractors through a CONTRACTOR group and keep a linked access group in step, never touching a Super admin", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const directory = await createStaffDirectory(app, clock);
    const [ann, ben] = [await provision(directory), await provision(directory)];
    const { user: superAdmin } = await inviteTestUser(clock, { role: "SUPER_ADMIN" });
    const accessGroup = await createTestGroup(clock, ["users:read"]);
    await rawDb
      .prepare("INSERT INTO access_group_members (group_id, user_id, added_at) VALUES (?, ?, 0)")
      .bind(accessGroup.id, superAdmin.id)
      .run();
    const groupId = await createGroup(directory, "Contract support", [ann]);
    await setDirectoryGroupMapping(testContext(clock, superAdminActor(clock)), groupId, {
      mappedRole: "CONTRACTOR",
      accessGroupId: accessGroup.id,
    });
    expect(await roleOf("SELECT role FROM users WHERE id = ?", ann)).toBe("CONTRACTOR");
    await patch(directory, groupId, [
      { op: "add", path: "members", value: [{ value: ben }] },
      { op: "remove", path: `members[value eq "${ann}"]` },
    ]);
    expect(await roleOf("SELECT role FROM users WHERE id = ?", ann)).toBe("OPERATOR");
    expect(await roleOf("SELECT role FROM users WHERE id = ?", ben)).toBe("CONTRACTOR");
    const members = await rawDb
      .prepare("SELECT user_id FROM access_group_members WHERE group_id = ? ORDER BY user_id")
      .bind(accessGroup.id)
      .all<{ user_id: string }>();
    expect(members.results.map((row) => row.user_id)).toEqual([ben, superAdmin.id].sort());
  });
});
