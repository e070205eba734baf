// One SCIM directory (SUPER_ADMIN only): its address, its token shown once after creation or a
// rotation (from the sealed flash; a reload says it was shown once), its counts, tokens, groups
// with their mapping, and the last refusals its requests met.
import type { DirectoryPage as DirectoryPageData } from "../../../src/domain/directories/directories-read";
import type { Flash } from "../../../src/http/flash";
import { directoryScopeLabels } from "../../../src/labels";
import { CopyField } from "../../components/copy-field";
import {
  DirectoryErrorsTable,
  DirectoryGroupsTable,
  DirectoryTokensTable,
  directoryGroupRowId,
  type RefusedGroupMapping,
} from "../../components/directory-tables";
import { FlashNotice, flashAtTop } from "../../components/flash-notice";
import { FormErrorSummary, Notice, TextField } from "../../components/form-fields";
import { Time } from "../../components/time";

export interface DirectoryPageProps {
  timeZone: string;
  page: DirectoryPageData;
  /** The token made by the form before this page, on its first view only. */
  newToken: string | null;
  /** A reload of the page a token was shown on: say it was shown once. */
  tokenWasShown: boolean;
  /** The id of the token shown once on this view (the `token` query), else null. */
  shownTokenId: string | null;
  flash: Flash | undefined;
  rename: { value: string; errors: Record<string, string> };
  /** A group's mapping form the server refused: shown again in that group's row. */
  mappingRefusal?: RefusedGroupMapping | undefined;
}

function TokenShownOnce(props: { newToken: string | null; tokenWasShown: boolean }) {
  if (props.newToken) {
    return (
      <>
        <CopyField id="directory-token" label="Bearer token (shown only now)" value={props.newToken} />
        <p>Copy it into the identity provider now: Gatehouse keeps only its SHA-256 and cannot show it again.</p>
      </>
    );
  }
  if (!props.tokenWasShown) return null;
  return (
    <Notice kind="info">
      The token was shown once, when it was made. If it was not copied, replace it with "Replace the token" below.
    </Notice>
  );
}

function DirectoryFacts({ page, timeZone }: { page: DirectoryPageData; timeZone: string }) {
  const { directory } = page;
  return (
    <dl class="details">
      <dt>Provisions</dt>
      <dd>
        {directory.tenant ? (
          <a href={`/admin/tenants/${directory.tenant.slug}`}>{directory.tenant.name}</a>
        ) : (
          "The staff: Operators and Contractors (never a Super admin)"
        )}
      </dd>
      <dt>People</dt>
      <dd>
        {directory.users.active} active, {directory.users.pending} pending, {directory.users.deactivated} deactivated
      </dd>
      <dt>Groups</dt>
      <dd>{directory.groups}</dd>
      <dt>Last request</dt>
      <dd>{directory.lastRequestAt ? <Time value={directory.lastRequestAt} timeZone={timeZone} /> : "never"}</dd>
      <dt>Last change</dt>
      <dd>{directory.lastChangeAt ? <Time value={directory.lastChangeAt} timeZone={timeZone} /> : "never"}</dd>
      <dt>Created</dt>
      <dd>
        <Time value={directory.createdAt} timeZone={timeZone} />
      </dd>
    </dl>
  );
}

export function DirectoryPage(props: DirectoryPageProps) {
  const { page } = props;
  const base = `/admin/directories/${page.directory.id}`;
  return (
    <>
      <div class="page-heading">
        <h1>
          {page.directory.name} <span class="badge badge-info">{directoryScopeLabels[page.directory.scope]}</span>
        </h1>
      </div>
      <FlashNotice
        flash={flashAtTop(
          props.flash,
          page.groups.map((group) => directoryGroupRowId(group.id)),
        )}
      />
      <section aria-labelledby="connection-heading">
        <h2 id="connection-heading">Connection</h2>
        <CopyField id="scim-base-url" label="SCIM base URL" value={page.scimBaseUrl} />
        <TokenShownOnce newToken={props.newToken} tokenWasShown={props.tokenWasShown} />
        <DirectoryFacts page={page} timeZone={props.timeZone} />
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens</h2>
        <p>
          Replacing the token shows a new one once; the older tokens keep working for 24 hours, so the identity provider
          can be switched over without failed requests. Revoke a token to stop it at once.
        </p>
        <form method="post" action={`${base}/tokens`} class="inline">
          <button type="submit" class="secondary">
            Replace the token
          </button>
        </form>
        <DirectoryTokensTable
          directoryId={page.directory.id}
          tokens={page.tokens}
          timeZone={props.timeZone}
          shownTokenId={props.shownTokenId}
        />
      </section>
      <section aria-labelledby="groups-heading">
        <h2 id="groups-heading">Groups</h2>
        {page.groups.length === 0 ? (
          <p class="empty">No groups yet: they appear when the identity provider pushes them.</p>
        ) : (
          <>
            <p>
              {page.directory.scope === "tenant"
                ? "Members of a group mapped to Client admin are Client admins of the company; everyone else the directory provisions is a Client viewer."
                : "Members of a group mapped to Contractor are Contractors, everyone else an Operator (a Super admin is never changed). A group linked to an access group keeps that access group's members equal to its own."}
            </p>
            <DirectoryGroupsTable
              directoryId={page.directory.id}
              scope={page.directory.scope}
              groups={page.groups}
              accessGroupChoices={page.accessGroupChoices}
              flash={props.flash}
              refused={props.mappingRefusal}
            />
          </>
        )}
        {page.groupsTruncated && <Notice kind="info">The newest {page.groups.length} groups are shown.</Notice>}
      </section>
      <section aria-labelledby="errors-heading">
        <h2 id="errors-heading">Last errors</h2>
        {page.errors.length === 0 ? (
          <p class="empty">
            No refused requests. The newest 20 appear here, with the reason the identity provider was given.
          </p>
        ) : (
          <DirectoryErrorsTable errors={page.errors} timeZone={props.timeZone} />
        )}
      </section>
      <section aria-labelledby="rename-heading" class="narrow">
        <h2 id="rename-heading">Rename</h2>
        <FormErrorSummary errors={props.rename.errors} />
        <form method="post" action={`${base}/name`} novalidate>
          <TextField
            name="name"
            label="Name"
            value={props.rename.value}
            error={props.rename.errors.name}
            maxlength={100}
            required
          />
          <div class="form-actions">
            <button type="submit" class="secondary">
              Rename
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
