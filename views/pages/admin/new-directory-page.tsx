// Admin → Directories → New directory: a name and whom it provisions (the staff, or one company
// that has no directory yet). The token is shown once on the directory's page the form leads to.
import { FormErrorSummary, SelectField, TextField } from "../../components/form-fields";

export interface NewDirectoryPageProps {
  staffDirectoryExists: boolean;
  tenants: ReadonlyArray<{ id: string; name: string }>;
  values: { name: string; owner: string };
  errors: Record<string, string>;
}

export function NewDirectoryPage(props: NewDirectoryPageProps) {
  const options = [
    { value: "", label: "Choose…" },
    ...(props.staffDirectoryExists ? [] : [{ value: "staff", label: "The staff (Operators and Contractors)" }]),
    ...props.tenants.map((tenant) => ({ value: `tenant:${tenant.id}`, label: tenant.name })),
  ];
  return (
    <div class="narrow">
      <h1>New directory</h1>
      <p>
        The directory's SCIM address and a bearer token are shown on the next page, the token only once. Paste both into
        the identity provider's provisioning settings.
      </p>
      {props.staffDirectoryExists && <p class="muted">The staff directory exists already; open it from Directories.</p>}
      <FormErrorSummary errors={props.errors} />
      <form method="post" action="/admin/directories" novalidate>
        <TextField
          name="name"
          label="Name"
          value={props.values.name}
          error={props.errors.name}
          hint="What the audit log calls it, such as the identity provider's name: Okta, Entra."
          maxlength={100}
          required
        />
        <SelectField
          name="owner"
          label="Provisions"
          options={options}
          value={props.values.owner}
          error={props.errors.owner}
          hint="Only companies without a directory are listed; each has at most one."
        />
        <div class="form-actions">
          <button type="submit">Create directory</button>
          <a class="button secondary" href="/admin/directories">
            Cancel
          </a>
        </div>
      </form>
    </div>
  );
}
