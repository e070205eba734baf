import type { GlobalRole } from "../../../src/db/schema";
import type { SetupLinkState, UserStatus } from "../../../src/domain/users/users";
import type { Flash } from "../../../src/http/flash";
import { labelUserRole, userRoleLabels, userStatusLabels } from "../../../src/labels";
import { FlashNotice } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
import { UserStatusBadge } from "../../components/status-badge";
import { Time } from "../../components/time";

export interface UserListRow {
  id: string;
  name: string;
  email: string;
  role: GlobalRole;
  status: UserStatus;
  setupLink: SetupLinkState;
  slackId: string | null;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface UsersPageProps {
  timeZone: string;
  rows: UserListRow[];
  filters: { query: string; role: string; status: string };
  nextPageHref: string | null;
  canInvite: boolean;
  superAdminHint: number | null;
  flash?: Flash | undefined;
}

export function UsersPage(props: UsersPageProps) {
  const { filters } = props;
  return (
    <>
      <div class="page-heading">
        <h1>Users</h1>
        {props.canInvite && (
          <a class="button" href="/admin/users/new">
            New user
          </a>
        )}
      </div>
      <FlashNotice flash={props.flash} />
      {props.superAdminHint !== null && (
        <Notice kind="warning">
          There are {props.superAdminHint} active super admins. A super admin's access cannot be narrowed: two or three
          are usually enough.
        </Notice>
      )}
      <form method="get" action="/admin/users" class="filters" aria-label="Filter users">
        <div class="field">
          <label for="filter-query">Search name or email</label>
          <input id="filter-query" name="query" type="search" value={filters.query} />
        </div>
        <div class="field">
          <label for="filter-role">Role</label>
          <select id="filter-role" name="role">
            <option value="" selected={filters.role === ""}>
              Any role
            </option>
            {Object.entries(userRoleLabels).map(([role, words]) => (
              <option value={role} selected={filters.role === role}>
                {words}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            <option value="" selected={filters.status === ""}>
              Any status
            </option>
            {Object.entries(userStatusLabels).map(([status, words]) => (
              <option value={status} selected={filters.status === status}>
                {words}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      {props.rows.length === 0 ? (
        <p class="empty">No users match these filters.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col" class="priority-low">
                Slack
              </th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col" class="priority-low">
                Created
              </th>
              <th scope="col">Last login</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td data-label="Name" class="cell-primary">
                  <a href={`/admin/users/${row.id}`}>{row.name}</a>
                </td>
                <td data-label="Email" class="truncate" title={row.email}>
                  {row.email}
                </td>
                <td data-label="Slack" class="priority-low">
                  {row.slackId ?? "—"}
                </td>
                <td data-label="Role">{labelUserRole(row.role)}</td>
                <td data-label="Status">
                  <UserStatusBadge status={row.status} setupLink={row.setupLink} />
                </td>
                <td data-label="Created" class="priority-low">
                  <Time value={row.createdAt} timeZone={props.timeZone} />
                </td>
                <td data-label="Last login">
                  <Time value={row.lastLoginAt} timeZone={props.timeZone} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPageLink href={props.nextPageHref} />
    </>
  );
}
