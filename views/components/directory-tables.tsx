// The tables of one directory's page: its tokens, its groups with the form that maps each (its
// row's id `directory-group-<id>` places the flash and a refusal there), its last errors.
import type {
  DirectoryErrorView,
  DirectoryGroupView,
  DirectoryTokenView,
} from "../../src/domain/directories/directories-read";
import type { Flash } from "../../src/http/flash";
import { directoryGroupRoleLabels, directoryTokenStateLabels } from "../../src/labels";
import { FlashNotice, flashNear } from "./flash-notice";
import { SelectField } from "./form-fields";
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

export function DirectoryTokensTable(props: {
  directoryId: string;
  tokens: DirectoryTokenView[];
  timeZone: string;
  /** The token shown once above (right after it was made): its row says so, as tokens made the same minute look alike. */
  shownTokenId: string | null;
}) {
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
              {token.id === props.shownTokenId && <div class="muted">The token shown above</div>}
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

/** The id of a directory group's row: the flash after its mapping changed shows there. */
export function directoryGroupRowId(groupId: string): string {
  return `directory-group-${groupId}`;
}

/** A mapping form the server refused: its group, what was chosen and why, shown in that row. */
export interface RefusedGroupMapping {
  groupId: string;
  values: { mappedRole: string; accessGroupId: string };
  errors: Record<string, string>;
}

export interface DirectoryGroupsTableProps {
  directoryId: string;
  scope: "staff" | "tenant";
  groups: DirectoryGroupView[];
  accessGroupChoices: Array<{ id: string; name: string }>;
  flash: Flash | undefined;
  refused: RefusedGroupMapping | undefined;
}

/** The roles that fit the directory (setDirectoryGroupMapping refuses the others). */
const roleChoicesByScope: Record<DirectoryGroupsTableProps["scope"], Array<{ value: string; label: string }>> = {
  tenant: [
    { value: "", label: "None (Client viewer)" },
    { value: "CLIENT_ADMIN", label: directoryGroupRoleLabels.CLIENT_ADMIN },
    { value: "CLIENT_VIEWER", label: directoryGroupRoleLabels.CLIENT_VIEWER },
  ],
  staff: [
    { value: "", label: "None (Operator)" },
    { value: "CONTRACTOR", label: directoryGroupRoleLabels.CONTRACTOR },
  ],
};

function GroupMappingForm(props: { group: DirectoryGroupView; table: DirectoryGroupsTableProps }) {
  const { group, table } = props;
  const refused = table.refused?.groupId === group.id ? table.refused : undefined;
  const values = refused?.values ?? { mappedRole: group.mappedRole ?? "", accessGroupId: group.accessGroup?.id ?? "" };
  const errors = refused?.errors ?? {};
  // A company directory's form has no access group field: a refusal about one (a forged post) shows under the form.
  const formError = errors.form ?? (table.scope === "tenant" ? errors.accessGroupId : undefined);
  const idPrefix = `group-${group.id}`;
  return (
    <form
      method="post"
      action={`/admin/directories/${table.directoryId}/groups/${group.id}/mapping`}
      class="row-form"
      novalidate
    >
      <SelectField
        id={`${idPrefix}-role`}
        name="mappedRole"
        label="Role"
        options={roleChoicesByScope[table.scope]}
        value={values.mappedRole}
        error={errors.mappedRole}
      />
      {table.scope === "staff" && (
        <SelectField
          id={`${idPrefix}-access-group`}
          name="accessGroupId"
          label="Access group"
          options={[
            { value: "", label: "None" },
            ...table.accessGroupChoices.map((choice) => ({ value: choice.id, label: choice.name })),
          ]}
          value={values.accessGroupId}
          error={errors.accessGroupId}
        />
      )}
      <button type="submit" class="secondary">
        Save<span class="visually-hidden">{` what “${group.displayName}” grants`}</span>
      </button>
      {formError && <p class="error">{formError}</p>}
    </form>
  );
}

/** A directory's groups, each with the form that sets what it grants (SUPER_ADMIN only, like the page). */
export function DirectoryGroupsTable(props: DirectoryGroupsTableProps) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Groups</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Grants</th>
        </tr>
      </thead>
      <tbody>
        {props.groups.map((group) => (
          <tr id={directoryGroupRowId(group.id)}>
            <td class="cell-primary wrap" data-label="Group">
              {group.displayName}
              {group.accessGroup && (
                <div class="muted">
                  Fills <a href={`/admin/access-groups/${group.accessGroup.id}`}>{group.accessGroup.name}</a>
                </div>
              )}
            </td>
            <td class="cell-form" data-label="Grants">
              <FlashNotice flash={flashNear(props.flash, directoryGroupRowId(group.id))} />
              <GroupMappingForm group={group} table={props} />
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
