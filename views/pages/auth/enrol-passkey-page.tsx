// /enrol-passkey: a session the passkey policy confined reaches only this page (and signing out)
// until the person adds a passkey (docs/PASSKEYS.md "The policy").
import { FormErrorSummary, TextField } from "../../components/form-fields";
import { PasskeyForm } from "../../components/passkey-form";

export interface EnrolPasskeyPageProps {
  /** Why: the role's policy, or a sign-in by recovery code (break glass) under it. */
  reason: "policy" | "recovery_code";
  roleLabel: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

export function EnrolPasskeyPage(props: EnrolPasskeyPageProps) {
  return (
    <>
      <h1>Add a passkey to continue</h1>
      {props.reason === "recovery_code" ? (
        <p>
          You signed in with a recovery code. People with the role {props.roleLabel} sign in with a passkey, so add a
          new one on this device before you go on.
        </p>
      ) : (
        <p>
          People with the role {props.roleLabel} must sign in with a passkey, a sign-in that a look-alike site cannot
          steal. Add one on this device (or a security key) before you go on.
        </p>
      )}
      <FormErrorSummary errors={props.errors} />
      <PasskeyForm
        id="enrol-passkey"
        mode="register"
        action="/enrol-passkey"
        optionsAction="/enrol-passkey/options"
        label="Add a passkey"
      >
        <TextField
          name="name"
          label="Name this passkey"
          hint="For example Work laptop or YubiKey."
          value={props.values.name}
          error={props.errors.name}
          maxlength={60}
          required
        />
      </PasskeyForm>
      <noscript>
        <p>Adding a passkey needs JavaScript in this browser.</p>
      </noscript>
      <form method="post" action="/logout" class="button-row">
        <button type="submit" class="secondary">
          Sign out
        </button>
      </form>
    </>
  );
}
