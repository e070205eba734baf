// A tenant's settings page: its details, and only its own members (add, change, remove).
import type { Flash } from "../../../src/http/flash";
import { FlashNotice, flashAtTop } from "../../components/flash-notice";
import { FormErrorSummary, TextField } from "../../components/form-fields";
import { MembershipForm, type MembershipFormProps } from "../../components/membership-form";
import { MembershipTable, type MembershipTableProps, membershipFlashIds } from "../../components/membership-table";
import { NextPageLink } from "../../components/next-page-link";
import { Time } from "../../components/time";

export interface TenantSettingsPageProps {
  tenant: { id: string; name: string; slug: string; description: string; createdAt: Date };
  timeZone: string;
  canEdit: boolean;
  values: Record<string, string>;
  errors: Record<string, string>;
  members: MembershipTableProps;
  nextPageHref: string | null;
  form: MembershipFormProps | null;
  auditHref: string | null;
  flash?: Flash | undefined;
}

export function TenantSettingsPage(props: TenantSettingsPageProps) {
  const { tenant } = props;
  return (
    <>
      <p>
        <a href="/admin/tenants">← Tenants</a>
      </p>
      <div class="page-heading">
        <h1>{tenant.name}</h1>
      </div>
      <FlashNotice flash={flashAtTop(props.flash, membershipFlashIds(props.members))} />
      <dl class="details">
        <dt>Slug</dt>
        <dd>
          <code>{tenant.slug}</code>
        </dd>
        <dt>Created</dt>
        <dd>
          <Time value={tenant.createdAt} timeZone={props.timeZone} />
        </dd>
        <dt>Description</dt>
        <dd class="post-body">{tenant.description || "—"}</dd>
      </dl>
      <p>
        <a href={`/tenants/${tenant.slug}`}>Open the tenant workspace</a>
        {props.auditHref && (
          <>
            {" · "}
            <a href={props.auditHref}>History of this tenant in the audit log</a>
          </>
        )}
      </p>
      <h2>Members</h2>
      <MembershipTable {...props.members} flash={props.flash} />
      <NextPageLink href={props.nextPageHref} />
      {props.form && (
        <section aria-labelledby="add-member-heading">
          <h2 id="add-member-heading">Add a member</h2>
          <MembershipForm {...props.form} />
        </section>
      )}
      {props.canEdit && (
        <section aria-labelledby="edit-tenant-heading">
          <h2 id="edit-tenant-heading">Edit details</h2>
          <FormErrorSummary errors={props.errors} />
          <form method="post" action={`/admin/tenants/${tenant.slug}`} novalidate>
            <TextField
              name="name"
              label="Name"
              value={props.values.name}
              error={props.errors.name}
              maxlength={100}
              required
            />
            <TextField
              name="slug"
              label="Slug"
              value={props.values.slug}
              error={props.errors.slug}
              hint="Changing it changes the portal's address."
              required
            />
            <TextField
              name="description"
              multiline
              label="Description"
              value={props.values.description}
              error={props.errors.description}
              maxlength={2000}
            />
            <div class="form-actions">
              <button type="submit">Save changes</button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}
