import { FormErrorSummary, TextField } from "../../components/form-fields";
import { PasskeyForm } from "../../components/passkey-form";

export interface LoginPageProps {
  email: string;
  next: string;
  error?: string;
  notice?: string;
}

/** "or" between two ways in; hidden with the passkey form beside it when the browser cannot do WebAuthn. */
function OrSeparator() {
  return <p class="or-separator">or</p>;
}

export function LoginPage({ email, next, error, notice }: LoginPageProps) {
  return (
    <div class="narrow">
      <h1>Sign in</h1>
      {notice && <p class="notice notice-info">{notice}</p>}
      {error && <FormErrorSummary errors={{ form: error }} />}
      <form method="post" action="/login" novalidate>
        <input type="hidden" name="next" value={next} />
        <TextField name="email" label="Email" type="email" value={email} autocomplete="username" required />
        <TextField name="password" label="Password" type="password" autocomplete="current-password" required />
        <div class="form-actions">
          <button type="submit">Continue</button>
        </div>
      </form>
      <OrSeparator />
      <PasskeyForm
        id="passkey-sign-in"
        mode="authenticate"
        action="/login/passkey"
        optionsAction="/login/passkey/options"
        label="Sign in with a passkey"
        fields={{ next }}
        secondary
      />
      <p class="muted">Gatehouse is invite-only. If you have no account, ask your administrator for an invitation.</p>
    </div>
  );
}

export interface VerifyPageProps {
  next: string;
  error?: string;
  /** What the step accepts besides a recovery code (domain/sign-in/sign-in-attempts.ts secondStepChoicesOf). */
  choices: { passkey: boolean; totp: boolean; totpWithdrawn: boolean };
}

function CodeField({ totp }: { totp: boolean }) {
  if (totp) {
    return (
      <TextField
        name="code"
        label="Code from your authenticator app"
        hint="Six digits. Lost your phone? Enter one of your recovery codes instead."
        autocomplete="one-time-code"
        inputmode="text"
        maxlength={20}
        required
      />
    );
  }
  return (
    <TextField
      name="code"
      label="Recovery code"
      hint="No passkey at hand? Enter one of the recovery codes you saved when you set up your account."
      autocomplete="off"
      inputmode="text"
      maxlength={20}
      required
    />
  );
}

export function VerifyPage({ next, error, choices }: VerifyPageProps) {
  return (
    <div class="narrow">
      <h1>Two-factor authentication</h1>
      {error && <FormErrorSummary errors={{ code: error }} />}
      {choices.totpWithdrawn && !error && (
        <p class="notice notice-info">
          Your role requires a passkey: the authenticator app no longer signs you in. Use your passkey, or a recovery
          code if you have lost it.
        </p>
      )}
      {choices.passkey && (
        <>
          <PasskeyForm
            id="passkey-second-factor"
            mode="authenticate"
            action="/login/verify/passkey"
            optionsAction="/login/verify/passkey/options"
            label="Use a passkey"
            fields={{ next }}
          />
          <OrSeparator />
        </>
      )}
      <form method="post" action="/login/verify" novalidate>
        <input type="hidden" name="next" value={next} />
        <CodeField totp={choices.totp} />
        <div class="form-actions">
          <button type="submit" class={choices.passkey ? "secondary" : undefined}>
            Sign in
          </button>
        </div>
      </form>
      <p class="muted">
        <a href="/login">Start again</a>
      </p>
    </div>
  );
}
