// "Add a membership": tenant (or user), role and optional expiry, read in the admin's time zone.
import { FormErrorSummary, SelectField, TextField } from "./form-fields";

export interface MembershipFormProps {
  action: string;
  returnTo: string;
  fixed: { userId?: string; tenantId?: string };
  tenants?: Array<{ id: string; name: string }>;
  userEmail?: boolean;
  roleOptions: readonly string[];
  values: Record<string, string>;
  errors: Record<string, string>;
  timeZone: string;
}

export function MembershipForm(props: MembershipFormProps) {
  const { values, errors } = props;
  return (
    <form method="post" action={props.action} novalidate>
      <FormErrorSummary errors={errors} />
      <input type="hidden" name="returnTo" value={props.returnTo} />
      {props.fixed.userId && <input type="hidden" name="userId" value={props.fixed.userId} />}
      {props.fixed.tenantId && <input type="hidden" name="tenantId" value={props.fixed.tenantId} />}
      <div class="membership-row">
        {props.userEmail && (
          <TextField
            name="userEmail"
            label="User's email"
            type="email"
            value={values.userEmail}
            error={errors.userEmail ?? errors.userId}
            required
          />
        )}
        {props.tenants && (
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
        )}
        <SelectField
          name="role"
          label="Role"
          value={values.role}
          error={errors.role}
          options={props.roleOptions.map((role) => ({ value: role, label: role }))}
        />
        <TextField
          name="expiresAt"
          label={`Expires (${props.timeZone})`}
          type="datetime-local"
          value={values.expiresAt}
          error={errors.expiresAt}
          hint="Required for contractors."
        />
      </div>
      <button type="submit">Add membership</button>
    </form>
  );
}
