import type { GlobalRole } from "../../../src/db/schema";
import type { Permission } from "../../../src/domain/access";
import type { Group } from "../../../src/domain/groups/groups-read";
import { Notice } from "../../components/form-fields";
import { UserHeader, type UserHeaderProps } from "../../components/user-header";

export interface UserGroupRow extends Pick<Group, "id" | "name" | "description" | "permissions"> {
  /** False when the group holds a permission the viewer lacks: they cannot add to or remove from it. */
  inReach: boolean;
}

export interface UserAccessGroupsPageProps {
  subject: UserHeaderProps["subject"] & { role: GlobalRole };
  tabs: UserHeaderProps["tabs"];
  managedBy: UserHeaderProps["managedBy"];
  groups: UserGroupRow[];
  /** Groups the subject could join; null when nothing can be added here. */
  available: UserGroupRow[] | null;
  /** Why the viewer cannot change this person's groups; null when they can (or only read). */
  refusal: string | null;
  canUpdate: boolean;
  effectivePermissions: Permission[];
  auditHref: string | null;
  notice?: string | undefined;
  error?: string | undefined;
}

function Permissions({ list }: { list: readonly Permission[] }) {
  return list.length === 0 ? <span class="muted">none</span> : <code>{list.join(" ")}</code>;
}

export function UserAccessGroupsPage(props: UserAccessGroupsPageProps) {
  const { subject } = props;
  return (
    <>
      <UserHeader subject={subject} current="access-groups" tabs={props.tabs} managedBy={props.managedBy} />
      {props.notice && <Notice kind="success">{props.notice}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {subject.role === "SUPER_ADMIN" && (
        <Notice kind="info">A super admin bypasses access groups and holds every permission.</Notice>
      )}
      {subject.role === "CLIENT_USER" && (
        <Notice kind="info">
          Client users cannot join access groups; their access comes from tenant memberships only.
        </Notice>
      )}
      {props.refusal && <Notice kind="info">{props.refusal}</Notice>}
      <p>
        Console permissions held now: <Permissions list={props.effectivePermissions} />
        {props.auditHref && (
          <>
            {" · "}
            <a href={props.auditHref}>History in the audit log</a>
          </>
        )}
      </p>
      {props.groups.length === 0 ? (
        <p class="empty">Not in any access group.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Access groups of this user</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col" class="priority-low">
                Description
              </th>
              <th scope="col">Permissions</th>
              {props.canUpdate && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {props.groups.map((group) => (
              <tr>
                <td class="cell-primary" data-label="Group">
                  <a href={`/admin/access-groups/${group.id}`}>{group.name}</a>
                </td>
                <td class="priority-low wrap" data-label="Description">
                  {group.description || "—"}
                </td>
                <td class="wrap" data-label="Permissions">
                  <Permissions list={group.permissions} />
                </td>
                {props.canUpdate && (
                  <td class="cell-actions" data-label="Actions">
                    {group.inReach ? (
                      <form
                        method="post"
                        action={`/admin/users/${subject.id}/access-groups/${group.id}/remove`}
                        class="inline"
                      >
                        <button type="submit" class="secondary small" aria-label={`Remove from ${group.name}`}>
                          Remove…
                        </button>
                      </form>
                    ) : (
                      <span class="muted">holds permissions you lack</span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.available && <AddToGroups subjectId={subject.id} groups={props.available} />}
    </>
  );
}

function AddToGroups({ subjectId, groups }: { subjectId: string; groups: UserGroupRow[] }) {
  return (
    <section aria-labelledby="add-groups-heading">
      <h2 id="add-groups-heading">Add to access group</h2>
      {groups.length === 0 ? (
        <p class="empty">They are already in every group.</p>
      ) : (
        <form method="post" action={`/admin/users/${subjectId}/access-groups`}>
          <fieldset>
            <legend>Choose one or more groups</legend>
            {groups.map((group) => (
              <div>
                <input
                  type="checkbox"
                  id={`group-${group.id}`}
                  name="groupIds"
                  value={group.id}
                  disabled={!group.inReach}
                />{" "}
                <label for={`group-${group.id}`}>
                  {group.name} — <Permissions list={group.permissions} />
                  {!group.inReach && <span class="muted"> (holds permissions you lack)</span>}
                </label>
              </div>
            ))}
          </fieldset>
          <div class="form-actions">
            <button type="submit">Save changes</button>
          </div>
        </form>
      )}
    </section>
  );
}
