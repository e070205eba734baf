// What a directory owns of a user, on the console (docs/PRODUCT.md §8 "Ownership"): a note naming the
// directory, and the owned fields carried unchanged through the edit form instead of being offered.
import { PersonNameFields, TextField } from "./form-fields";

export function ManagedByDirectoryNote({ directoryName }: { directoryName: string }) {
  return (
    <p class="notice notice-info" data-managed-by>
      Managed by the directory “{directoryName}”: names, email, role and active state change in {directoryName}.
    </p>
  );
}

/**
 * The names in the user's edit form, or, when a directory owns them, the owned fields as they are
 * (names and role posted unchanged; the page offers the Slack ID alone).
 */
export function NameFieldsUnlessOwned(props: {
  managedBy: string | null;
  values: Record<string, string>;
  errors: Record<string, string>;
}) {
  const { values, errors } = props;
  if (props.managedBy) {
    return (
      <>
        {(["firstName", "lastName", "displayName", "role"] as const).map((name) => (
          <input type="hidden" name={name} value={values[name] ?? ""} />
        ))}
      </>
    );
  }
  return (
    <>
      <PersonNameFields values={values} errors={errors} />
      <TextField
        name="displayName"
        label="Display name"
        value={values.displayName}
        error={errors.displayName}
        maxlength={100}
        required
      />
    </>
  );
}
