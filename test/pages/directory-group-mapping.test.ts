// The directory page's group mapping form: a SUPER_ADMIN sets what a directory group grants, the
// members' access follows at once, and the flash says so in the group's row; a role that does not
// fit the directory is refused next to its field; nobody else may post it.
import { describe, expect, it } from "vitest";
import { allPermissions } from "../../src/domain/access";
import { createScimGroup } from "../../src/domain/scim/scim-groups";
import { summarizeResponse } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createDirectoryUser,
  createTestDirectory,
  directoryTestContext,
  groupSchemaUrnForTests,
  type TestDirectory,
} from "../helpers/directory-groups";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  signInAs,
} from "../helpers/factories";
import { createTestGroup } from "../helpers/groups";
import { rawDb } from "../helpers/store";

const clock = new TestClock("2026-12-02T09:00:00Z");
const app = createTestApp(clock);

async function signedInSuperAdmin() {
  return signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
}

async function pushGroup(directory: TestDirectory, displayName: string, memberIds: string[]): Promise<string> {
  const document = await createScimGroup(directoryTestContext(clock, directory), {
    schemas: [groupSchemaUrnForTests],
    displayName,
    members: memberIds.map((value) => ({ value })),
  });
  return document.id as string;
}

async function membershipRole(userId: string, tenantId: string) {
  const row = await rawDb
    .prepare("SELECT role FROM memberships WHERE user_id = ? AND tenant_id = ? AND revoked_at IS NULL")
    .bind(userId, tenantId)
    .first<{ role: string }>();
  return row?.role;
}

/** The HTML of one table row, by its id. */
function rowOf(html: string, rowId: string): string {
  const start = html.indexOf(`<tr id="${rowId}"`);
  return start < 0 ? "" : html.slice(start, html.indexOf("</tr>", start));
}

async function clientDirectoryWithGroup() {
  const tenant = await createTestTenant(clock, "Acme");
  const directory = await createTestDirectory(clock, { tenantId: tenant.id });
  const member = await createDirectoryUser(clock, directory);
  const groupId = await pushGroup(directory, "Acme IT", [member.id]);
  return { tenant, directory, member, groupId };
}

describe("the directory page's group mapping form", () => {
  it("maps a client group to Client admin: its member becomes a Client admin of the company, and the row says so", async () => {
    const agent = await signedInSuperAdmin();
    const { tenant, directory, member, groupId } = await clientDirectoryWithGroup();
    const before = await (await agent.get(`/admin/directories/${directory.id}`)).text();
    const form = rowOf(before, `directory-group-${groupId}`);
    expect(form).toContain(`action="/admin/directories/${directory.id}/groups/${groupId}/mapping"`);
    expect(form).toContain('<option value="CLIENT_ADMIN">Client admin</option>');
    expect(form).not.toContain("CONTRACTOR");
    expect(form).not.toContain('name="accessGroupId"');

    const posted = await agent.post(`/admin/directories/${directory.id}/groups/${groupId}/mapping`, {
      mappedRole: "CLIENT_ADMIN",
    });
    expect(posted.status, await summarizeResponse(posted)).toBe(303);
    expect(posted.headers.get("location")).toBe(`/admin/directories/${directory.id}#directory-group-${groupId}`);
    expect(await membershipRole(member.id, tenant.id)).toBe("CLIENT_ADMIN");

    const after = await (await agent.get(`/admin/directories/${directory.id}`)).text();
    const row = rowOf(after, `directory-group-${groupId}`);
    expect(row).toContain("Members of “Acme IT” are now Client admins of Acme.");
    expect(row).toContain('<option value="CLIENT_ADMIN" selected="">Client admin</option>');
    expect(after.indexOf("are now Client admins")).toBe(after.lastIndexOf("are now Client admins"));

    const back = await agent.post(`/admin/directories/${directory.id}/groups/${groupId}/mapping`, { mappedRole: "" });
    expect(back.status).toBe(303);
    expect(await membershipRole(member.id, tenant.id)).toBe("CLIENT_VIEWER");
  });

  it("refuses a role that does not fit a client directory next to the field, changing nothing", async () => {
    const agent = await signedInSuperAdmin();
    const { tenant, directory, member, groupId } = await clientDirectoryWithGroup();
    const refused = await agent.post(`/admin/directories/${directory.id}/groups/${groupId}/mapping`, {
      mappedRole: "CONTRACTOR",
    });
    expect(refused.status).toBe(400);
    const row = rowOf(await refused.text(), `directory-group-${groupId}`);
    expect(row).toContain(`<p class="error" id="group-${groupId}-role-error">A group of a client directory maps to`);
    expect(row).toMatch(new RegExp(`id="group-${groupId}-role" name="mappedRole" aria-invalid="true"`));
    expect(await membershipRole(member.id, tenant.id)).toBe("CLIENT_VIEWER");
    const stored = await rawDb
      .prepare("SELECT mapped_role FROM directory_groups WHERE id = ?")
      .bind(groupId)
      .first<{ mapped_role: string | null }>();
    expect(stored?.mapped_role).toBeNull();

    const unknownRole = await agent.post(`/admin/directories/${directory.id}/groups/${groupId}/mapping`, {
      mappedRole: "SUPER_ADMIN",
    });
    expect(unknownRole.status).toBe(400);
    expect(rowOf(await unknownRole.text(), `directory-group-${groupId}`)).toContain("Choose a role, or none.");
  });

  it("offers the staff directory Contractor and the access groups, and links a group to one", async () => {
    const agent = await signedInSuperAdmin();
    const directory = await createTestDirectory(clock, "staff");
    const operator = await createDirectoryUser(clock, directory);
    const groupId = await pushGroup(directory, "Field engineers", [operator.id]);
    const accessGroup = await createTestGroup(clock, ["tenants:read"], "Engineers on call");
    const page = await (await agent.get(`/admin/directories/${directory.id}`)).text();
    const form = rowOf(page, `directory-group-${groupId}`);
    expect(form).toContain('<option value="CONTRACTOR">Contractor</option>');
    expect(form).not.toContain("CLIENT_ADMIN");
    expect(form).toContain(`<option value="${accessGroup.id}">Engineers on call</option>`);

    const posted = await agent.post(`/admin/directories/${directory.id}/groups/${groupId}/mapping`, {
      mappedRole: "",
      accessGroupId: accessGroup.id,
    });
    expect(posted.status, await summarizeResponse(posted)).toBe(303);
    const members = await rawDb
      .prepare("SELECT user_id FROM access_group_members WHERE group_id = ?")
      .bind(accessGroup.id)
      .all<{ user_id: string }>();
    expect(members.results.map((row) => row.user_id)).toEqual([operator.id]);
    const after = await (await agent.get(`/admin/directories/${directory.id}`)).text();
    expect(rowOf(after, `directory-group-${groupId}`)).toContain(
      "Members of “Field engineers” are now members of the access group “Engineers on call”",
    );
  });

  it("answers 404 for a group of another directory and 403 to an Operator holding every permission", async () => {
    const agent = await signedInSuperAdmin();
    const { directory: acme, tenant, member, groupId } = await clientDirectoryWithGroup();
    const other = await createTestDirectory(clock, { tenantId: (await createTestTenant(clock, "Globex")).id });
    const crossed = await agent.post(`/admin/directories/${other.id}/groups/${groupId}/mapping`, {
      mappedRole: "CLIENT_ADMIN",
    });
    expect(crossed.status).toBe(404);

    const operator = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(operator.id, [...allPermissions]);
    const operatorAgent = await signInAs(app, clock, operator);
    const refused = await operatorAgent.post(`/admin/directories/${acme.id}/groups/${groupId}/mapping`, {
      mappedRole: "CLIENT_ADMIN",
    });
    expect(refused.status).toBe(403);
    expect(await membershipRole(member.id, tenant.id)).toBe("CLIENT_VIEWER");
  });
});
