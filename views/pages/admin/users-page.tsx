import type { GlobalRole } from "../../../src/db/schema";
import type { SetupLinkState, UserStatus } from "../../../src/domain/users/users";
import { Notice } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
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
  notice?: string;
}

export function StatusBadge({
  status,
  setupLink,
}: {
  status: UserListRow["status"];
  setupLink: UserListRow["setupLink"];
}) {
  if (status !== "PENDING")
    return <span class={`badge badge-${status.toLowerCase()}`}>{status === "ACTIVE" ? "Active" : "Deactivated"}</span>;
  return (
    <span class="badge badge-pending">{setupLink === "valid" ? "Pending · link valid" : "Pending · link expired"}</span>
  );
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
      {props.notice && <Notice kind="success">{props.notice}</Notice>}
      {props.superAdminHint !== null && (
        <Notice kind="warning">
          There are {props.superAdminHint} active SUPER_ADMINs. SUPER_ADMIN cannot be scoped: two or three are usually
          enough.
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
            {["", "SUPER_ADMIN", "OPERATOR", "CONTRACTOR", "CLIENT_USER"].map((role) => (
              <option value={role} selected={filters.role === role}>
                {role || "Any role"}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            {["", "PENDING", "ACTIVE", "DEACTIVATED"].map((status) => (
              <option value={status} selected={filters.status === status}>
                {status ? status[0] + status.slice(1).toLowerCase() : "Any status"}
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
        <table>
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Slack</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Last login</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td>
                  <a href={`/admin/users/${row.id}`}>{row.name}</a>
                </td>
                <td>{row.email}</td>
                <td>{row.slackId ?? "—"}</td>
                <td>{row.role}</td>
                <td>
                  <StatusBadge status={row.status} setupLink={row.setupLink} />
                </td>
                <td>
                  <Time value={row.createdAt} timeZone={props.timeZone} />
                </td>
                <td>
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
