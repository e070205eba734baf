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
import { type Flash, setFlash, takeFlash } from "../../http/flash";
import { formList, formRefusal, formValue, handleForm, readFormFields } from "../../http/forms";
import { showGroupRemovalConfirmation } from "./access-group";
import { fullName, userSubject, visibleUserTabs } from "./view-models";

const usersRead = requireAccess({ kind: "console", permission: "users:read" });
const groupsRead = requireAccess({ kind: "console", permission: "groups:read" });
const groupsUpdate = requireAccess({ kind: "console", permission: "groups:update" });

type UserGroupsTab = NonNullable<Awaited<ReturnType<typeof readUserGroupsTab>>>;

async function requireTab(c: AppContext): Promise<UserGroupsTab> {
  const tab = await readUserGroupsTab(domainContext(c), c.req.param("id") ?? "");
  if (!tab) throw new AppError("NOT_FOUND");
  return tab;
}

function renderUserGroups(
  c: AppContext,
  tab: UserGroupsTab,
  shown: { error?: string; flash?: Flash | undefined } = {},
) {
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
      managedBy={tab.ownedBy?.name ?? null}
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
      notice={shown.flash?.message}
      error={shown.error}
    />,
    { title: `${subject.firstName} ${subject.lastName}: access groups` },
  );
}

// Changes go first and the tab is read once after them, to name the person and groups in the
// message or to show the tab again with the refusal: a refused change costs no more than a
// successful one. The domain refuses a user or group that does not exist.
async function backToTab(c: AppContext, message: (tab: UserGroupsTab) => string) {
  const tab = await requireTab(c);
  await setFlash(c, { message: message(tab), tone: "success" });
  return c.redirect(`/admin/users/${tab.subject.id}/access-groups`, 303);
}

function nameGroups(tab: UserGroupsTab, groupIds: string[]): string {
  return tab.everyGroup
    .filter((group) => groupIds.includes(group.id))
    .map((group) => group.name)
    .join(", ");
}

export const adminUserAccessGroupRoutes = new Hono<AppEnv>()
  .get("/:id/access-groups", usersRead, groupsRead, async (c) =>
    renderUserGroups(c, await requireTab(c), { flash: await takeFlash(c) }),
  )
  .post("/:id/access-groups", usersRead, groupsUpdate, async (c) => {
    const form = await readFormFields(c, { fields: [], lists: ["groupIds"] });
    return handleForm(c, form, {
      act: async (values) => {
        const groupIds = formList(values, "groupIds");
        if (groupIds.length === 0) throw formRefusal({ groupIds: "Choose at least one group." });
        await addUserToGroups(domainContext(c), c.req.param("id"), groupIds);
        return backToTab(
          c,
          (tab) =>
            `${fullName(tab.subject)} was added to ${nameGroups(tab, groupIds)}. Their access changes on their next request.`,
        );
      },
      showAgain: async (errors) => renderUserGroups(c, await requireTab(c), { error: Object.values(errors).join(" ") }),
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
        return backToTab(
          c,
          (tab) =>
            `${fullName(tab.subject)} was removed from ${nameGroups(tab, [groupId])}. Their access changes on their next request.`,
        );
      },
      showAgain: async (errors) => renderUserGroups(c, await requireTab(c), { error: Object.values(errors).join(" ") }),
    });
  });
