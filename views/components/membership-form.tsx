// "Add a membership": tenant (or user), role and optional expiry, read in the admin's time zone.
// Shown again as typed after a refusal, with the error by its field; a duplicate also links to the
// membership that already exists.
import type { MembershipRole } from "../../src/db/schema";
import { labelMembershipRole } from "../../src/labels";
import { FormErrorSummary, SelectField, TextField } from "./form-fields";

export interface MembershipFormProps {
  action: string;
  returnTo: string;
  fixed: { userId?: string; tenantId?: string };
  tenants?: Array<{ id: string; name: string }>;
  userEmail?: boolean;
  roleOptions: readonly MembershipRole[];
  values: Record<string, string>;
  errors: Record<string, string>;
  timeZone: string;
  /** After a duplicate: where the membership that already exists can be seen or edited. */
  existingMembershipHref?: string | undefined;
}

/** Role (in words, the code as the value) and end, typed in the admin's zone: the add form's and the edit page's. */
export function MembershipTermsFields(props: {
  roleOptions: readonly MembershipRole[];
  timeZone: string;
  values: { role?: string | undefined; expiresAt?: string | undefined };
  errors: Record<string, string>;
}) {
  return (
    <>
      <SelectField
        name="role"
        label="Role"
        value={props.values.role}
        error={props.errors.role}
        options={props.roleOptions.map((role) => ({ value: role, label: labelMembershipRole(role) }))}
      />
      <TextField
        name="expiresAt"
        label={`Ends (${props.timeZone})`}
        type="datetime-local"
        value={props.values.expiresAt}
        error={props.errors.expiresAt}
        hint="Leave empty for no end date. Contractors need one."
      />
    </>
  );
}

export function MembershipForm(props: MembershipFormProps) {
  const { values, errors } = props;
  // With the tenant fixed (a tenant's page) a tenant error is about the person typed in.
  const userError = errors.userEmail ?? errors.userId ?? (props.fixed.tenantId ? errors.tenantId : undefined);
  const existingLink = props.existingMembershipHref && (
    <p class="hint field-note" id="existing-membership">
      <a href={props.existingMembershipHref}>See the existing membership</a>
    </p>
  );
  return (
    <form method="post" action={props.action} novalidate>
      <FormErrorSummary errors={errors} />
      <input type="hidden" name="returnTo" value={props.returnTo} />
      {props.fixed.userId && <input type="hidden" name="userId" value={props.fixed.userId} />}
      {props.fixed.tenantId && <input type="hidden" name="tenantId" value={props.fixed.tenantId} />}
      {props.userEmail && (
        <>
          <TextField
            name="userEmail"
            label="User's email"
            type="email"
            value={values.userEmail}
            error={userError}
            required
          />
          {props.fixed.tenantId && existingLink}
        </>
      )}
      {props.tenants && (
        <>
          <SelectField
            name="tenantId"
            label="Tenant"
            value={values.tenantId}
            error={errors.tenantId}
            options={[
              { value: "", label: "— choose —" },
              ...props.tenants.map((tenant) => ({ value: tenant.id, label: tenant.name })),
            ]}
          />
          {existingLink}
        </>
      )}
      <MembershipTermsFields
        roleOptions={props.roleOptions}
        timeZone={props.timeZone}
        values={values}
        errors={errors}
      />
      <div class="form-actions">
        <button type="submit">Add membership</button>
      </div>
    </form>
  );
}
