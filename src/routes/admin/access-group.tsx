// Renders Admin → Access groups → one group, for its GET and for every form that re-renders it
// with errors (details, permissions, members), so each error lands next to its form.
import { AccessGroupPage } from "../../../views/pages/admin/access-group-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { hasPermission } from "../../domain/access";
import { assertMayChangeGroup } from "../../domain/groups/group-guards";
import { findGroupAndPerson, readGroupWithMembers } from "../../domain/groups/group-members-read";
import type { Group } from "../../domain/groups/groups-read";
import { permissionsBeyondActor } from "../../domain/users/permissions-of";
import { AppError } from "../../errors";
import { currentPrincipal } from "../../http/access";
import { type AppContext, domainContext } from "../../http/app-env";
import type { FieldErrors } from "../../http/forms";
import { layoutProps } from "../../http/navigation";
import { noticeFor } from "../../http/notices";
import { renderPage } from "../../http/render";

export interface AccessGroupOverrides {
  details?: { values: { name: string; description: string }; errors: FieldErrors };
  permissions?: { selected: string[]; error?: string | undefined };
  memberError?: string;
  status?: 200 | 400 | 403 | 404 | 409;
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
            rows: page.candidates.map((p) => ({ id: p.id, name: `${p.firstName} ${p.lastName}`, email: p.email, role: p.role })),
          }
        : null,
    error,
  };
}

export async function renderAccessGroup(c: AppContext, groupId: string, overrides: AccessGroupOverrides = {}) {
  const principal = currentPrincipal(c);
  const find = c.req.query("find") ?? "";
  // The people search is read with the group (one batch) whenever the viewer could use it; whether
  // this group is within their reach is only known once the group is read.
  const mayLookUp = hasPermission(principal, "groups:update") && hasPermission(principal, "users:read");
  const page = await readGroupWithMembers(domainContext(c), groupId, mayLookUp ? { query: find } : undefined);
  if (!page) throw new AppError("NOT_FOUND");
  const { group } = page;
  const { canLookUpPeople, ...rights } = viewerRights(c, group);
  return renderPage(
    c,
    <AccessGroupPage
      {...layoutProps(c, principal)}
      {...rights}
      timeZone={principal.user.timeZone}
      group={group}
      grantable={[...principal.permissions]}
      details={overrides.details ?? { values: { name: group.name, description: group.description }, errors: {} }}
      permissions={overrides.permissions ?? { selected: group.permissions }}
      members={membersSection(page, find, canLookUpPeople, overrides.memberError)}
      auditHref={hasPermission(principal, "audit:read") ? `/admin/audit?targetId=${encodeURIComponent(group.id)}` : null}
      notice={noticeFor(c.req.query("notice"))}
    />,
    overrides.status ?? 200,
  );
}

/**
 * The confirmation step of removing someone from a group, asked from the group's page and from
 * the person's Access groups tab alike; only where the form posts and where Cancel leads differ.
 */
export async function renderGroupRemovalConfirmation(
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
  return renderPage(
    c,
    <ConfirmPage
      {...layoutProps(c, currentPrincipal(c))}
      title={`Remove ${person.firstName} ${person.lastName} from “${group.name}”?`}
      message={`They lose the group's permissions (${group.permissions.join(", ") || "none"}) on their next request, unless another of their groups grants them.`}
      action={links.action}
      hiddenFields={{ confirm: "yes" }}
      confirmLabel="Remove from group"
      cancelHref={links.cancelHref}
    />,
  );
}
