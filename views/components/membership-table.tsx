// Memberships as a table, shared by Admin → Memberships, a tenant's settings page and a user's
// Memberships tab. Each row reads as one line (who, where, which access, until when) with its
// actions: one-click extension by 30 or 90 days, "Edit" (role and expiry on a page of its own) and
// "Remove" (a confirmation page). Works without JavaScript. Each row's id is `membership-<id>`, so
// the flash after an action on it, or a refused extension, shows in that row.

import type { MembershipRole } from "../../src/db/schema";
import type { Flash } from "../../src/http/flash";
import { labelMembershipRole } from "../../src/labels";
import { FlashNotice, flashNear } from "./flash-notice";
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
  createdAt: Date;
}

/** A row's extension that was refused, and why. */
export interface RefusedMembershipRow {
  id: string;
  message: string;
}

export interface MembershipTableProps {
  rows: MembershipTableRow[];
  timeZone: string;
  show: { user: boolean; tenant: boolean };
  canUpdate: boolean;
  canDelete: boolean;
  returnTo: string;
  caption: string;
  /** Rows expiring before this instant are flagged "Ends soon". */
  soonBefore: Date;
  refused?: RefusedMembershipRow | undefined;
  flash?: Flash | undefined;
}

/** The id of a membership's row: flashes and refusals about it show there. */
export function membershipRowId(membershipId: string): string {
  return `membership-${membershipId}`;
}

/** The ids of the rows that show a flash (rows with actions); a page shows any other flash at its top. */
export function membershipFlashIds(props: MembershipTableProps): string[] {
  return props.canUpdate || props.canDelete ? props.rows.map((row) => membershipRowId(row.id)) : [];
}

function withReturnTo(path: string, returnTo: string): string {
  return `${path}?returnTo=${encodeURIComponent(returnTo)}`;
}

function ExtendButton(props: {
  row: MembershipTableRow;
  days: 30 | 90;
  returnTo: string;
  errorId: string | undefined;
}) {
  return (
    <form method="post" action={`/admin/memberships/${props.row.id}/extend`} class="inline">
      <input type="hidden" name="returnTo" value={props.returnTo} />
      <button
        type="submit"
        name="days"
        value={String(props.days)}
        class="button small secondary"
        aria-describedby={props.errorId}
      >
        +{props.days} days
        <span class="visually-hidden">{` for ${props.row.userName} in ${props.row.tenantName}`}</span>
      </button>
    </form>
  );
}

function RowActions(props: { row: MembershipTableRow; table: MembershipTableProps }) {
  const { row, table } = props;
  const refusal = table.refused?.id === row.id ? table.refused.message : undefined;
  const errorId = refusal ? `extend-${row.id}-error` : undefined;
  const who = `${row.userName} in ${row.tenantName}`;
  return (
    <td class="cell-actions" data-label="Actions">
      <FlashNotice flash={flashNear(table.flash, membershipRowId(row.id))} />
      {refusal && (
        <p class="error" id={errorId}>
          {refusal}
        </p>
      )}
      <div class="button-row">
        {table.canUpdate && row.expiresAt && (
          <>
            <ExtendButton row={row} days={30} returnTo={table.returnTo} errorId={errorId} />
            <ExtendButton row={row} days={90} returnTo={table.returnTo} errorId={errorId} />
          </>
        )}
        {table.canUpdate && (
          <a class="button small secondary" href={withReturnTo(`/admin/memberships/${row.id}/edit`, table.returnTo)}>
            Edit<span class="visually-hidden">{` the membership of ${who}`}</span>
          </a>
        )}
        {table.canDelete && (
          <a class="button small danger" href={withReturnTo(`/admin/memberships/${row.id}/remove`, table.returnTo)}>
            Remove<span class="visually-hidden">{` the membership of ${who}`}</span>
          </a>
        )}
      </div>
    </td>
  );
}

function MembershipRowCells(props: { row: MembershipTableRow; table: MembershipTableProps }) {
  const { row, table } = props;
  return (
    <>
      {table.show.user && (
        <td class="cell-primary" data-label="User">
          <a href={`/admin/users/${row.userId}`}>{row.userName}</a>
          <br />
          <span class="muted truncate" title={row.userEmail}>
            {row.userEmail}
          </span>
        </td>
      )}
      {table.show.tenant && (
        <td class={table.show.user ? undefined : "cell-primary"} data-label="Tenant">
          <a href={`/admin/tenants/${row.tenantSlug}`}>{row.tenantName}</a>
        </td>
      )}
      <td data-label="Role">
        <span class="badge badge-neutral">{labelMembershipRole(row.role)}</span>
      </td>
      <td data-label="Ends">
        {row.expiresAt ? (
          <>
            <Time value={row.expiresAt} timeZone={table.timeZone} />
            {row.expiresAt.getTime() <= table.soonBefore.getTime() && (
              <>
                {" "}
                <span class="badge badge-warning">Ends soon</span>
              </>
            )}
          </>
        ) : (
          <span class="muted">No end date</span>
        )}
      </td>
      <td class="priority-low" data-label="Added">
        <Time value={row.createdAt} timeZone={table.timeZone} />
      </td>
    </>
  );
}

export function MembershipTable(props: MembershipTableProps) {
  const { refused } = props;
  const hasActions = props.canUpdate || props.canDelete;
  // A refused row that is not on this page (another page of the list) still says why.
  const refusedElsewhere = refused && !props.rows.some((row) => row.id === refused.id);
  return (
    <>
      {refusedElsewhere && <Notice kind="error">{refused.message}</Notice>}
      {props.rows.length === 0 ? (
        <p class="empty">No active memberships. They appear here once someone is given access to a tenant.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              {props.show.user && <th scope="col">User</th>}
              {props.show.tenant && <th scope="col">Tenant</th>}
              <th scope="col">Role</th>
              <th scope="col">Ends</th>
              <th scope="col" class="priority-low">
                Added
              </th>
              {hasActions && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr id={membershipRowId(row.id)}>
                <MembershipRowCells row={row} table={props} />
                {hasActions && <RowActions row={row} table={props} />}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
