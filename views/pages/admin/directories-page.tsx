// Admin → Directories (SUPER_ADMIN only): the SCIM directories, the staff one first, with what they hold.
import type { DirectorySummary } from "../../../src/domain/directories/directories-read";
import type { Flash } from "../../../src/http/flash";
import { directoryScopeLabels } from "../../../src/labels";
import { FlashNotice } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { Time } from "../../components/time";

export interface DirectoriesPageProps {
  timeZone: string;
  rows: DirectorySummary[];
  truncated: boolean;
  flash: Flash | undefined;
}

function DirectoryRow({ row, timeZone }: { row: DirectorySummary; timeZone: string }) {
  return (
    <tr>
      <td class="cell-primary" data-label="Directory">
        <a href={`/admin/directories/${row.id}`}>{row.name}</a>
      </td>
      <td data-label="Provisions">{row.tenant ? row.tenant.name : directoryScopeLabels.staff}</td>
      <td data-label="People">
        {row.users.active} active, {row.users.pending} pending, {row.users.deactivated} deactivated
      </td>
      <td data-label="Groups">{row.groups}</td>
      <td data-label="Last request">
        {row.lastRequestAt ? <Time value={row.lastRequestAt} timeZone={timeZone} /> : "never"}
      </td>
    </tr>
  );
}

export function DirectoriesPage(props: DirectoriesPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Directories</h1>
        <div class="actions">
          <a class="button" href="/admin/directories/new">
            New directory
          </a>
        </div>
      </div>
      <FlashNotice flash={props.flash} />
      <p>
        An identity provider (Okta, Microsoft Entra) provisions people into Gatehouse through SCIM: the staff directory
        creates Operators and Contractors, a company's directory creates that company's client users.
      </p>
      {props.rows.length === 0 ? (
        <p class="empty">
          No directories yet. Make one with "New directory" and give its address and token to Okta or Entra.
        </p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Directories</caption>
          <thead>
            <tr>
              <th scope="col">Directory</th>
              <th scope="col">Provisions</th>
              <th scope="col">People</th>
              <th scope="col">Groups</th>
              <th scope="col">Last request</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <DirectoryRow row={row} timeZone={props.timeZone} />
            ))}
          </tbody>
        </table>
      )}
      {props.truncated && <Notice kind="info">Only the first {props.rows.length} directories are listed.</Notice>}
    </>
  );
}
