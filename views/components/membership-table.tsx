// Memberships as a table, shared by Admin → Memberships, a tenant's settings page and a user's
// Memberships tab. Each row edits role and expiry in place, offers one-click extension when it
// has an expiry, and links to a confirmation page to remove it. Works without JavaScript.
import { Time } from "./time";

export interface MembershipTableRow {
  id: string;
  userId: string;
  userName: string;
  userEmail: string;
  tenantName: string;
  tenantSlug: string;
  role: string;
  expiresAt: Date | null;
  expiresAtLocal: string;
  roleOptions: readonly string[];
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
}

export function MembershipTable(props: MembershipTableProps) {
  if (props.rows.length === 0) return <p class="empty">No active memberships.</p>;
  return (
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
        {props.rows.map((row) => (
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
                  <label class="visually-hidden" for={`role-${row.id}`}>{`Role of ${row.userName} in ${row.tenantName}`}</label>
                  <select id={`role-${row.id}`} name="role">
                    {row.roleOptions.map((role) => (
                      <option value={role} selected={role === row.role}>
                        {role}
                      </option>
                    ))}
                  </select>
                  <label class="visually-hidden" for={`expiry-${row.id}`}>{`Expiry of ${row.userName} in ${row.tenantName}`}</label>
                  <input id={`expiry-${row.id}`} type="datetime-local" name="expiresAt" value={row.expiresAtLocal} />
                  <button type="submit" class="secondary">
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
                  {row.expiresAt.getTime() <= props.soonBefore.getTime() && <span class="badge badge-expired"> soon</span>}
                  <br />
                  <span class="muted">{row.expiresAt.toISOString()}</span>
                </>
              ) : (
                "never"
              )}
            </td>
            {(props.canUpdate || props.canDelete) && (
              <td>
                {props.canUpdate && row.expiresAt && (
                  <form method="post" action={`/admin/memberships/${row.id}/extend`} class="inline">
                    <input type="hidden" name="returnTo" value={props.returnTo} />
                    <button type="submit" name="days" value="30" class="secondary">
                      +30 days
                    </button>{" "}
                    <button type="submit" name="days" value="90" class="secondary">
                      +90 days
                    </button>
                  </form>
                )}{" "}
                {props.canDelete && (
                  <a href={`/admin/memberships/${row.id}/remove?returnTo=${encodeURIComponent(props.returnTo)}`}>Remove</a>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
