// The pages of one sign-in factor on /account: a passkey (rename, remove) and adding an
// authenticator app from its QR code.
import { FormErrorSummary, Notice, TextField } from "../components/form-fields";
import { Time } from "../components/time";
import { TotpQrFigure } from "../components/totp-qr";

export interface PasskeyPageProps {
  passkey: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null };
  timeZone: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  /** Why this passkey cannot be removed (the last second factor, or the last passkey the policy requires), or null. */
  removalRefused: string | null;
}

export function PasskeyPage(props: PasskeyPageProps) {
  const base = `/account/passkeys/${encodeURIComponent(props.passkey.id)}`;
  return (
    <div class="narrow">
      <p>
        <a href="/account#factors-heading">Back to your account</a>
      </p>
      <h1>Passkey "{props.passkey.name}"</h1>
      <p>
        Added <Time value={props.passkey.createdAt} timeZone={props.timeZone} />;{" "}
        {props.passkey.lastUsedAt ? (
          <>
            last used <Time value={props.passkey.lastUsedAt} timeZone={props.timeZone} />.
          </>
        ) : (
          "never used yet."
        )}
      </p>
      <h2>Rename</h2>
      <FormErrorSummary errors={props.errors} />
      <form method="post" action={`${base}/name`} novalidate>
        <TextField
          name="name"
          label="Name"
          value={props.values.name ?? props.passkey.name}
          error={props.errors.name}
          maxlength={60}
          required
        />
        <div class="form-actions">
          <button type="submit">Save name</button>
        </div>
      </form>
      <section class="danger-zone" aria-labelledby="remove-heading">
        <h2 id="remove-heading">Remove</h2>
        {props.removalRefused ? (
          <p>{props.removalRefused}</p>
        ) : (
          <form method="get" action={`${base}/remove`}>
            <p>The passkey stops working here at once. Remove it from the device or password manager as well.</p>
            <button type="submit" class="danger">
              Remove passkey
            </button>
          </form>
        )}
      </section>
    </div>
  );
}

export interface AuthenticatorAppPageProps {
  qrSvg: string;
  secret: string;
  errors: Record<string, string>;
}

export function AuthenticatorAppPage(props: AuthenticatorAppPageProps) {
  return (
    <div class="narrow">
      <h1>Add an authenticator app</h1>
      <p>
        Scan this QR code with your authenticator app (for example 1Password, Google Authenticator or Authy), then enter
        the six-digit code it shows for Gatehouse. After your password, its codes then confirm it's you.
      </p>
      <TotpQrFigure qrSvg={props.qrSvg} secret={props.secret} />
      <FormErrorSummary errors={props.errors} />
      <form method="post" action="/account/authenticator-app" novalidate>
        <TextField
          name="code"
          label="Six-digit code"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxlength={10}
          error={props.errors.code}
          required
        />
        <div class="form-actions">
          <button type="submit">Confirm and save</button>
          <a class="button secondary" href="/account">
            Cancel
          </a>
        </div>
      </form>
    </div>
  );
}

/** Removing a factor was refused: why, and the way back. */
export function FactorRefusedPage(props: { title: string; message: string }) {
  return (
    <div class="narrow">
      <h1>{props.title}</h1>
      <Notice kind="warning">
        <p>{props.message}</p>
      </Notice>
      <a class="button secondary" href="/account#factors-heading">
        Back to your account
      </a>
    </div>
  );
}
