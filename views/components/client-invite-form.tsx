import { labelMembershipRole } from "../../src/labels";
import { FormErrorSummary, PersonNameFields, SelectField, TextField } from "./form-fields";

export interface ClientInviteFormProps {
  action: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** Delegated invite of a portal user: only client roles, only into this company. */
export function ClientInviteForm({ action, values, errors }: ClientInviteFormProps) {
  return (
    <form method="post" action={action} novalidate>
      <FormErrorSummary errors={errors} />
      <TextField name="email" label="Email" type="email" value={values.email} error={errors.email} required />
      <PersonNameFields values={values} errors={errors} />
      <SelectField
        name="role"
        label="Portal role"
        value={values.role || "CLIENT_VIEWER"}
        error={errors.role}
        options={[
          { value: "CLIENT_VIEWER", label: `${labelMembershipRole("CLIENT_VIEWER")} (reads the portal)` },
          {
            value: "CLIENT_ADMIN",
            label: `${labelMembershipRole("CLIENT_ADMIN")} (also invites and removes portal users)`,
          },
        ]}
      />
      <button type="submit">Invite</button>
    </form>
  );
}
