// /account's "Sign-in factors": the person's passkeys, their authenticator app, and the form that
// adds a passkey (docs/PASSKEYS.md). Changing a factor needs a recent sign-in: without one the page
// offers the step-up first instead of forms that would be refused.
import { FormErrorSummary, TextField } from "./form-fields";
import { PasskeyForm } from "./passkey-form";
import { Time } from "./time";

export interface PasskeyListRow {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface SignInFactorsProps {
  passkeys: PasskeyListRow[];
  hasTotp: boolean;
  recentSignIn: boolean;
  timeZone: string;
  addPasskey: { values: Record<string, string>; errors: Record<string, string> };
}

function PasskeysTable({ passkeys, timeZone }: { passkeys: PasskeyListRow[]; timeZone: string }) {
  if (passkeys.length === 0) return <p class="empty">No passkeys yet.</p>;
  return (
    <table class="data-table" id="passkeys">
      <thead>
        <tr>
          <th scope="col">Passkey</th>
          <th scope="col">Added</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {passkeys.map((passkey) => (
          <tr>
            <td class="cell-primary" data-label="Passkey" id={`passkey-name-${passkey.id}`}>
              {passkey.name}
            </td>
            <td data-label="Added">
              <Time value={passkey.createdAt} timeZone={timeZone} />
            </td>
            <td data-label="Last used">
              {passkey.lastUsedAt ? <Time value={passkey.lastUsedAt} timeZone={timeZone} /> : "Never"}
            </td>
            <td>
              {/* The link is named "Edit" alone; the passkey's name describes it (the row says which). */}
              <a
                href={`/account/passkeys/${encodeURIComponent(passkey.id)}`}
                aria-describedby={`passkey-name-${passkey.id}`}
              >
                Edit
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SignInFactorsSection(props: SignInFactorsProps) {
  const confirmFirst = `/account/confirm?next=${encodeURIComponent("/account#factors-heading")}`;
  return (
    <section aria-labelledby="factors-heading" class="account-factors">
      <h2 id="factors-heading">Sign-in factors</h2>
      <p>
        After your password, a passkey or a code from your authenticator app confirms it's you. A passkey can also sign
        you in on its own.
      </p>
      <h3>Passkeys</h3>
      <PasskeysTable passkeys={props.passkeys} timeZone={props.timeZone} />
      {!props.recentSignIn && (
        <p>
          Adding, renaming or removing a sign-in factor needs a recent sign-in.{" "}
          <a href={confirmFirst}>Confirm it's you</a> first.
        </p>
      )}
      {/* Shown with or without a recent sign-in: a refused name must come back marked on this form. */}
      <FormErrorSummary errors={props.addPasskey.errors} />
      <PasskeyForm
        id="add-passkey"
        mode="register"
        action="/account/passkeys"
        optionsAction="/account/passkeys/options"
        label="Add a passkey"
      >
        <TextField
          id="passkey-name"
          name="name"
          label="Name this passkey"
          hint="For example Work laptop or YubiKey."
          value={props.addPasskey.values.name}
          error={props.addPasskey.errors.name}
          maxlength={60}
          required
        />
      </PasskeyForm>
      <h3>Authenticator app</h3>
      {props.hasTotp ? (
        <div class="factor-row">
          <p>
            <strong>Authenticator app</strong>: set up, it gives you a new code every 30 seconds.
          </p>
          <a class="button secondary small" href="/account/authenticator-app/remove">
            Remove the authenticator app
          </a>
        </div>
      ) : (
        <p>
          <strong>Authenticator app</strong>: none. <a href="/account/authenticator-app">Add an authenticator app</a>
        </p>
      )}
    </section>
  );
}
