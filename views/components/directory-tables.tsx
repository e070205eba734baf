// The tables of one directory's page: its tokens, its groups with their mapping, its last errors.
import type {
  DirectoryErrorView,
  DirectoryGroupView,
  DirectoryTokenView,
} from "../../src/domain/directories/directories-read";
import { directoryGroupRoleLabels, directoryTokenStateLabels } from "../../src/labels";
import { Time } from "./time";

const tokenStateTone: Record<DirectoryTokenView["state"], string> = {
  current: "badge-success",
  overlapping: "badge-warning",
  revoked: "badge-neutral",
  expired: "badge-neutral",
};

function TokenState({ token, timeZone }: { token: DirectoryTokenView; timeZone: string }) {
  return (
    <>
      <span class={`badge ${tokenStateTone[token.state]}`}>{directoryTokenStateLabels[token.state]}</span>
      {token.state === "overlapping" && (
        <div class="muted">
          until <Time value={token.expiresAt} timeZone={timeZone} />
        </div>
      )}
      {token.state === "revoked" && (
        <div class="muted">
          <Time value={token.revokedAt} timeZone={timeZone} />
        </div>
      )}
    </>
  );
}

export function DirectoryTokensTable(props: { directoryId: string; tokens: DirectoryTokenView[]; timeZone: string }) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Tokens</caption>
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">State</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.tokens.map((token) => (
          <tr id={`token-${token.id}`}>
            <td class="cell-primary" data-label="Created">
              <Time value={token.createdAt} timeZone={props.timeZone} />
            </td>
            <td data-label="State">
              <TokenState token={token} timeZone={props.timeZone} />
            </td>
            <td data-label="Last used">
              {token.lastUsedAt ? <Time value={token.lastUsedAt} timeZone={props.timeZone} /> : "never"}
            </td>
            <td class="cell-actions" data-label="Actions">
              {(token.state === "current" || token.state === "overlapping") && (
                <form
                  method="post"
                  action={`/admin/directories/${props.directoryId}/tokens/${token.id}/revoke`}
                  class="inline"
                >
                  <button type="submit" class="danger small">
                    Revoke
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DirectoryGroupsTable({ groups }: { groups: DirectoryGroupView[] }) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Groups</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Grants</th>
          <th scope="col">Fills access group</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((group) => (
          <tr>
            <td class="cell-primary wrap" data-label="Group">
              {group.displayName}
            </td>
            <td data-label="Grants">{group.mappedRole ? directoryGroupRoleLabels[group.mappedRole] : "—"}</td>
            <td data-label="Fills access group">
              {group.accessGroup ? (
                <a href={`/admin/access-groups/${group.accessGroup.id}`}>{group.accessGroup.name}</a>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DirectoryErrorsTable({ errors, timeZone }: { errors: DirectoryErrorView[]; timeZone: string }) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Last errors</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Request</th>
          <th scope="col">Status</th>
          <th scope="col">SCIM type</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((error) => (
          <tr>
            <td class="cell-primary" data-label="Time">
              <Time value={error.at} timeZone={timeZone} />
            </td>
            <td class="wrap" data-label="Request">
              <code>{error.method}</code> <code class="wrap">{error.path}</code>
            </td>
            <td data-label="Status">{error.status}</td>
            <td data-label="SCIM type">{error.scimType ?? "—"}</td>
            <td class="wrap" data-label="Detail">
              {error.detail}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
