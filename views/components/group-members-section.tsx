// The members of an access group, with removal (confirmed on the next page) and a people picker
// that works without JavaScript: a GET search fills a list of checkboxes, one POST adds them all.
import type { GlobalRole } from "../../src/db/schema";
import type { UserStatus } from "../../src/domain/users/users";
import { labelUserRole } from "../../src/labels";
import { Notice } from "./form-fields";
import { UserStatusBadge } from "./status-badge";
import { Time } from "./time";

export interface GroupMembersSectionProps {
  groupId: string;
  canUpdate: boolean;
  timeZone: string;
  rows: Array<{ id: string; name: string; email: string; role: GlobalRole; status: UserStatus; addedAt: Date }>;
  /** Null when the viewer may not look people up (users:read). */
  candidates: { query: string; rows: Array<{ id: string; name: string; email: string; role: GlobalRole }> } | null;
  error?: string | undefined;
}

export function GroupMembersSection(props: GroupMembersSectionProps) {
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members ({props.rows.length})</h2>
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {props.rows.length === 0 ? (
        <p class="empty">Nobody is in this group.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col" class="priority-low">
                Added
              </th>
              {props.canUpdate && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td class="cell-primary" data-label="Name">
                  {row.name}
                </td>
                <td class="wrap" data-label="Email">
                  {row.email}
                </td>
                <td data-label="Role">{labelUserRole(row.role)}</td>
                <td data-label="Status">
                  <UserStatusBadge status={row.status} />
                </td>
                <td class="priority-low" data-label="Added">
                  <Time value={row.addedAt} timeZone={props.timeZone} />
                </td>
                {props.canUpdate && (
                  <td class="cell-actions" data-label="Actions">
                    <form
                      method="post"
                      action={`/admin/access-groups/${props.groupId}/members/${row.id}/remove`}
                      class="inline"
                    >
                      <button type="submit" class="secondary small" aria-label={`Remove ${row.name} from this group`}>
                        Remove…
                      </button>
                    </form>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canUpdate && props.candidates && <AddMembers groupId={props.groupId} candidates={props.candidates} />}
      {props.canUpdate && !props.candidates && (
        <p class="hint">Adding people needs the users:read permission to look them up.</p>
      )}
    </section>
  );
}

function AddMembers({
  groupId,
  candidates,
}: {
  groupId: string;
  candidates: NonNullable<GroupMembersSectionProps["candidates"]>;
}) {
  return (
    <>
      <h3 id="add-members-heading">Add members</h3>
      <form method="get" action={`/admin/access-groups/${groupId}`} class="filters" aria-label="Find people to add">
        <div class="field">
          <label for="find-people">Find staff by name or email</label>
          <input id="find-people" name="find" type="search" value={candidates.query} />
        </div>
        <button type="submit" class="secondary">
          Find
        </button>
      </form>
      {candidates.rows.length === 0 ? (
        <p class="empty">Nobody else matches. Client users cannot join access groups.</p>
      ) : (
        <form method="post" action={`/admin/access-groups/${groupId}/members`}>
          <fieldset>
            <legend>Choose people to add</legend>
            {candidates.rows.map((row) => (
              <div>
                <input type="checkbox" id={`add-${row.id}`} name="userIds" value={row.id} />{" "}
                <label for={`add-${row.id}`}>
                  {row.name} ({row.email}, {labelUserRole(row.role)})
                </label>
              </div>
            ))}
          </fieldset>
          <div class="form-actions">
            <button type="submit">Add selected people</button>
          </div>
        </form>
      )}
    </>
  );
}
