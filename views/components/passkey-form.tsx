// A passkey ceremony's form (docs/PASSKEYS.md "In the browser"): hidden until /static/passkeys.js
// finds WebAuthn in the browser; on submit the script fetches the options from `optionsAction`,
// runs the ceremony and posts the credential to `action` with the form's other fields.
import type { Child } from "hono/jsx";

export interface PasskeyFormProps {
  mode: "register" | "authenticate";
  action: string;
  optionsAction: string;
  label: string;
  /** Hidden fields posted with the options request and with the credential (e.g. `next`). */
  fields?: Record<string, string>;
  /** Visible fields, such as the new passkey's name. */
  children?: Child;
  secondary?: boolean;
  id?: string;
}

export function PasskeyForm(props: PasskeyFormProps) {
  return (
    <>
      <form
        method="post"
        action={props.action}
        class="passkey-form"
        data-passkey={props.mode}
        data-passkey-options={props.optionsAction}
        id={props.id}
        hidden
      >
        {Object.entries(props.fields ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        {props.children}
        <input type="hidden" name="credential" value="" />
        <p class="notice notice-error" data-passkey-status role="alert" hidden />
        <div class="form-actions">
          <button type="submit" class={props.secondary ? "secondary" : undefined}>
            {props.label}
          </button>
        </div>
      </form>
      <script type="module" src="/static/passkeys.js" />
    </>
  );
}
