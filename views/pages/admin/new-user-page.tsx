import type { GlobalRole } from "../../../src/db/schema";
import type { Flash } from "../../../src/http/flash";
import { labelUserRole, membershipRoleLabels } from "../../../src/labels";
import { FormErrorSummary, Notice, PersonNameFields, SelectField, TextField } from "../../components/form-fields";
import { LinkIssuedPage } from "../link-issued-page";

export const inviteMembershipRows = 3;

export interface NewUserPageProps {
  values: Record<string, string>;
  errors: Record<string, string>;
  roleOptions: GlobalRole[];
  tenants: Array<{ id: string; name: string }> | null;
  timeZone: string;
  existingUser?: { id: string; pending: boolean } | undefined;
}

const membershipRoleOptions = Object.entries(membershipRoleLabels).map(([value, label]) => ({ value, label }));

export function NewUserPage(props: NewUserPageProps) {
  const { values, errors } = props;
  return (
    <>
      <h1>New user</h1>
      <p>
        The new user gets a one-time setup link (valid for 7 days) to choose a password and enroll an authenticator.
        Operators and contractors see nothing until you give them memberships or access groups.
      </p>
      <FormErrorSummary errors={errors} />
      {props.existingUser && (
        <Notice kind="info">
          <a href={`/admin/users/${props.existingUser.id}`}>Open the existing user</a>
          {props.existingUser.pending &&
            " — they are still pending: you can send them a new setup link from their page."}
        </Notice>
      )}
      <form method="post" action="/admin/users" novalidate>
        <TextField
          name="email"
          label="Email"
          type="email"
          value={values.email}
          error={errors.email}
          autocomplete="off"
          required
        />
        <PersonNameFields values={values} errors={errors} />
        <SelectField
          name="role"
          label="Global role"
          value={values.role || "OPERATOR"}
          error={errors.role}
          hint="An operator sees nothing until memberships or access groups are added. A contractor's memberships always expire."
          options={props.roleOptions.map((role) => ({ value: role, label: labelUserRole(role) }))}
        />
        <TextField
          name="slackId"
          label="Slack ID (optional)"
          value={values.slackId}
          error={errors.slackId}
          hint="For example U012AB3CD."
        />
        {props.tenants && (
          <fieldset>
            <legend>First memberships (optional)</legend>
            <p class="hint">Expiry is in your time zone ({props.timeZone}); required for contractors.</p>
            {props.tenants.length === 0 && <p class="empty">No tenants exist yet.</p>}
            {props.tenants.length > 0 &&
              Array.from({ length: inviteMembershipRows }, (_, index) => (
                <div class="membership-row">
                  <SelectField
                    name={`memberships.${index}.tenantId`}
                    label={`Tenant ${index + 1}`}
                    value={values[`memberships.${index}.tenantId`]}
                    error={errors[`memberships.${index}.tenantId`]}
                    options={[
                      { value: "", label: "— none —" },
                      ...props.tenants!.map((t) => ({ value: t.id, label: t.name })),
                    ]}
                  />
                  <SelectField
                    name={`memberships.${index}.role`}
                    label={`Membership role ${index + 1}`}
                    value={values[`memberships.${index}.role`]}
                    error={errors[`memberships.${index}.role`]}
                    options={membershipRoleOptions}
                  />
                  <TextField
                    name={`memberships.${index}.expiresAt`}
                    label={`Expires ${index + 1}`}
                    type="datetime-local"
                    value={values[`memberships.${index}.expiresAt`]}
                    error={errors[`memberships.${index}.expiresAt`]}
                  />
                </div>
              ))}
          </fieldset>
        )}
        <button type="submit">Create user</button>
      </form>
    </>
  );
}

export interface SetupLinkIssuedPageProps {
  heading: string;
  flash: Flash | undefined;
  setupUrl: string | null;
  expiresAtText: string;
  subjectUserId: string;
  newLinkAction: string | null;
}

/** A user's setup link after an invite, a new link or a two-factor reset: shown once, kept nowhere. */
export function SetupLinkIssuedPage(props: SetupLinkIssuedPageProps) {
  const { subjectUserId, expiresAtText, ...page } = props;
  return (
    <LinkIssuedPage
      {...page}
      note={`It works once and expires ${expiresAtText}. An email with the link is queued as well; send the link yourself (chat, phone) if email is slow. If it is lost, make a new one from the user's page.`}
    >
      <a class="button secondary" href={`/admin/users/${subjectUserId}`}>
        Go to the user
      </a>
      <a class="button quiet" href="/admin/users">
        Back to users
      </a>
    </LinkIssuedPage>
  );
}
