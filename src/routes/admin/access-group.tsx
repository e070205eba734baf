// Admin → Access groups → one group (docs/PRODUCT.md §1, §9): its page, and every form posted from
// it — name and description, permissions, members (add the people picked from the search, several
// at once; remove one behind a confirmation) and deletion behind a confirmation. A refusal shows
// the page again with the error next to the form it came from. The rules live in domain/groups/.
import { Hono } from "hono";
import { AccessGroupPage } from "../../../views/pages/admin/access-group-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { hasPermission } from "../../domain/access";
import { deleteGroup } from "../../domain/groups/group-deletion";
import { assertMayChangeGroup } from "../../domain/groups/group-guards";
import { addGroupMembers, removeGroupMember } from "../../domain/groups/group-members";
import { findGroupAndPerson, readGroupWithMembers } from "../../domain/groups/group-members-read";
import { updateGroup, updateGroupSchema } from "../../domain/groups/groups";
import { findGroup, type Group } from "../../domain/groups/groups-read";
import { permissionsBeyondActor } from "../../domain/users/permissions-of";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import {
  type FieldErrors,
  formList,
  formRefusal,
  formValue,
  handleForm,
  parseFormInput,
  readFormFields,
  readFormValues,
} from "../../http/forms";

/** The forms of the page shown again after a refusal, each as typed with its error. */
interface GroupFormsShownAgain {
  details?: { values: { name: string; description: string }; errors: FieldErrors };
  permissions?: { selected: string[]; error?: string | undefined };
  memberError?: string;
}

function others(count: number): string {
  return `${count} other${count === 1 ? "" : "s"}`;
}

/**
 * "Ann", "Ann and Bo", "Ann, Bo and Cy", "Ann, Bo, Cy and 4 others"; only the first name and a count
 * when the names are long, so the message stays within a flash's 500 characters (src/http/flash.ts).
 */
function joinNames(names: string[]): string {
  const shown = names.length > 3 ? names.slice(0, 3) : names;
  const rest = names.length - shown.length;
  const joined =
    rest > 0
      ? `${shown.join(", ")} and ${others(rest)}`
      : shown.length <= 1
        ? (shown[0] ?? "")
        : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
  return joined.length <= 250 || names.length === 1 ? joined : `${names[0]} and ${others(names.length - 1)}`;
}

/** Checkbox errors arrive as "permissions.3": show them on the matrix. */
export function groupFieldErrors(errors: FieldErrors): FieldErrors {
  const merged: FieldErrors = {};
  for (const [field, message] of Object.entries(errors))
    merged[field.startsWith("permissions") ? "permissions" : field] ??= message;
  return merged;
}

/** What the viewer may do with this group: groups holding more than the viewer are out of reach. */
function viewerRights(c: AppContext, group: Group) {
  const principal = currentPrincipal(c);
  const beyond = permissionsBeyondActor(domainContext(c), group.permissions);
  const inReach = beyond.length === 0;
  const mayChangeGroups = hasPermission(principal, "groups:update") || hasPermission(principal, "groups:delete");
  return {
    canUpdate: inReach && hasPermission(principal, "groups:update"),
    canDelete: inReach && hasPermission(principal, "groups:delete"),
    canLookUpPeople: inReach && hasPermission(principal, "groups:update") && hasPermission(principal, "users:read"),
    outOfReach:
      !inReach && mayChangeGroups
        ? `This group holds permissions you do not hold (${beyond.join(", ")}), so you cannot change it or its members.`
        : null,
  };
}

type GroupPage = NonNullable<Awaited<ReturnType<typeof readGroupWithMembers>>>;

function membersSection(page: GroupPage, find: string, canLookUpPeople: boolean, error: string | undefined) {
  return {
    rows: page.members.map((m) => ({ ...m, name: `${m.firstName} ${m.lastName}` })),
    candidates:
      canLookUpPeople && page.candidates
        ? {
            query: find,
            rows: page.candidates.map((p) => ({
              id: p.id,
              name: `${p.firstName} ${p.lastName}`,
              email: p.email,
              role: p.role,
            })),
          }
        : null,
    error,
  };
}

async function showAccessGroup(c: AppContext, groupId: string, shownAgain: GroupFormsShownAgain = {}) {
  const principal = currentPrincipal(c);
  const find = c.req.query("find") ?? "";
  // The people search is read with the group (one batch) whenever the viewer could use it; whether
  // this group is within their reach is only known once the group is read.
  const mayLookUp = hasPermission(principal, "groups:update") && hasPermission(principal, "users:read");
  const page = await readGroupWithMembers(domainContext(c), groupId, mayLookUp ? { query: find } : undefined);
  if (!page) throw new AppError("NOT_FOUND");
  const { group } = page;
  const { canLookUpPeople, ...rights } = viewerRights(c, group);
  return c.render(
    <AccessGroupPage
      {...rights}
      timeZone={principal.user.timeZone}
      group={group}
      grantable={[...principal.permissions]}
      details={shownAgain.details ?? { values: { name: group.name, description: group.description }, errors: {} }}
      permissions={shownAgain.permissions ?? { selected: group.permissions }}
      members={membersSection(page, find, canLookUpPeople, shownAgain.memberError)}
      auditHref={
        hasPermission(principal, "audit:read") ? `/admin/audit?targetId=${encodeURIComponent(group.id)}` : null
      }
      flash={c.req.method === "GET" ? await takeFlash(c) : undefined}
    />,
    { title: group.name },
  );
}

/**
 * The confirmation step of removing someone from a group, asked from the group's page and from
 * the person's Access groups tab alike; only where the form posts and where Cancel leads differ.
 */
export async function showGroupRemovalConfirmation(
  c: AppContext,
  groupId: string,
  userId: string,
  links: { action: string; cancelHref: string },
) {
  const ctx = domainContext(c);
  const found = await findGroupAndPerson(ctx, groupId, userId);
  if (!found) throw new AppError("NOT_FOUND");
  const { group, person } = found;
  assertMayChangeGroup(ctx, group);
  const title = `Remove ${person.firstName} ${person.lastName} from “${group.name}”?`;
  return c.render(
    <ConfirmPage
      title={title}
      message={`They lose the group's permissions (${group.permissions.join(", ") || "none"}) on their next request, unless another of their groups grants them.`}
      action={links.action}
      hiddenFields={{ confirm: "yes" }}
      confirmLabel="Remove from group"
      cancelHref={links.cancelHref}
    />,
    { title },
  );
}

const groupsRead = requireAccess({ kind: "console", permission: "groups:read" });
const groupsUpdate = requireAccess({ kind: "console", permission: "groups:update" });
const groupsDelete = requireAccess({ kind: "console", permission: "groups:delete" });
const groupPath = (c: AppContext) => `/admin/access-groups/${c.req.param("id")}`;

export const adminAccessGroupRoutes = new Hono<AppEnv>()
  .get("/:id", groupsRead, (c) => showAccessGroup(c, c.req.param("id")))
  .post("/:id", groupsUpdate, async (c) => {
    const form = await readFormFields(c, { fields: ["name", "description"] });
    const typed = { name: formValue(form.values, "name"), description: formValue(form.values, "description") };
    return handleForm(c, form, {
      act: async () => {
        const group = await updateGroup(domainContext(c), c.req.param("id"), parseFormInput(updateGroupSchema, typed));
        await setFlash(c, {
          tone: "success",
          message: `The name and description of the access group "${group.name}" were saved.`,
          near: "details-heading",
        });
        return c.redirect(groupPath(c), 303);
      },
      showAgain: (errors) => showAccessGroup(c, c.req.param("id"), { details: { values: typed, errors } }),
    });
  })
  .post("/:id/permissions", groupsUpdate, async (c) => {
    const form = await readFormFields(c, { fields: [], lists: ["permissions"] });
    const selected = formList(form.values, "permissions");
    return handleForm(c, form, {
      act: async () => {
        const group = await updateGroup(
          domainContext(c),
          c.req.param("id"),
          parseFormInput(updateGroupSchema, { permissions: selected }),
        );
        await setFlash(c, {
          tone: "success",
          message: `The permissions of "${group.name}" were saved (${group.permissions.join(", ") || "none"}). Its members (${group.memberCount}) get them on their next request.`,
          near: "permissions-heading",
        });
        return c.redirect(groupPath(c), 303);
      },
      showAgain: (errors) =>
        showAccessGroup(c, c.req.param("id"), {
          permissions: { selected, error: groupFieldErrors(errors).permissions ?? Object.values(errors).join(" ") },
        }),
    });
  })
  .post("/:id/delete", groupsDelete, async (c) => {
    const confirmed = formValue(await readFormValues(c, { fields: ["confirm"] }), "confirm") === "yes";
    if (confirmed) {
      // deleteGroup reads the group, its members and their permissions itself, in one batch.
      const deleted = await deleteGroup(domainContext(c), c.req.param("id"));
      await setFlash(c, {
        tone: "success",
        message: `The access group "${deleted.name}" was deleted. Its members (${deleted.memberCount}) lose its permissions on their next request.`,
      });
      return c.redirect("/admin/access-groups", 303);
    }
    const group = await findGroup(domainContext(c), c.req.param("id"));
    if (!group) throw new AppError("NOT_FOUND");
    assertMayChangeGroup(domainContext(c), group);
    const title = `Delete the group “${group.name}”?`;
    return c.render(
      <ConfirmPage
        title={title}
        message={`Its ${group.memberCount} member(s) lose its permissions (${group.permissions.join(", ") || "none"}) on their next request. This cannot be undone; the audit log keeps the group's history.`}
        action={`/admin/access-groups/${group.id}/delete`}
        hiddenFields={{ confirm: "yes" }}
        confirmLabel="Delete group"
        cancelHref={`/admin/access-groups/${group.id}`}
      />,
      { title },
    );
  })
  .post("/:id/members", groupsUpdate, async (c) => {
    const form = await readFormFields(c, { fields: [], lists: ["userIds"] });
    return handleForm(c, form, {
      act: async (values) => {
        const userIds = formList(values, "userIds");
        if (userIds.length === 0) throw formRefusal({ userIds: "Choose at least one person to add." });
        const added = await addGroupMembers(domainContext(c), c.req.param("id"), userIds);
        const who = joinNames(added.peopleNames);
        await setFlash(c, {
          tone: "success",
          message:
            added.count === 0
              ? `${who} ${added.peopleNames.length === 1 ? "was" : "were"} already in ${added.groupName}; nothing changed.`
              : `${who} ${added.peopleNames.length === 1 ? "was" : "were"} added to ${added.groupName}. Their access changes on their next request.`,
          near: "members-heading",
        });
        return c.redirect(groupPath(c), 303);
      },
      showAgain: (errors) => showAccessGroup(c, c.req.param("id"), { memberError: Object.values(errors).join(" ") }),
    });
  })
  .post("/:id/members/:userId/remove", groupsUpdate, async (c) => {
    const [groupId, userId] = [c.req.param("id"), c.req.param("userId")];
    const form = await readFormFields(c, { fields: ["confirm"] });
    if (form.success && formValue(form.data, "confirm") !== "yes") {
      return showGroupRemovalConfirmation(c, groupId, userId, {
        action: `/admin/access-groups/${groupId}/members/${userId}/remove`,
        cancelHref: `/admin/access-groups/${groupId}`,
      });
    }
    // Confirmed: the domain reads the group and the person itself (and refuses either missing).
    return handleForm(c, form, {
      act: async () => {
        const removed = await removeGroupMember(domainContext(c), groupId, userId);
        await setFlash(c, {
          tone: "success",
          message: `${joinNames(removed.peopleNames)} was removed from ${removed.groupName}. Their access changes on their next request.`,
          near: "members-heading",
        });
        return c.redirect(groupPath(c), 303);
      },
      showAgain: (errors) => showAccessGroup(c, groupId, { memberError: Object.values(errors).join(" ") }),
    });
  });
