// The setup link's screens: choose a password (or confirm it, after a two-factor reset), add a
// second factor (setup-factors-page.tsx), and keep the recovery codes.
import type { SetupPurpose } from "../../../src/db/schema";
import { FormErrorSummary, HiddenUsername, TextField } from "../../components/form-fields";

export interface SetupPasswordPageProps {
  email: string;
  purpose: SetupPurpose;
  displayName: string;
  errors: Record<string, string>;
}

export function SetupPasswordPage({ email, purpose, displayName, errors }: SetupPasswordPageProps) {
  if (purpose === "reset_two_factor") {
    return (
      <div class="narrow">
        <h1>Set up your sign-in again</h1>
        <p>
          Your administrator reset how <strong>{email}</strong> confirms it's you after the password. Confirm your
          password, then add a passkey or an authenticator app.
        </p>
        <FormErrorSummary errors={errors} />
        <form method="post" action="/setup" novalidate>
          <input type="hidden" name="step" value="password" />
          <HiddenUsername value={email} />
          <TextField
            name="password"
            label="Current password"
            type="password"
            autocomplete="current-password"
            error={errors.password}
            required
          />
          <div class="form-actions">
            <button type="submit">Continue</button>
          </div>
        </form>
      </div>
    );
  }
  return (
    <div class="narrow">
      <h1>Set up your account</h1>
      <p>
        Step 1 of 2 for <strong>{email}</strong>: choose how your name appears and a password.
      </p>
      <FormErrorSummary errors={errors} />
      <form method="post" action="/setup" novalidate>
        <input type="hidden" name="step" value="password" />
        <HiddenUsername value={email} />
        <TextField
          name="displayName"
          label="Display name"
          value={displayName}
          autocomplete="name"
          error={errors.displayName}
          maxlength={100}
          required
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          hint="At least 12 characters. Any characters, spaces too. A long phrase is easier to remember than a short jumble. Common passwords and passwords containing your email are refused."
          error={errors.password}
          required
        />
        <TextField
          name="passwordConfirmation"
          label="Password again"
          type="password"
          autocomplete="new-password"
          error={errors.passwordConfirmation}
          required
        />
        <div class="form-actions">
          <button type="submit">Continue</button>
        </div>
      </form>
    </div>
  );
}

export function SetupDonePage({ recoveryCodes, continueHref }: { recoveryCodes: string[]; continueHref: string }) {
  return (
    <div class="narrow">
      <h1>You're all set</h1>
      <p class="notice notice-success" role="status">
        Your account is ready and you are signed in.
      </p>
      <h2>Save your recovery codes</h2>
      <p>
        Each code signs you in once if you lose your passkeys or your phone. They are shown <strong>only now</strong>:
        store them in a password manager or print them.
      </p>
      <ol class="recovery-codes mono" id="recovery-codes">
        {recoveryCodes.map((code) => (
          <li>{code}</li>
        ))}
      </ol>
      <div class="button-row">
        <button type="button" class="secondary" data-copy-target="recovery-codes" hidden>
          Copy codes
        </button>
        <a class="button" href={continueHref}>
          I saved them, continue
        </a>
      </div>
    </div>
  );
}
