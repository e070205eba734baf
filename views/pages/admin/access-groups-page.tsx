import type { Permission } from "../../../src/domain/access";
import type { Group } from "../../../src/domain/groups/groups-read";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { FormErrorSummary, TextField } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
import { PermissionMatrix } from "../../components/permission-matrix";

export type AccessGroupRow = Pick<Group, "id" | "name" | "description" | "permissions" | "memberCount">;

export interface AccessGroupsPageProps {
  groups: AccessGroupRow[];
  nextPageHref: string | null;
  /** Null when the viewer may not create groups. */
  createForm: {
    /** As typed: the ticked boxes may name permissions that do not exist. */
    values: { name: string; description: string; permissions: string[] };
    errors: Record<string, string>;
    grantable: Permission[];
  } | null;
  flash?: Flash | undefined;
}

export function AccessGroupsPage(props: AccessGroupsPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Access groups</h1>
        {props.createForm && (
          <div class="actions">
            <a class="button" href="#new-group-heading">
              New access group
            </a>
          </div>
        )}
      </div>
      <p class="muted">
        An access group is a named bundle of admin-console permissions. Members hold every permission of every group
        they are in; super admins hold everything anyway, and client users never join a group. Changes take effect on
        the member's next request.
      </p>
      <FlashNotice flash={props.flash} />
      {props.groups.length === 0 ? (
        <p class="empty">No access groups yet.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Access groups</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Permissions</th>
              <th scope="col">Members</th>
            </tr>
          </thead>
          <tbody>
            {props.groups.map((group) => (
              <tr>
                <td class="cell-primary" data-label="Name">
                  <a href={`/admin/access-groups/${group.id}`}>{group.name}</a>
                </td>
                <td class="priority-low wrap" data-label="Description">
                  {group.description || "—"}
                </td>
                <td class="wrap" data-label="Permissions">
                  {group.permissions.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    <code>{group.permissions.join(" ")}</code>
                  )}
                </td>
                <td data-label="Members">{group.memberCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPageLink href={props.nextPageHref} />
      {props.createForm && <CreateGroupForm {...props.createForm} />}
    </>
  );
}

function CreateGroupForm({ values, errors, grantable }: NonNullable<AccessGroupsPageProps["createForm"]>) {
  return (
    <section aria-labelledby="new-group-heading">
      <h2 id="new-group-heading">New access group</h2>
      <FormErrorSummary errors={errors} />
      <form method="post" action="/admin/access-groups" novalidate>
        <TextField name="name" label="Name" value={values.name} error={errors.name} maxlength={100} required />
        <TextField
          name="description"
          multiline
          label="Description (optional)"
          value={values.description}
          error={errors.description}
          maxlength={500}
          hint="Who the group is for, e.g. “Support: reads users and memberships”."
        />
        <PermissionMatrix
          selected={values.permissions}
          grantable={grantable}
          editable
          error={errors.permissions}
          idPrefix="new-permission"
        />
        <div class="form-actions">
          <button type="submit">Create group</button>
        </div>
      </form>
    </section>
  );
}
