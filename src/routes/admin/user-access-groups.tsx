// A user's page, Access groups tab (the second guide's "Access Groups" tab): the groups they are
// in, "Add to access group" for several groups in one action, and removal behind a confirmation.
// Seeing it takes users:read and groups:read; changing it users:read and groups:update.
import { Hono } from "hono";
import { UserAccessGroupsPage } from "../../../views/pages/admin/user-access-groups-page";
import { hasPermission } from "../../domain/access";
import { refusalToChangeGroupsOf } from "../../domain/groups/group-guards";
import { addUserToGroups, removeGroupMember } from "../../domain/groups/group-members";
import { readUserGroupsTab } from "../../domain/groups/group-members-read";
import { type Group, sortPermissions } from "../../domain/groups/groups-read";
import { permissionsBeyondActor } from "../../domain/users/permissions-of";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { formList, formRefusal, formValue, handleForm, readFormFields } from "../../http/forms";
import { noticeFor } from "../../http/notices";
import { showGroupRemovalConfirmation } from "./access-group";
import { userSubject, visibleUserTabs } from "./view-models";

const usersRead = requireAccess({ kind: "console", permission: "users:read" });
const groupsRead = requireAccess({ kind: "console", permission: "groups:read" });
const groupsUpdate = requireAccess({ kind: "console", permission: "groups:update" });

type UserGroupsTab = NonNullable<Awaited<ReturnType<typeof readUserGroupsTab>>>;

async function requireTab(c: AppContext): Promise<UserGroupsTab> {
  const tab = await readUserGroupsTab(domainContext(c), c.req.param("id") ?? "");
  if (!tab) throw new AppError("NOT_FOUND");
  return tab;
}

function renderUserGroups(c: AppContext, tab: UserGroupsTab, error?: string) {
  const principal = currentPrincipal(c);
  const ctx = domainContext(c);
  const { subject, groups, everyGroup, person } = tab;
  const refusal =
    hasPermission(principal, "groups:update") && person ? refusalToChangeGroupsOf(ctx, person, false) : null;
  const canUpdate = hasPermission(principal, "groups:update") && person !== undefined && refusal === null;
  const toRow = (group: Group) => ({ ...group, inReach: permissionsBeyondActor(ctx, group.permissions).length === 0 });
  const memberOf = new Set(groups.map((group) => group.id));
  return c.render(
    <UserAccessGroupsPage
      subject={userSubject(subject, c.get("now"))}
      tabs={visibleUserTabs(principal)}
      groups={groups.map(toRow)}
      available={
        canUpdate && subject.role !== "CLIENT_USER"
          ? everyGroup.filter((group) => !memberOf.has(group.id)).map(toRow)
          : null
      }
      refusal={refusal?.detail ?? null}
      canUpdate={canUpdate}
      effectivePermissions={sortPermissions(person?.permissions ?? [])}
      auditHref={
        hasPermission(principal, "audit:read") ? `/admin/audit?targetId=${encodeURIComponent(subject.id)}` : null
      }
      notice={noticeFor(c.req.query("notice"))}
      error={error}
    />,
    { title: `${subject.firstName} ${subject.lastName}: access groups` },
  );
}

// Changes go first and the tab is read only to show it again (one batch): a refused change costs
// no more than a successful one. The domain refuses a user or group that does not exist.
export const adminUserAccessGroupRoutes = new Hono<AppEnv>()
  .get("/:id/access-groups", usersRead, groupsRead, async (c) => renderUserGroups(c, await requireTab(c)))
  .post("/:id/access-groups", usersRead, groupsUpdate, async (c) => {
    const form = await readFormFields(c, { fields: [], lists: ["groupIds"] });
    return handleForm(c, form, {
      act: async (values) => {
        const groupIds = formList(values, "groupIds");
        if (groupIds.length === 0) throw formRefusal({ groupIds: "Choose at least one group." });
        await addUserToGroups(domainContext(c), c.req.param("id"), groupIds);
        return c.redirect(`/admin/users/${c.req.param("id")}/access-groups?notice=groups-updated`, 303);
      },
      showAgain: async (errors) => renderUserGroups(c, await requireTab(c), Object.values(errors).join(" ")),
    });
  })
  .post("/:id/access-groups/:groupId/remove", usersRead, groupsUpdate, async (c) => {
    const [groupId, userId] = [c.req.param("groupId"), c.req.param("id")];
    const form = await readFormFields(c, { fields: ["confirm"] });
    if (form.success && formValue(form.data, "confirm") !== "yes") {
      return showGroupRemovalConfirmation(c, groupId, userId, {
        action: `/admin/users/${userId}/access-groups/${groupId}/remove`,
        cancelHref: `/admin/users/${userId}/access-groups`,
      });
    }
    return handleForm(c, form, {
      act: async () => {
        await removeGroupMember(domainContext(c), groupId, userId);
        return c.redirect(`/admin/users/${userId}/access-groups?notice=groups-updated`, 303);
      },
      showAgain: async (errors) => renderUserGroups(c, await requireTab(c), Object.values(errors).join(" ")),
    });
  });
