// A user's Details tab: the facts, the edit form (names, Slack ID, global role), while the user is
// pending "Send a new setup link", and the danger zone to deactivate or reactivate them.
import type { Child } from "hono/jsx";
import type { GlobalRole } from "../../../src/db/schema";
import type { SetupLinkState, UserStatus } from "../../../src/domain/users/users";
import type { Flash } from "../../../src/http/flash";
import { labelUserRole } from "../../../src/labels";
import { NameFieldsUnlessOwned } from "../../components/directory-owned";
import { FlashNotice, flashAtTop, flashNear } from "../../components/flash-notice";
import { FormErrorSummary, SelectField, TextField } from "../../components/form-fields";
import { Time } from "../../components/time";
import { UserHeader, type UserTab } from "../../components/user-header";
import { UserStatusSection, userStatusSectionId } from "./user-security-page";

/** The ids of the Details tab's sections: a flash about one shows there. */
export const userPageSections = { setupLink: "setup-link", edit: "edit-details" } as const;

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
  /** May deactivate or reactivate this user (users:delete, not themselves). */
  canDeactivate: boolean;
  roleOptions: GlobalRole[];
  values: Record<string, string>;
  errors: Record<string, string>;
  inviteDelivery?: Child;
  auditHref: string | null;
  /** The directory that holds the user: its fields are not offered for editing, Deactivate is not shown. */
  managedBy: string | null;
  flash?: Flash | undefined;
}

export function UserPage(props: UserPageProps) {
  const { subject, values, errors, timeZone, flash } = props;
  const showsSetupLink = subject.status === "PENDING" && props.canEdit;
  const placed = [
    ...(showsSetupLink ? [userPageSections.setupLink] : []),
    ...(props.canEdit ? [userPageSections.edit] : []),
    ...(props.canDeactivate ? [userStatusSectionId] : []),
  ];
  return (
    <>
      <UserHeader subject={subject} current="details" tabs={props.tabs} managedBy={props.managedBy} />
      <FlashNotice flash={flashAtTop(flash, placed)} />
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
      {showsSetupLink && (
        <section id={userPageSections.setupLink} aria-labelledby="setup-link-heading">
          <h2 id="setup-link-heading">Setup link</h2>
          <FlashNotice flash={flashNear(flash, userPageSections.setupLink)} />
          <p>
            A new link replaces the current one at once; the old link stops working. The invite email is sent again with
            the new link, and you see it once to pass on yourself.
          </p>
          <form method="post" action={`/admin/users/${subject.id}/setup-link`} class="inline">
            <button type="submit">Send a new setup link</button>
          </form>
        </section>
      )}
      {props.canEdit && (
        <section id={userPageSections.edit} aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit details</h2>
          <FlashNotice flash={flashNear(flash, userPageSections.edit)} />
          <FormErrorSummary errors={errors} />
          <form method="post" action={`/admin/users/${subject.id}`} novalidate>
            <NameFieldsUnlessOwned managedBy={props.managedBy} values={values} errors={errors} />
            <TextField
              name="slackId"
              label="Slack ID"
              value={values.slackId}
              error={errors.slackId}
              hint="For example U012AB3CD; leave empty for none."
            />
            {!props.managedBy && (
              <SelectField
                name="role"
                label="Global role"
                value={values.role}
                error={errors.role}
                hint="Role changes apply on the user's next request."
                options={props.roleOptions.map((role) => ({ value: role, label: labelUserRole(role) }))}
              />
            )}
            <button type="submit">Save changes</button>
          </form>
        </section>
      )}
      {props.canDeactivate && <UserStatusSection subject={subject} flash={flash} />}
    </>
  );
}
