// Accessible form controls: every input has a label; an error is tied to its field with
// aria-describedby and aria-invalid, and the typed value is kept.
import type { Child } from "hono/jsx";

export interface FieldProps {
  name: string;
  label: string;
  value?: string;
  error?: string | undefined;
  hint?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "text" | "numeric" | "email";
  maxlength?: number;
  id?: string;
  /** A textarea: line breaks are content (docs/SECURITY.md, multi-line text). */
  multiline?: boolean;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

export function TextField(props: FieldProps) {
  const id = props.id ?? `field-${props.name.replaceAll(".", "-")}`;
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
      {props.multiline ? (
        <textarea
          id={id}
          name={props.name}
          rows={3}
          required={props.required}
          maxlength={props.maxlength}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={describedBy(id, props.hint, props.error)}
        >
          {props.value}
        </textarea>
      ) : (
        <input
          id={id}
          name={props.name}
          type={props.type ?? "text"}
          value={props.type === "password" ? undefined : props.value}
          required={props.required}
          autocomplete={props.autocomplete}
          inputmode={props.inputmode}
          maxlength={props.maxlength}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={describedBy(id, props.hint, props.error)}
        />
      )}
    </div>
  );
}

/** First and last name, as every form that names a person asks for them (1–100 characters each). */
export function PersonNameFields(props: {
  values: { firstName?: string; lastName?: string };
  errors: Record<string, string | undefined>;
}) {
  return (
    <>
      <TextField
        name="firstName"
        label="First name"
        value={props.values.firstName}
        error={props.errors.firstName}
        maxlength={100}
        required
      />
      <TextField
        name="lastName"
        label="Last name"
        value={props.values.lastName}
        error={props.errors.lastName}
        maxlength={100}
        required
      />
    </>
  );
}

export interface SelectFieldProps {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  value?: string;
  error?: string | undefined;
  hint?: string;
  id?: string;
}

export function SelectField(props: SelectFieldProps) {
  const id = props.id ?? `field-${props.name.replaceAll(".", "-")}`;
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
      <select
        id={id}
        name={props.name}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      >
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FormErrorSummary({ errors }: { errors: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="notice notice-error" role="alert">
      <p>
        <strong>Please fix the following:</strong>
      </p>
      <ul>
        {entries.map(([, message]) => (
          <li>{message}</li>
        ))}
      </ul>
    </div>
  );
}

export function Notice({ kind, children }: { kind: "success" | "error" | "info" | "warning"; children: Child }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** Lets password managers tie a password form to the account (and quiets the browser's warning). */
export function HiddenUsername({ value }: { value: string }) {
  return <input type="email" name="username" value={value} autocomplete="username" hidden readonly tabindex={-1} />;
}
