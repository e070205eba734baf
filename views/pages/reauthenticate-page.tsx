// Password + a TOTP code, inside a session: the step-up before sensitive admin actions, and the
// check before new recovery codes are made.
import { FormErrorSummary, HiddenUsername, TextField } from "../components/form-fields";

export interface ReauthenticatePageProps {
  /** The signed-in user's email, for password managers. */
  email: string;
  title: string;
  explanation: string;
  action: string;
  next?: string;
  submitLabel: string;
  errors: Record<string, string>;
}

export function ReauthenticatePage(props: ReauthenticatePageProps) {
  return (
    <div class="narrow">
      <h1>{props.title}</h1>
      <p>{props.explanation}</p>
      <FormErrorSummary errors={props.errors} />
      <form method="post" action={props.action} novalidate>
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <HiddenUsername value={props.email} />
        <TextField
          name="password"
          label="Your password"
          type="password"
          autocomplete="current-password"
          error={props.errors.password}
          required
        />
        <TextField
          name="code"
          label="Code from your authenticator app"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxlength={10}
          error={props.errors.code}
          required
        />
        <div class="form-actions">
          <button type="submit">{props.submitLabel}</button>
        </div>
      </form>
    </div>
  );
}

/** The new codes, once: `codes` is null when the page is opened again (a reload), which shows none. */
export function RecoveryCodesPage(props: { codes: string[] | null }) {
  if (!props.codes) {
    return (
      <div class="narrow">
        <h1>New recovery codes</h1>
        <p>
          Your new recovery codes were shown once and are not shown again. If you did not save them, make new ones: the
          ones shown before stop working.
        </p>
        <div class="button-row">
          <a class="button" href="/account/recovery-codes">
            Make new recovery codes
          </a>
          <a class="button secondary" href="/account">
            Back to my account
          </a>
        </div>
      </div>
    );
  }
  return (
    <div class="narrow">
      <h1>New recovery codes</h1>
      <p>Your old codes no longer work. Each of these signs you in once; they are shown only now.</p>
      <ol class="recovery-codes mono" id="recovery-codes">
        {props.codes.map((code) => (
          <li>{code}</li>
        ))}
      </ol>
      <div class="button-row">
        <button type="button" class="secondary" data-copy-target="recovery-codes" hidden>
          Copy codes
        </button>
        <a class="button" href="/account">
          I saved them, back to my account
        </a>
      </div>
    </div>
  );
}
