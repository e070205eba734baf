// A user's page, Access groups tab (the second guide's "Access Groups" tab): the groups they are
// in, "Add to access group" for several groups in one action, and removal behind a confirmation.
// Seeing it takes users:read and groups:read; changing it users:read and groups:update.
import { Hono } from "hono";
import { ConfirmPage } from "../../../views/pages/admin/confirm-page";
import { UserAccessGroupsPage } from "../../../views/pages/admin/user-access-groups-page";
import { hasPermission } from "../../domain/access";
import { assertMayChangeGroup, permissionsBeyondActor, refusalToChangeGroupsOf } from "../../domain/group-guards";
import { addUserToGroups, removeGroupMember } from "../../domain/group-members";
import { loadPeople } from "../../domain/group-members-read";
import { findGroup, findGroups, type Group, listUserGroups, sortPermissions } from "../../domain/groups-read";
import { findUserById, type UserRow } from "../../domain/users";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { formList, formValue, readFormValues } from "../../http/forms";
import { layoutProps } from "../../http/navigation";
import { noticeFor } from "../../http/notices";
import { renderPage } from "../../http/render";
import { formStatus, isFormError } from "./render-access-group";
import { userSubject, visibleUserTabs } from "./user-page-support";

const usersRead = requireAccess({ kind: "console", permission: "users:read" });
const groupsRead = requireAccess({ kind: "console", permission: "groups:read" });
const groupsUpdate = requireAccess({ kind: "console", permission: "groups:update" });

async function findSubject(c: AppContext): Promise<UserRow> {
  const subject = await findUserById(domainContext(c), c.req.param("id") ?? "");
  if (!subject) throw new AppError("NOT_FOUND");
  return subject;
}

async function renderUserGroups(c: AppContext, subject: UserRow, error?: { message: string; status: 400 | 403 | 409 }) {
  const principal = currentPrincipal(c);
  const ctx = domainContext(c);
  const [groups, everyGroup, people] = await Promise.all([listUserGroups(ctx, subject.id), findGroups(ctx), loadPeople(ctx, [subject.id])]);
  const person = people.get(subject.id);
  const refusal = hasPermission(principal, "groups:update") && person ? refusalToChangeGroupsOf(ctx, person, false) : null;
  const canUpdate = hasPermission(principal, "groups:update") && person !== undefined && refusal === null;
  const toRow = (group: Group) => ({ ...group, inReach: permissionsBeyondActor(ctx, group.permissions).length === 0 });
  const memberOf = new Set(groups.map((group) => group.id));
  return renderPage(
    c,
    <UserAccessGroupsPage
      {...layoutProps(c, principal)}
      subject={userSubject(subject, c.get("now"))}
      tabs={visibleUserTabs(principal)}
      groups={groups.map(toRow)}
      available={canUpdate && subject.role !== "CLIENT_USER" ? everyGroup.filter((group) => !memberOf.has(group.id)).map(toRow) : null}
      refusal={refusal?.detail ?? null}
      canUpdate={canUpdate}
      effectivePermissions={sortPermissions(person?.permissions ?? [])}
      auditHref={hasPermission(principal, "audit:read") ? `/admin/audit?targetId=${encodeURIComponent(subject.id)}` : null}
      notice={noticeFor(c.req.query("notice"))}
      error={error?.message}
    />,
    error?.status ?? 200,
  );
}

export const adminUserAccessGroupRoutes = new Hono<AppEnv>()
  .get("/:id/access-groups", usersRead, groupsRead, async (c) => renderUserGroups(c, await findSubject(c)))
  .post("/:id/access-groups", usersRead, groupsUpdate, async (c) => {
    const subject = await findSubject(c);
    const groupIds = formList(await readFormValues(c), "groupIds");
    if (groupIds.length === 0) return renderUserGroups(c, subject, { message: "Choose at least one group.", status: 400 });
    try {
      await addUserToGroups(domainContext(c), subject.id, groupIds);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderUserGroups(c, subject, { message: error.detail ?? error.title, status: formStatus(error) });
    }
    return c.redirect(`/admin/users/${subject.id}/access-groups?notice=groups-updated`, 303);
  })
  .post("/:id/access-groups/:groupId/remove", usersRead, groupsUpdate, async (c) => {
    const ctx = domainContext(c);
    const subject = await findSubject(c);
    const group = await findGroup(ctx, c.req.param("groupId"));
    if (!group) throw new AppError("NOT_FOUND");
    assertMayChangeGroup(ctx, group);
    if (formValue(await readFormValues(c), "confirm") !== "yes") {
      return renderPage(
        c,
        <ConfirmPage
          {...layoutProps(c, currentPrincipal(c))}
          title={`Remove ${subject.firstName} ${subject.lastName} from “${group.name}”?`}
          message={`They lose the group's permissions (${group.permissions.join(", ") || "none"}) on their next request, unless another of their groups grants them.`}
          action={`/admin/users/${subject.id}/access-groups/${group.id}/remove`}
          confirmLabel="Remove from group"
          cancelHref={`/admin/users/${subject.id}/access-groups`}
        />,
      );
    }
    try {
      await removeGroupMember(ctx, group.id, subject.id);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderUserGroups(c, subject, { message: error.detail ?? error.title, status: formStatus(error) });
    }
    return c.redirect(`/admin/users/${subject.id}/access-groups?notice=groups-updated`, 303);
  });
