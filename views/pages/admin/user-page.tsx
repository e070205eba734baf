// A user's Details tab: the facts, the edit form (names, Slack ID, global role) and, while the
// user is pending, the setup link actions.
import type { Child } from "hono/jsx";
import type { GlobalRole } from "../../../src/db/schema";
import type { SetupLinkState, UserStatus } from "../../../src/domain/users/users";
import { FormErrorSummary, Notice, PersonNameFields, SelectField, TextField } from "../../components/form-fields";
import { Time } from "../../components/time";
import { UserHeader, type UserTab } from "../../components/user-header";

export interface UserPageSubject {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  role: GlobalRole;
  slackId: string | null;
  status: UserStatus;
  setupLink: SetupLinkState;
  setupLinkExpiresAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  deactivatedAt: Date | null;
}

export interface UserPageProps {
  timeZone: string;
  subject: UserPageSubject;
  tabs: UserTab[];
  canEdit: boolean;
  roleOptions: string[];
  values: Record<string, string>;
  errors: Record<string, string>;
  inviteDelivery?: Child;
  auditHref: string | null;
  notice?: string | undefined;
}

export function UserPage(props: UserPageProps) {
  const { subject, values, errors, timeZone } = props;
  return (
    <>
      <UserHeader subject={subject} current="details" tabs={props.tabs} />
      {props.notice && <Notice kind="success">{props.notice}</Notice>}
      <dl class="details">
        <dt>Display name</dt>
        <dd>{subject.displayName}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={subject.createdAt} timeZone={timeZone} />
        </dd>
        <dt>Last login</dt>
        <dd>
          <Time value={subject.lastLoginAt} timeZone={timeZone} />
        </dd>
        {subject.deactivatedAt && (
          <>
            <dt>Deactivated</dt>
            <dd>
              <Time value={subject.deactivatedAt} timeZone={timeZone} />
            </dd>
          </>
        )}
        {subject.status === "PENDING" && (
          <>
            <dt>Setup link</dt>
            <dd>
              {subject.setupLink === "valid" ? "valid until " : "expired "}
              <Time value={subject.setupLinkExpiresAt} timeZone={timeZone} />
            </dd>
          </>
        )}
        <dt>Setup email</dt>
        <dd>{props.inviteDelivery ?? "—"}</dd>
      </dl>
      {props.auditHref && (
        <p>
          <a href={props.auditHref}>History of this user in the audit log</a>
        </p>
      )}
      {subject.status === "PENDING" && props.canEdit && (
        <section aria-labelledby="setup-link-heading">
          <h2 id="setup-link-heading">Setup link</h2>
          <p>
            A new link replaces the current one at once; the old link stops working. The invite email is sent again.
          </p>
          <form method="post" action={`/admin/users/${subject.id}/setup-link`} class="inline">
            <button type="submit" name="intent" value="regenerate">
              Regenerate setup link
            </button>{" "}
            <button type="submit" name="intent" value="resend" class="secondary">
              Resend invite
            </button>
          </form>
        </section>
      )}
      {props.canEdit && (
        <section aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit details</h2>
          <FormErrorSummary errors={errors} />
          <form method="post" action={`/admin/users/${subject.id}`} novalidate>
            <PersonNameFields values={values} errors={errors} />
            <TextField
              name="displayName"
              label="Display name"
              value={values.displayName}
              error={errors.displayName}
              maxlength={100}
              required
            />
            <TextField
              name="slackId"
              label="Slack ID"
              value={values.slackId}
              error={errors.slackId}
              hint="For example U012AB3CD; leave empty for none."
            />
            <SelectField
              name="role"
              label="Global role"
              value={values.role}
              error={errors.role}
              hint="Role changes apply on the user's next request."
              options={props.roleOptions.map((role) => ({ value: role, label: role }))}
            />
            <button type="submit">Save changes</button>
          </form>
        </section>
      )}
    </>
  );
}
