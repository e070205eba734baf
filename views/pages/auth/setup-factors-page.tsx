// Setup's second step: a passkey, the authenticator app, or both (docs/PASSKEYS.md). Two parts side
// by side on wide screens (`.factor-choices`), one under the other on phones.
import { FormErrorSummary, Notice, TextField } from "../../components/form-fields";
import { PasskeyForm } from "../../components/passkey-form";
import { TotpQrFigure } from "../../components/totp-qr";

export interface SetupFactorsPageProps {
  email: string;
  qrSvg: string;
  secret: string;
  /** The passkeys added with this setup link so far. */
  passkeys: Array<{ id: string; name: string }>;
  passkeyRequired: boolean;
  /** What was typed as the passkey's name, shown again after a refusal. */
  passkeyName?: string;
  errors: Record<string, string>;
}

export function SetupFactorsPage(props: SetupFactorsPageProps) {
  const { errors } = props;
  return (
    <div>
      <h1>Add a passkey or an authenticator app</h1>
      <p>
        Step 2 of 2 for <strong>{props.email}</strong>: choose how you confirm it's you when you sign in. Add a passkey,
        set up an authenticator app, or both.
      </p>
      {props.passkeyRequired && (
        <Notice kind="info">
          <p>Your role requires a passkey: add at least one. You may set up the authenticator app as well.</p>
        </Notice>
      )}
      <FormErrorSummary errors={errors} />
      <div class="factor-choices">
        <PasskeyPart {...props} />
        <section aria-labelledby="setup-totp-heading">
          <h2 id="setup-totp-heading">Set up your authenticator app</h2>
          <p>
            Scan this QR code with an authenticator app (for example 1Password, Google Authenticator, Microsoft
            Authenticator or Aegis), then enter the six-digit code it shows.
          </p>
          <TotpQrFigure qrSvg={props.qrSvg} secret={props.secret} />
          <form method="post" action="/setup" novalidate>
            <input type="hidden" name="step" value="confirm" />
            <TextField
              name="code"
              label="Six-digit code"
              autocomplete="one-time-code"
              inputmode="numeric"
              maxlength={10}
              error={errors.code}
              required
            />
            <div class="form-actions">
              <button type="submit">Confirm and finish</button>
            </div>
          </form>
        </section>
      </div>
    </div>
  );
}

function PasskeyPart({ passkeys, passkeyName, errors }: SetupFactorsPageProps) {
  const added = passkeys.length > 0;
  return (
    <section aria-labelledby="setup-passkey-heading">
      <h2 id="setup-passkey-heading">Add a passkey</h2>
      <p>
        Sign in with your fingerprint, face or screen lock, or with a security key. A passkey works only on this site,
        so nobody can trick you into giving it away.
      </p>
      {added && (
        <>
          <p>Passkeys added so far:</p>
          <ul id="setup-passkeys">
            {passkeys.map((passkey) => (
              <li>{passkey.name}</li>
            ))}
          </ul>
        </>
      )}
      <PasskeyForm
        id="setup-passkey"
        mode="register"
        action="/setup/passkey"
        optionsAction="/setup/passkey/options"
        label="Add a passkey"
        secondary={added}
      >
        <TextField
          name="name"
          label="Name this passkey"
          hint="For example Work laptop or YubiKey."
          value={passkeyName ?? ""}
          maxlength={60}
          error={errors.name}
          required
        />
      </PasskeyForm>
      {added && (
        <form method="post" action="/setup" id="setup-finish">
          <input type="hidden" name="step" value="finish" />
          <div class="form-actions">
            <button type="submit">Finish setup</button>
          </div>
        </form>
      )}
    </section>
  );
}
