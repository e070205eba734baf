// The permission matrix of an access group: resources × actions as checkboxes, each with its own
// accessible name. Permissions the viewer does not hold are disabled (nobody grants what they do
// not hold; the server refuses it anyway). Read-only when `editable` is false.
const resources = ["users", "memberships", "tenants", "groups", "audit"] as const;
const actions = ["read", "create", "update", "delete"] as const;

export interface PermissionMatrixProps {
  selected: readonly string[];
  grantable: readonly string[];
  editable: boolean;
  error?: string | undefined;
  idPrefix?: string;
}

export function PermissionMatrix({ selected, grantable, editable, error, idPrefix = "permission" }: PermissionMatrixProps) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset class={error ? "has-error" : undefined} aria-describedby={error ? errorId : undefined}>
      <legend>Permissions</legend>
      {error && (
        <p class="error" id={errorId}>
          {error}
        </p>
      )}
      <table class="permission-matrix">
        <thead>
          <tr>
            <th scope="col">Resource</th>
            {actions.map((action) => (
              <th scope="col">{action}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {resources.map((resource) => (
            <tr>
              <th scope="row">{resource}</th>
              {actions.map((action) => {
                const permission = `${resource}:${action}`;
                const id = `${idPrefix}-${resource}-${action}`;
                return (
                  <td>
                    <input
                      type="checkbox"
                      id={id}
                      name="permissions"
                      value={permission}
                      checked={selected.includes(permission)}
                      disabled={!editable || !grantable.includes(permission)}
                      aria-label={permission}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {editable && grantable.length < resources.length * actions.length && (
        <p class="hint">Greyed-out boxes are permissions you do not hold yourself, so you cannot grant them.</p>
      )}
    </fieldset>
  );
}
