import type { Permission } from "../../../src/domain/access";
import type { Group } from "../../../src/domain/groups/groups-read";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { FormErrorSummary, Notice, TextField } from "../../components/form-fields";
import { GroupMembersSection, type GroupMembersSectionProps } from "../../components/group-members-section";
import { PermissionMatrix } from "../../components/permission-matrix";
import { Time } from "../../components/time";

export interface AccessGroupPageProps {
  timeZone: string;
  group: Omit<Group, "memberCount">;
  /** Why the viewer cannot change this group although they may update groups; null when they can. */
  outOfReach: string | null;
  canUpdate: boolean;
  canDelete: boolean;
  grantable: Permission[];
  details: { values: { name: string; description: string }; errors: Record<string, string> };
  permissions: { selected: string[]; error?: string | undefined };
  members: Omit<GroupMembersSectionProps, "groupId" | "canUpdate" | "timeZone">;
  auditHref: string | null;
  flash?: Flash | undefined;
}

export function AccessGroupPage(props: AccessGroupPageProps) {
  const { group, details } = props;
  return (
    <>
      <p>
        <a href="/admin/access-groups">← Access groups</a>
      </p>
      <div class="page-heading">
        <h1>{group.name}</h1>
      </div>
      <p class="muted">
        {group.description || "No description."} Created <Time value={group.createdAt} timeZone={props.timeZone} />,
        last changed <Time value={group.updatedAt} timeZone={props.timeZone} />.
        {props.auditHref && (
          <>
            {" "}
            <a href={props.auditHref}>History in the audit log</a>
          </>
        )}
      </p>
      <FlashNotice flash={props.flash} />
      {props.outOfReach && <Notice kind="info">{props.outOfReach}</Notice>}
      {props.canUpdate && (
        <section aria-labelledby="details-heading" class="narrow">
          <h2 id="details-heading">Name and description</h2>
          <FormErrorSummary errors={details.errors} />
          <form method="post" action={`/admin/access-groups/${group.id}`} novalidate>
            <TextField
              name="name"
              label="Name"
              value={details.values.name}
              error={details.errors.name}
              maxlength={100}
              required
            />
            <TextField
              name="description"
              multiline
              label="Description"
              value={details.values.description}
              error={details.errors.description}
              maxlength={500}
            />
            <div class="form-actions">
              <button type="submit">Save name and description</button>
            </div>
          </form>
        </section>
      )}
      <section aria-labelledby="permissions-heading">
        <h2 id="permissions-heading">Permissions</h2>
        {props.canUpdate ? (
          <form method="post" action={`/admin/access-groups/${group.id}/permissions`}>
            <PermissionMatrix
              selected={props.permissions.selected}
              grantable={props.grantable}
              editable
              error={props.permissions.error}
            />
            <div class="form-actions">
              <button type="submit">Save permissions</button>
            </div>
          </form>
        ) : (
          <PermissionMatrix selected={group.permissions} grantable={[]} editable={false} />
        )}
      </section>
      <GroupMembersSection
        groupId={group.id}
        canUpdate={props.canUpdate}
        timeZone={props.timeZone}
        {...props.members}
      />
      {props.canDelete && (
        <section class="danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this group</h2>
          <p>Its members lose its permissions at once. The audit log keeps its history.</p>
          <form method="post" action={`/admin/access-groups/${group.id}/delete`}>
            <button type="submit" class="danger">
              Delete group…
            </button>
          </form>
        </section>
      )}
    </>
  );
}
