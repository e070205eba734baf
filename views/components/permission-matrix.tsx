// The permission matrix of an access group: resources × actions as checkboxes, each with its own
// accessible name. Permissions the viewer does not hold are disabled (nobody grants what they do
// not hold; the server refuses it anyway). Read-only when `editable` is false.
import type { Permission, PermissionAction, PermissionResource } from "../../src/domain/access";

// Rows and columns in the order shown. Keyed by the domain's unions, so a resource or action the
// domain adds fails to compile here until it has its place (a view imports types only).
const rows = { users: true, memberships: true, tenants: true, groups: true, audit: true } satisfies Record<
  PermissionResource,
  true
>;
const columns = { read: true, create: true, update: true, delete: true } satisfies Record<PermissionAction, true>;
const resources = Object.keys(rows) as PermissionResource[];
const resourceLabels: Record<PermissionResource, string> = {
  users: "Users",
  memberships: "Memberships",
  tenants: "Tenants",
  groups: "Access groups",
  audit: "Audit log",
};
const actionLabels: Record<PermissionAction, string> = {
  read: "Read",
  create: "Create",
  update: "Update",
  delete: "Delete",
};
const actions = Object.keys(columns) as PermissionAction[];

export interface PermissionMatrixProps {
  /** As typed or as stored: a re-rendered form may tick names that are no permission. */
  selected: readonly string[];
  grantable: readonly Permission[];
  editable: boolean;
  error?: string | undefined;
  idPrefix?: string;
}

export function PermissionMatrix({
  selected,
  grantable,
  editable,
  error,
  idPrefix = "permission",
}: PermissionMatrixProps) {
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
              <th scope="col">{actionLabels[action]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {resources.map((resource) => (
            <tr>
              <th scope="row">{resourceLabels[resource]}</th>
              {actions.map((action) => {
                const permission: Permission = `${resource}:${action}`;
                const id = `${idPrefix}-${resource}-${action}`;
                return (
                  <td data-label={actionLabels[action]}>
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
