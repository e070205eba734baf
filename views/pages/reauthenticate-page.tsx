// Proving it's you again inside a session: password + a TOTP code, or a passkey with user
// verification. The step-up before sensitive actions, and the check before new recovery codes.
import { FormErrorSummary, HiddenUsername, TextField } from "../components/form-fields";
import { PasskeyForm } from "../components/passkey-form";

export interface ReauthenticatePageProps {
  /** The signed-in user's email, for password managers. */
  email: string;
  title: string;
  explanation: string;
  action: string;
  /** Where the passkey's assertion goes; its options come from /reauthenticate/passkey/options. */
  passkeyAction: string;
  next?: string;
  submitLabel: string;
  /** The person has an authenticator app: password + code is offered. */
  offerCode: boolean;
  /** The person has a passkey: "Use a passkey" is offered. */
  offerPasskey: boolean;
  errors: Record<string, string>;
}

/** The proofs this person can give, in words: only those the page offers them. */
function proofsOffered(props: Pick<ReauthenticatePageProps, "offerCode" | "offerPasskey">): string {
  if (props.offerCode && props.offerPasskey)
    return "Use one of your passkeys, or enter your password and a code from your authenticator app.";
  if (props.offerPasskey) return "Use one of your passkeys.";
  return "Enter your password and a code from your authenticator app.";
}

export function ReauthenticatePage(props: ReauthenticatePageProps) {
  return (
    <div class="narrow">
      <h1>{props.title}</h1>
      <p>
        {props.explanation} {proofsOffered(props)}
      </p>
      <FormErrorSummary errors={props.errors} />
      {props.offerPasskey && (
        <PasskeyForm
          id="reauthenticate-passkey"
          mode="authenticate"
          action={props.passkeyAction}
          optionsAction="/reauthenticate/passkey/options"
          label="Use a passkey"
          fields={props.next ? { next: props.next } : {}}
          secondary={props.offerCode}
        />
      )}
      {props.offerCode && (
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
      )}
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
