// Memberships as a table, shared by Admin → Memberships, a tenant's settings page and a user's
// Memberships tab. Each row edits role and expiry in place, offers one-click extension when it
// has an expiry, and links to a confirmation page to remove it. Works without JavaScript. A
// refused change comes back on its own row: what was typed, and the error next to its field.
import type { MembershipRole } from "../../src/db/schema";
import { Notice } from "./form-fields";
import { Time } from "./time";

export interface MembershipTableRow {
  id: string;
  userId: string;
  userName: string;
  userEmail: string;
  tenantName: string;
  tenantSlug: string;
  role: MembershipRole;
  expiresAt: Date | null;
  expiresAtLocal: string;
  roleOptions: readonly MembershipRole[];
}

/** A row's change or extension that was refused: the values typed and the errors by field ("form" for the row as a whole). */
export interface RefusedMembershipRow {
  id: string;
  values: { role?: string; expiresAt?: string };
  errors: Record<string, string>;
}

export interface MembershipTableProps {
  rows: MembershipTableRow[];
  timeZone: string;
  show: { user: boolean; tenant: boolean };
  canUpdate: boolean;
  canDelete: boolean;
  returnTo: string;
  caption: string;
  /** Rows expiring before this instant are flagged "soon". */
  soonBefore: Date;
  refused?: RefusedMembershipRow | undefined;
}

/** An error paragraph tied to its control by id (the control points at it with aria-describedby). */
function RowError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="error" id={id}>
      {message}
    </p>
  ) : null;
}

export function MembershipTable(props: MembershipTableProps) {
  const { refused } = props;
  // A refused row that is not on this page (another page of the list) still says why.
  const refusedElsewhere = refused && !props.rows.some((row) => row.id === refused.id);
  if (props.rows.length === 0)
    return refusedElsewhere ? (
      <Notice kind="error">{Object.values(refused.errors).join(" ")}</Notice>
    ) : (
      <p class="empty">No active memberships.</p>
    );
  return (
    <>
      {refusedElsewhere && <Notice kind="error">{Object.values(refused.errors).join(" ")}</Notice>}
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.show.user && <th scope="col">User</th>}
            {props.show.tenant && <th scope="col">Tenant</th>}
            <th scope="col">Role and expiry ({props.timeZone})</th>
            <th scope="col">Expires</th>
            {(props.canUpdate || props.canDelete) && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => {
            const errors = refused?.id === row.id ? refused.errors : {};
            const typed = refused?.id === row.id ? refused.values : {};
            const roleError = errors.role;
            const expiryError = errors.expiresAt;
            const rowError = errors.form ?? errors.returnTo;
            const extendError = errors.days;
            return (
              <tr>
                {props.show.user && (
                  <td>
                    <a href={`/admin/users/${row.userId}`}>{row.userName}</a>
                    <br />
                    <span class="muted">{row.userEmail}</span>
                  </td>
                )}
                {props.show.tenant && (
                  <td>
                    <a href={`/admin/tenants/${row.tenantSlug}`}>{row.tenantName}</a>
                  </td>
                )}
                <td>
                  {props.canUpdate ? (
                    <form method="post" action={`/admin/memberships/${row.id}`} class="membership-row">
                      <input type="hidden" name="returnTo" value={props.returnTo} />
                      <RowError id={`membership-${row.id}-error`} message={rowError} />
                      <RowError id={`role-${row.id}-error`} message={roleError} />
                      <label
                        class="visually-hidden"
                        for={`role-${row.id}`}
                      >{`Role of ${row.userName} in ${row.tenantName}`}</label>
                      <select
                        id={`role-${row.id}`}
                        name="role"
                        aria-invalid={roleError ? "true" : undefined}
                        aria-describedby={roleError ? `role-${row.id}-error` : undefined}
                      >
                        {row.roleOptions.map((role) => (
                          <option value={role} selected={role === (typed.role ?? row.role)}>
                            {role}
                          </option>
                        ))}
                      </select>
                      <RowError id={`expiry-${row.id}-error`} message={expiryError} />
                      <label
                        class="visually-hidden"
                        for={`expiry-${row.id}`}
                      >{`Expiry of ${row.userName} in ${row.tenantName}`}</label>
                      <input
                        id={`expiry-${row.id}`}
                        type="datetime-local"
                        name="expiresAt"
                        value={typed.expiresAt ?? row.expiresAtLocal}
                        aria-invalid={expiryError ? "true" : undefined}
                        aria-describedby={expiryError ? `expiry-${row.id}-error` : undefined}
                      />
                      <button
                        type="submit"
                        class="secondary"
                        aria-describedby={rowError ? `membership-${row.id}-error` : undefined}
                      >
                        Save
                      </button>
                    </form>
                  ) : (
                    row.role
                  )}
                </td>
                <td>
                  {row.expiresAt ? (
                    <>
                      <Time value={row.expiresAt} timeZone={props.timeZone} />
                      {row.expiresAt.getTime() <= props.soonBefore.getTime() && (
                        <span class="badge badge-expired"> soon</span>
                      )}
                      <br />
                      <span class="muted">{row.expiresAt.toISOString()}</span>
                    </>
                  ) : (
                    "never"
                  )}
                </td>
                {(props.canUpdate || props.canDelete) && (
                  <td>
                    <RowError id={`extend-${row.id}-error`} message={extendError} />
                    {props.canUpdate && row.expiresAt && (
                      <form method="post" action={`/admin/memberships/${row.id}/extend`} class="inline">
                        <input type="hidden" name="returnTo" value={props.returnTo} />
                        <button
                          type="submit"
                          name="days"
                          value="30"
                          class="secondary"
                          aria-describedby={extendError ? `extend-${row.id}-error` : undefined}
                        >
                          +30 days
                        </button>{" "}
                        <button
                          type="submit"
                          name="days"
                          value="90"
                          class="secondary"
                          aria-describedby={extendError ? `extend-${row.id}-error` : undefined}
                        >
                          +90 days
                        </button>
                      </form>
                    )}{" "}
                    {props.canDelete && (
                      <a href={`/admin/memberships/${row.id}/remove?returnTo=${encodeURIComponent(props.returnTo)}`}>
                        Remove
                      </a>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
