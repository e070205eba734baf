// What a directory owns is refused to people's hands, on both stores: names and role, active state,
// another tenant for a client directory's user, and a linked access group's members.
import { describe, expect, it } from "vitest";
import { setDirectoryGroupMapping } from "../../../src/domain/directories/directory-group-mapping";
import { deleteGroup } from "../../../src/domain/groups/group-deletion";
import { addGroupMembers } from "../../../src/domain/groups/group-members";
import { inviteClientUser } from "../../../src/domain/invites/delegated-invites";
import { changeMembership, grantMembership } from "../../../src/domain/memberships/memberships";
import { createScimGroup } from "../../../src/domain/scim/scim-groups";
import { deactivateUser, reactivateUser, updateUser } from "../../../src/domain/users/user-lifecycle";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import {
  createDirectoryUser,
  createTestDirectory,
  directoryTestContext,
  groupSchemaUrnForTests,
  superAdminActor,
} from "../../helpers/directory-groups";
import { createTestTenant, inviteTestUser, testContext } from "../../helpers/factories";
import { createTestGroup } from "../../helpers/groups";
import { rawDb } from "../../helpers/store";

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

async function clientDirectoryUser(clock: TestClock) {
  const tenant = await createTestTenant(clock, "Acme");
  const directory = await createTestDirectory(clock, { tenantId: tenant.id }, "Acme Okta");
  return { tenant, directory, user: await createDirectoryUser(clock, directory) };
}

describe("a user a directory holds", () => {
  it("keeps names and role out of a person's hands, naming the directory, while the Slack ID stays editable", async () => {
    const clock = new TestClock();
    const { user } = await clientDirectoryUser(clock);
    const admin = testContext(clock, superAdminActor(clock));
    for (const changes of [{ firstName: "Other" }, { displayName: "Someone" }, { role: "OPERATOR" as const }]) {
      const refusal = await refusalOf(updateUser(admin, user.id, changes));
      expect(refusal.code).toBe("STATE_CONFLICT");
      expect(refusal.detail).toBe("Managed by the directory “Acme Okta”: change this in Acme Okta.");
    }
    await updateUser(admin, user.id, { slackId: "U012AB3CD", firstName: user.firstName });
    const row = await rawDb.prepare("SELECT first_name, slack_id FROM users WHERE id = ?").bind(user.id).first();
    expect(row).toEqual({ first_name: user.firstName, slack_id: "U012AB3CD" });
  });

  it("cannot be deactivated or reactivated by hand, and can once the directory deleted them", async () => {
    const clock = new TestClock();
    const { directory, user } = await clientDirectoryUser(clock);
    const admin = testContext(clock, superAdminActor(clock));
    expect((await refusalOf(deactivateUser(admin, user.id))).detail).toContain("Managed by the directory");
    await rawDb.prepare("UPDATE users SET deactivated_at = 1 WHERE id = ?").bind(user.id).run();
    expect((await refusalOf(reactivateUser(admin, user.id))).detail).toContain("Managed by the directory");
    await rawDb
      .prepare("UPDATE directory_users SET deleted_at = 1 WHERE user_id = ? AND directory_id = ?")
      .bind(user.id, directory.id)
      .run();
    const reactivated = await reactivateUser(admin, user.id);
    expect(reactivated.deactivatedAt).toBeNull();
  });

  it("of a client directory joins no other tenant by hand: neither a grant nor a client admin's invite", async () => {
    const clock = new TestClock();
    const { user } = await clientDirectoryUser(clock);
    const other = await createTestTenant(clock, "Globex");
    const admin = testContext(clock, superAdminActor(clock));
    const grant = await refusalOf(
      grantMembership(admin, { userId: user.id, tenantId: other.id, role: "CLIENT_VIEWER", expiresAt: null }),
    );
    expect(grant.code).toBe("STATE_CONFLICT");
    expect(grant.detail).toContain("cannot join another tenant");
    const invite = await refusalOf(
      inviteClientUser(
        admin,
        { id: other.id },
        { email: user.email, firstName: "A", lastName: "B", role: "CLIENT_VIEWER" },
      ),
    );
    // The one answer for every account outside the tenant: nothing says a directory holds them.
    expect(`${invite.title} ${invite.detail ?? ""}`).not.toMatch(/directory/i);
    const audit = await rawDb
      .prepare("SELECT details FROM audit_events WHERE action = 'invite.refused' AND target_id = ?")
      .bind(user.id)
      .first<{ details: string }>();
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ reason: "directory_owned" });
    const live = await rawDb
      .prepare("SELECT count(*) AS n FROM memberships WHERE user_id = ? AND tenant_id = ?")
      .bind(user.id, other.id)
      .first();
    expect(live?.n).toBe(0);
  });
});

describe("a client directory's membership", () => {
  it("keeps its role out of a person's hands (the directory's groups set it), while the expiry stays theirs", async () => {
    const clock = new TestClock();
    const { tenant, user } = await clientDirectoryUser(clock);
    const membership = await rawDb
      .prepare("SELECT id FROM memberships WHERE user_id = ? AND tenant_id = ?")
      .bind(user.id, tenant.id)
      .first<{ id: string }>();
    const admin = testContext(clock, superAdminActor(clock));
    const refusal = await refusalOf(changeMembership(admin, membership?.id ?? "", { role: "CLIENT_ADMIN" }));
    expect(refusal.detail).toBe(
      "Managed by the directory “Acme Okta”: change this in Acme Okta. Its groups set the role here.",
    );
    const extended = await changeMembership(admin, membership?.id ?? "", {
      expiresAt: new Date("2027-06-01T00:00:00Z"),
    });
    expect(extended.role).toBe("CLIENT_VIEWER");
  });
});

describe("an access group linked to a directory group", () => {
  it("refuses members added by hand, saying which directory group keeps them", async () => {
    const clock = new TestClock();
    const directory = await createTestDirectory(clock, "staff", "Staff Okta");
    const accessGroup = await createTestGroup(clock, ["users:read"]);
    const created = await createScimGroup(directoryTestContext(clock, directory), {
      schemas: [groupSchemaUrnForTests],
      displayName: "Support",
    });
    const admin = testContext(clock, superAdminActor(clock));
    await setDirectoryGroupMapping(admin, created.id as string, { mappedRole: null, accessGroupId: accessGroup.id });
    const { user: operator } = await inviteTestUser(clock, { role: "OPERATOR" });
    const refusal = await refusalOf(addGroupMembers(admin, accessGroup.id, [operator.id]));
    expect(refusal.code).toBe("STATE_CONFLICT");
    expect(refusal.detail).toContain("“Support” of the directory “Staff Okta”");
  });

  it("loses the link when the access group is deleted", async () => {
    const clock = new TestClock();
    const directory = await createTestDirectory(clock, "staff", "Staff Okta");
    const accessGroup = await createTestGroup(clock, ["users:read"]);
    const created = await createScimGroup(directoryTestContext(clock, directory), {
      schemas: [groupSchemaUrnForTests],
      displayName: "Auditors",
    });
    const admin = testContext(clock, superAdminActor(clock));
    await setDirectoryGroupMapping(admin, created.id as string, {
      mappedRole: "CONTRACTOR",
      accessGroupId: accessGroup.id,
    });
    await deleteGroup(admin, accessGroup.id);
    const row = await rawDb
      .prepare("SELECT mapped_role, access_group_id FROM directory_groups WHERE id = ?")
      .bind(created.id as string)
      .first();
    expect(row).toEqual({ mapped_role: "CONTRACTOR", access_group_id: null });
  });
});
