// /account: every signed-in user's own settings.

import type { Flash } from "../../src/http/flash";
import { type SignInFactorsProps, SignInFactorsSection } from "../components/account-factors";
import { type ApiTokenRow, ApiTokensTable, type SessionRow, SessionsTable } from "../components/account-tables";
import { CopyField } from "../components/copy-field";
import { FlashNotice } from "../components/flash-notice";
import { FormErrorSummary, HiddenUsername, Notice, SelectField, TextField } from "../components/form-fields";

export interface AccountPageProps {
  /** The signed-in user's email, for password managers. */
  email: string;
  timeZone: string;
  timeZones: string[];
  profile: { values: Record<string, string>; errors: Record<string, string> };
  password: { errors: Record<string, string> };
  tokens: {
    values: Record<string, string>;
    errors: Record<string, string>;
    created?: { name: string; secret: string };
  };
  sessions: SessionRow[];
  apiTokens: ApiTokenRow[];
  recoveryCodesLeft: number;
  factors: Omit<SignInFactorsProps, "timeZone">;
  flash?: Flash | undefined;
}

export function AccountPage(props: AccountPageProps) {
  const { timeZone } = props;
  return (
    <>
      <div class="page-heading">
        <h1>Your account</h1>
      </div>
      <FlashNotice flash={props.flash} />
      <section aria-labelledby="profile-heading" class="narrow">
        <h2 id="profile-heading">Profile</h2>
        <FormErrorSummary errors={props.profile.errors} />
        <form method="post" action="/account/profile" novalidate>
          <TextField
            name="displayName"
            label="Display name"
            value={props.profile.values.displayName}
            error={props.profile.errors.displayName}
            maxlength={100}
            required
          />
          <SelectField
            name="timeZone"
            label="Time zone"
            value={props.profile.values.timeZone}
            error={props.profile.errors.timeZone}
            hint="Times on every page are shown in this zone; the UTC value is in each time's tooltip."
            options={props.timeZones.map((zone) => ({ value: zone, label: zone }))}
          />
          <div class="form-actions">
            <button type="submit">Save profile</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <SessionsTable sessions={props.sessions} timeZone={timeZone} />
        {props.sessions.length > 1 && (
          <form method="post" action="/account/sessions/end-others" class="button-row">
            <button type="submit" class="secondary">
              End all other sessions
            </button>
          </form>
        )}
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Personal API tokens</h2>
        <p>
          A token acts as you on /api/v1 (send it as <code>Authorization: Bearer …</code>) with your current rights.
        </p>
        {props.tokens.created && (
          <Notice kind="success">
            <p>Token "{props.tokens.created.name}" created. Copy it now: it is shown only once.</p>
            <CopyField id="new-api-token" label="API token" value={props.tokens.created.secret} />
          </Notice>
        )}
        <ApiTokensTable tokens={props.apiTokens} timeZone={timeZone} />
        <FormErrorSummary errors={props.tokens.errors} />
        <form method="post" action="/account/tokens" novalidate class="narrow">
          <TextField
            name="name"
            label="Token name"
            value={props.tokens.values.name}
            error={props.tokens.errors.name}
            maxlength={100}
            required
          />
          <TextField
            name="expiresAt"
            label={`Expires (optional, ${timeZone})`}
            type="datetime-local"
            value={props.tokens.values.expiresAt}
            error={props.tokens.errors.expiresAt}
          />
          <div class="form-actions">
            <button type="submit">Create token</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="password-heading" class="narrow">
        <h2 id="password-heading">Password</h2>
        <FormErrorSummary errors={props.password.errors} />
        <form method="post" action="/account/password" novalidate>
          <HiddenUsername value={props.email} />
          <TextField
            name="currentPassword"
            label="Current password"
            type="password"
            autocomplete="current-password"
            error={props.password.errors.currentPassword}
            required
          />
          <TextField
            name="newPassword"
            label="New password"
            type="password"
            autocomplete="new-password"
            hint="At least 12 characters."
            error={props.password.errors.newPassword}
            required
          />
          <TextField
            name="newPasswordConfirmation"
            label="New password again"
            type="password"
            autocomplete="new-password"
            error={props.password.errors.newPasswordConfirmation}
            required
          />
          <div class="form-actions">
            <button type="submit">Change password</button>
          </div>
        </form>
        <p class="muted">Changing your password signs you out everywhere else.</p>
      </section>
      <SignInFactorsSection {...props.factors} timeZone={timeZone} />
      <section aria-labelledby="recovery-heading">
        <h2 id="recovery-heading">Recovery codes</h2>
        <p>
          You have <strong>{props.recoveryCodesLeft}</strong> unused recovery code
          {props.recoveryCodesLeft === 1 ? "" : "s"} left.
        </p>
        <div class="button-row">
          <a class="button secondary" href="/account/recovery-codes">
            Make new recovery codes
          </a>
        </div>
      </section>
    </>
  );
}
