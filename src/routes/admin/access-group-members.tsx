// Admin → Access groups → a group's members: add the people picked from the search (several at
// once) and remove one, behind a confirmation. The rules live in domain/groups/group-members.ts.
import { Hono } from "hono";
import { addGroupMembers, removeGroupMember } from "../../domain/groups/group-members";
import { requireAccess } from "../../http/access";
import { type AppEnv, domainContext } from "../../http/app-env";
import { formList, formStatus, formValue, isFormError, readFormValues } from "../../http/forms";
import { renderAccessGroup, renderGroupRemovalConfirmation } from "./render-access-group";

export const adminAccessGroupMemberRoutes = new Hono<AppEnv>()
  .post("/:id/members", requireAccess({ kind: "console", permission: "groups:update" }), async (c) => {
    const groupId = c.req.param("id");
    const userIds = formList(await readFormValues(c, { fields: [], lists: ["userIds"] }), "userIds");
    if (userIds.length === 0) return renderAccessGroup(c, groupId, { memberError: "Choose at least one person to add.", status: 400 });
    try {
      await addGroupMembers(domainContext(c), groupId, userIds);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderAccessGroup(c, groupId, { memberError: error.detail ?? error.title, status: formStatus(error) });
    }
    return c.redirect(`/admin/access-groups/${groupId}?notice=group-members-added`, 303);
  })
  .post("/:id/members/:userId/remove", requireAccess({ kind: "console", permission: "groups:update" }), async (c) => {
    const ctx = domainContext(c);
    if (formValue(await readFormValues(c, { fields: ["confirm"] }), "confirm") !== "yes") {
      const [groupId, userId] = [c.req.param("id"), c.req.param("userId")];
      return renderGroupRemovalConfirmation(c, groupId, userId, {
        action: `/admin/access-groups/${groupId}/members/${userId}/remove`,
        cancelHref: `/admin/access-groups/${groupId}`,
      });
    }
    // Confirmed: the domain reads the group and the person itself (and refuses either missing).
    const groupId = c.req.param("id");
    try {
      await removeGroupMember(ctx, groupId, c.req.param("userId"));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderAccessGroup(c, groupId, { memberError: error.detail ?? error.title, status: formStatus(error) });
    }
    return c.redirect(`/admin/access-groups/${groupId}?notice=group-member-removed`, 303);
  });
