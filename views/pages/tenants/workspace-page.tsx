// /tenants/<slug>: an operator's view of one tenant. OPERATOR_FULL sees write controls; every
// other member reads (and the server refuses writes anyway).

import type { MembershipRole } from "../../../src/db/schema";
import type { Flash } from "../../../src/http/flash";
import { membershipRoleLabels } from "../../../src/labels";
import { ClientInviteForm, type ClientInviteFormProps } from "../../components/client-invite-form";
import { FlashNotice } from "../../components/flash-notice";
import { FormErrorSummary, TextField } from "../../components/form-fields";
import { AccessTable, ClientUsersTable, type PersonRow } from "../../components/tenant-people";
import { UpdatesList, type UpdatesListProps } from "../../components/tenant-updates";
import { UpdateForm } from "../../components/update-form";

export interface WorkspacePageProps {
  timeZone: string;
  tenant: { name: string; slug: string; description: string };
  yourRole: string;
  canWrite: boolean;
  profile: { values: Record<string, string>; errors: Record<string, string> };
  updates: UpdatesListProps;
  newUpdate: { values: Record<string, string>; errors: Record<string, string> };
  clients: PersonRow[];
  /** The next page of client users, when there are more than a page. */
  clientsMoreHref: string | null;
  staff: PersonRow[];
  staffMoreHref: string | null;
  invite: ClientInviteFormProps;
  flash?: Flash | undefined;
}

export function WorkspacePage(props: WorkspacePageProps) {
  const base = `/tenants/${props.tenant.slug}`;
  return (
    <>
      <div class="page-heading">
        <div>
          <h1>{props.tenant.name}</h1>
          <p class="muted">
            Your access:{" "}
            <span class={props.canWrite ? "badge badge-success" : "badge badge-neutral"}>
              {membershipRoleLabels[props.yourRole as MembershipRole] ?? props.yourRole}
            </span>
          </p>
        </div>
      </div>
      <FlashNotice flash={props.flash} />
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <p class="post-body">{props.tenant.description || "No description yet."}</p>
        {props.canWrite && (
          <details>
            <summary>Edit the profile</summary>
            <FormErrorSummary errors={props.profile.errors} />
            <form method="post" action={`${base}/profile`} novalidate>
              <TextField
                name="name"
                label="Name"
                value={props.profile.values.name}
                error={props.profile.errors.name}
                maxlength={100}
                required
              />
              <TextField
                name="description"
                multiline
                label="Description"
                value={props.profile.values.description}
                error={props.profile.errors.description}
                maxlength={2000}
              />
              <div class="form-actions">
                <button type="submit">Save profile</button>
              </div>
            </form>
          </details>
        )}
      </section>
      <section aria-labelledby="updates-heading">
        <h2 id="updates-heading">Updates for the client</h2>
        {props.canWrite && (
          <details open={Object.keys(props.newUpdate.errors).length > 0}>
            <summary>Post an update</summary>
            <UpdateForm
              action={`${base}/updates`}
              values={props.newUpdate.values}
              errors={props.newUpdate.errors}
              submitLabel="Post update"
            />
          </details>
        )}
        <UpdatesList {...props.updates} />
      </section>
      <section aria-labelledby="clients-heading">
        <h2 id="clients-heading">Client users</h2>
        <ClientUsersTable
          people={props.clients}
          manageBase={props.canWrite ? `${base}/clients` : null}
          moreHref={props.clientsMoreHref}
        />
        {props.canWrite && (
          <details open={Object.keys(props.invite.errors).length > 0}>
            <summary>Invite a client user</summary>
            <ClientInviteForm {...props.invite} />
          </details>
        )}
      </section>
      <section aria-labelledby="access-heading">
        <h2 id="access-heading">Who has access</h2>
        <AccessTable people={props.staff} timeZone={props.timeZone} moreHref={props.staffMoreHref} />
      </section>
    </>
  );
}
