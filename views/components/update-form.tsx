import { FormErrorSummary, TextField } from "./form-fields";

export function UpdateForm(props: {
  action: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  submitLabel: string;
}) {
  const { values, errors } = props;
  return (
    <form method="post" action={props.action} novalidate>
      <FormErrorSummary errors={errors} />
      <TextField name="title" label="Title" value={values.title} error={errors.title} maxlength={200} required />
      <div class={errors.body ? "field has-error" : "field"}>
        <label for="field-body">Text</label>
        <p class="hint" id="field-body-hint">
          Plain text; line breaks are kept.
        </p>
        {errors.body && (
          <p class="error" id="field-body-error">
            {errors.body}
          </p>
        )}
        <textarea
          id="field-body"
          name="body"
          maxlength={5000}
          required
          aria-invalid={errors.body ? "true" : undefined}
          aria-describedby={errors.body ? "field-body-hint field-body-error" : "field-body-hint"}
        >
          {values.body ?? ""}
        </textarea>
      </div>
      <button type="submit">{props.submitLabel}</button>
    </form>
  );
}
