// What directory groups grant, on both stores: client roles, the staff CONTRACTOR role, access
// groups kept equal to a linked group, and who may set a mapping.
import { describe, expect, it } from "vitest";
import { setDirectoryGroupMapping } from "../../../src/domain/directories/directory-group-mapping";
import { syncUserFromDirectoryGroups } from "../../../src/domain/directories/directory-sync";
import { createScimGroup, deleteScimGroup, patchScimGroup } from "../../../src/domain/scim/scim-groups";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import {
  createDirectoryUser,
  createTestDirectory,
  directoryTestContext,
  groupSchemaUrnForTests as groupUrn,
  patchOpUrnForTests as patchOp,
  superAdminActor,
  type TestDirectory,
} from "../../helpers/directory-groups";
import { createTestTenant, grantTestMembership, inviteTestUser, testContext } from "../../helpers/factories";
import { createTestGroup } from "../../helpers/groups";
import { rawDb } from "../../helpers/store";

async function makeGroup(clock: TestClock, directory: TestDirectory, displayName: string, memberIds: string[]) {
  const document = await createScimGroup(directoryTestContext(clock, directory), {
    schemas: [groupUrn],
    displayName,
    members: memberIds.map((value) => ({ value })),
  });
  return document.id as string;
}

function patchMembers(clock: TestClock, directory: TestDirectory, groupId: string, operations: unknown[]) {
  return patchScimGroup(directoryTestContext(clock, directory), groupId, {
    schemas: [patchOp],
    Operations: operations,
  });
}

async function membershipRole(userId: string, tenantId: string) {
  const row = await rawDb
    .prepare("SELECT role FROM memberships WHERE user_id = ? AND tenant_id = ? AND revoked_at IS NULL")
    .bind(userId, tenantId)
    .first<{ role: string }>();
  return row?.role;
}

async function globalRole(userId: string) {
  return (await rawDb.prepare("SELECT role FROM users WHERE id = ?").bind(userId).first<{ role: string }>())?.role;
}

async function accessGroupMemberIds(groupId: string) {
  const rows = await rawDb
    .prepare("SELECT user_id FROM access_group_members WHERE group_id = ? ORDER BY user_id")
    .bind(groupId)
    .all<{ user_id: string }>();
  return rows.results.map((row) => row.user_id);
}

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("client directory groups", () => {
  it("make members of a group mapped to CLIENT_ADMIN client admins at once, audited with the directory as actor, and viewers again when they leave", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Acme");
    const directory = await createTestDirectory(clock, { tenantId: tenant.id });
    const [alice, bob] = [await createDirectoryUser(clock, directory), await createDirectoryUser(clock, directory)];
    const groupId = await makeGroup(clock, directory, "Acme IT", [alice.id]);
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_VIEWER");

    await setDirectoryGroupMapping(testContext(clock, superAdminActor(clock)), groupId, {
      mappedRole: "CLIENT_ADMIN",
      accessGroupId: null,
    });
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_ADMIN");
    const audit = await rawDb
      .prepare(
        "SELECT actor_kind, actor_id, details FROM audit_events WHERE action = 'membership.changed' AND tenant_id = ?",
      )
      .bind(tenant.id)
      .first<{ actor_kind: string; actor_id: string; details: string }>();
    expect(audit).toMatchObject({ actor_kind: "service:scim_directory", actor_id: directory.id });
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ from: "CLIENT_VIEWER", role: "CLIENT_ADMIN" });

    await patchMembers(clock, directory, groupId, [{ op: "add", path: "members", value: [{ value: bob.id }] }]);
    expect(await membershipRole(bob.id, tenant.id)).toBe("CLIENT_ADMIN");
    await patchMembers(clock, directory, groupId, [{ op: "remove", path: `members[value eq "${alice.id}"]` }]);
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_VIEWER");
    expect(await membershipRole(bob.id, tenant.id)).toBe("CLIENT_ADMIN");
  });

  it("keep a member admin while another admin group still holds them, and make viewers of a deleted group's members", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Acme");
    const directory = await createTestDirectory(clock, { tenantId: tenant.id });
    const alice = await createDirectoryUser(clock, directory);
    const admin = testContext(clock, superAdminActor(clock));
    const first = await makeGroup(clock, directory, "Acme IT", [alice.id]);
    const second = await makeGroup(clock, directory, "Acme Owners", [alice.id]);
    await setDirectoryGroupMapping(admin, first, { mappedRole: "CLIENT_ADMIN", accessGroupId: null });
    await setDirectoryGroupMapping(admin, second, { mappedRole: "CLIENT_ADMIN", accessGroupId: null });
    await patchMembers(clock, directory, first, [{ op: "Remove", path: "members", value: [{ value: alice.id }] }]);
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_ADMIN");
    await deleteScimGroup(directoryTestContext(clock, directory), second);
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_VIEWER");
  });

  it("refuse a mapping that does not fit a client directory, and anyone but a Super admin", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Acme");
    const directory = await createTestDirectory(clock, { tenantId: tenant.id });
    const groupId = await makeGroup(clock, directory, "Acme IT", []);
    const accessGroup = await createTestGroup(clock, ["users:read"]);
    const admin = testContext(clock, superAdminActor(clock));
    const contractor = await refusalOf(
      setDirectoryGroupMapping(admin, groupId, { mappedRole: "CONTRACTOR", accessGroupId: null }),
    );
    expect(contractor.code).toBe("VALIDATION_FAILED");
    const linked = await refusalOf(
      setDirectoryGroupMapping(admin, groupId, { mappedRole: null, accessGroupId: accessGroup.id }),
    );
    expect(linked.code).toBe("VALIDATION_FAILED");
    const operator = testContext(clock, superAdminActor(clock, "OPERATOR"));
    const forbidden = await refusalOf(
      setDirectoryGroupMapping(operator, groupId, { mappedRole: "CLIENT_ADMIN", accessGroupId: null }),
    );
    expect(forbidden.code).toBe("FORBIDDEN");
    const mapped = await rawDb
      .prepare("SELECT mapped_role, access_group_id FROM directory_groups WHERE id = ?")
      .bind(groupId)
      .first();
    expect(mapped).toEqual({ mapped_role: null, access_group_id: null });
  });
});

describe("syncUserFromDirectoryGroups", () => {
  it("gives a relinked user what the groups they are still in grant", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Acme");
    const directory = await createTestDirectory(clock, { tenantId: tenant.id });
    const alice = await createDirectoryUser(clock, directory);
    const groupId = await makeGroup(clock, directory, "Acme IT", [alice.id]);
    await rawDb.prepare("UPDATE directory_users SET deleted_at = 1 WHERE user_id = ?").bind(alice.id).run();
    await setDirectoryGroupMapping(testContext(clock, superAdminActor(clock)), groupId, {
      mappedRole: "CLIENT_ADMIN",
      accessGroupId: null,
    });
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_VIEWER");
    await rawDb.prepare("UPDATE directory_users SET deleted_at = NULL WHERE user_id = ?").bind(alice.id).run();
    await syncUserFromDirectoryGroups(testContext(clock), directory, [alice.id]);
    expect(await membershipRole(alice.id, tenant.id)).toBe("CLIENT_ADMIN");
  });
});

describe("staff directory groups", () => {
  it("make members of a CONTRACTOR group contractors and operators again, keep back a change an open-ended membership forbids, and never touch a Super admin", async () => {
    const clock = new TestClock();
    const directory = await createTestDirectory(clock, "staff");
    const tenant = await createTestTenant(clock, "Acme");
    const carl = await createDirectoryUser(clock, directory);
    const olga = await createDirectoryUser(clock, directory);
    await grantTestMembership(clock, { userId: olga.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
    const sam = await createDirectoryUser(clock, directory, "SUPER_ADMIN");
    const groupId = await makeGroup(clock, directory, "Contractors", [carl.id, olga.id, sam.id]);
    await setDirectoryGroupMapping(testContext(clock, superAdminActor(clock)), groupId, {
      mappedRole: "CONTRACTOR",
      accessGroupId: null,
    });
    expect(await globalRole(carl.id)).toBe("CONTRACTOR");
    expect(await globalRole(olga.id)).toBe("OPERATOR");
    expect(await globalRole(sam.id)).toBe("SUPER_ADMIN");
    const problem = await rawDb
      .prepare("SELECT method, path, status, detail FROM directory_errors WHERE directory_id = ?")
      .bind(directory.id)
      .first<{ method: string; path: string; status: number; detail: string }>();
    expect(problem).toMatchObject({ method: "SYNC", path: `/Users/${olga.id}`, status: 409 });
    expect(problem?.detail).toContain("needs an expiry");

    await patchMembers(clock, directory, groupId, [{ op: "remove", path: `members[value eq "${carl.id}"]` }]);
    expect(await globalRole(carl.id)).toBe("OPERATOR");
  });

  it("keep a linked access group's members equal to the group's, adding and removing, never a Super admin", async () => {
    const clock = new TestClock();
    const directory = await createTestDirectory(clock, "staff");
    const [ann, ben] = [await createDirectoryUser(clock, directory), await createDirectoryUser(clock, directory)];
    const { user: handAdded } = await inviteTestUser(clock, { role: "OPERATOR" });
    const { user: superAdmin } = await inviteTestUser(clock, { role: "SUPER_ADMIN" });
    const accessGroup = await createTestGroup(clock, ["users:read"]);
    await rawDb.batch(
      [handAdded.id, superAdmin.id].map((userId) =>
        rawDb
          .prepare("INSERT INTO access_group_members (group_id, user_id, added_at) VALUES (?, ?, 0)")
          .bind(accessGroup.id, userId),
      ),
    );
    const groupId = await makeGroup(clock, directory, "Support", [ann.id]);
    await setDirectoryGroupMapping(testContext(clock, superAdminActor(clock)), groupId, {
      mappedRole: null,
      accessGroupId: accessGroup.id,
    });
    expect(await accessGroupMemberIds(accessGroup.id)).toEqual([ann.id, superAdmin.id].sort());

    await patchMembers(clock, directory, groupId, [{ op: "add", path: "members", value: [{ value: ben.id }] }]);
    expect(await accessGroupMemberIds(accessGroup.id)).toEqual([ann.id, ben.id, superAdmin.id].sort());
    await patchMembers(clock, directory, groupId, [{ op: "replace", path: "members", value: [{ value: ben.id }] }]);
    expect(await accessGroupMemberIds(accessGroup.id)).toEqual([ben.id, superAdmin.id].sort());
    const audit = await rawDb
      .prepare("SELECT actor_kind FROM audit_events WHERE action = 'group.member_removed' AND target_id = ?")
      .bind(ann.id)
      .first<{ actor_kind: string }>();
    expect(audit?.actor_kind).toBe("service:scim_directory");
    await deleteScimGroup(directoryTestContext(clock, directory), groupId);
    expect(await accessGroupMemberIds(accessGroup.id)).toEqual([superAdmin.id]);
  });
});
