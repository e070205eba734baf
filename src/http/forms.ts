// Form posts go through zod like every other input. On failure the page is re-rendered with the
// values the person typed and one message per field, next to the field. A form takes only the
// fields its page sends (docs/SECURITY.md "Request bodies"): anything else is refused, as the API
// refuses unknown JSON fields, and only fields a form sends as a list (checkboxes) may repeat.
import * as z from "zod";
import { AppError, fieldError } from "../errors";
import type { AppContext } from "./app-env";

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | string[]>;

export type FormResult<T> = { success: true; data: T; values: FormValues } | { success: false; values: FormValues; errors: FieldErrors };

/** The fields one form sends; `lists` are those it may send more than once (checkboxes). */
export interface FormFields {
  fields: readonly string[];
  lists?: readonly string[];
}

async function parseFormBody(c: AppContext): Promise<FormValues> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { detail: "Forms must be sent as application/x-www-form-urlencoded." });
  }
  const body = await c.req.parseBody({ all: true });
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string") values[key] = value;
    else if (Array.isArray(value)) values[key] = value.filter((item): item is string => typeof item === "string");
  }
  return values;
}

function quoteNames(names: string[]): string {
  return names.map((name) => `"${name.slice(0, 64)}"`).join(", ");
}

/** Why these values are not what the form sends, or null when they are. */
function findUnexpectedFields(values: FormValues, form: FormFields): string | null {
  const unknown = Object.keys(values).filter((key) => !form.fields.includes(key) && !form.lists?.includes(key));
  if (unknown.length > 0) return `This form has no field ${quoteNames(unknown.slice(0, 5))}. Reload the page and send the form again.`;
  const repeated = Object.keys(values).filter((key) => Array.isArray(values[key]) && !form.lists?.includes(key));
  if (repeated.length > 0) return `The field ${quoteNames(repeated.slice(0, 5))} was sent more than once. Send it once.`;
  return null;
}

/** The posted values and, when the form carried fields it does not have, an error for the whole form. */
export async function readFormFields(c: AppContext, form: FormFields): Promise<{ values: FormValues; errors: FieldErrors }> {
  const values = await parseFormBody(c);
  const problem = findUnexpectedFields(values, form);
  return { values, errors: problem ? { form: problem } : {} };
}

/** The posted values; a field the form does not have is refused with a 400 error page. */
export async function readFormValues(c: AppContext, form: FormFields): Promise<FormValues> {
  const { values, errors } = await readFormFields(c, form);
  if (errors.form) throw fieldError("form", errors.form);
  return values;
}

/**
 * Messages for the issues a form schema did not word itself: zod's own ("expected nonoptional,
 * received undefined") are written for developers. A schema's own message always wins.
 */
export function describeFormIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_value") return `Choose one of: ${issue.values.map(String).join(", ")}.`;
  if (issue.code === "invalid_union") return "Choose one of the options the form offers.";
  if (issue.code === "invalid_type" && issue.input === undefined) return "This field is missing. Fill it in and send the form again.";
  if (issue.code === "invalid_type") return "This value is not one the form can send.";
  return undefined;
}

export function collectFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The field names of a form schema: an object's keys, or every option's keys of a union. */
function fieldNamesOf(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodUnion) return schema.options.flatMap((option) => fieldNamesOf(option as z.ZodType));
  throw new Error("readForm takes an object schema or a union of them");
}

/**
 * Reads a form into `schema`. The form may send the schema's fields and `alsoSent` (fields the page
 * sends that the schema ignores, such as the hidden username that password managers need).
 */
export async function readForm<S extends z.ZodType>(
  c: AppContext,
  schema: S,
  alsoSent: readonly string[] = [],
): Promise<FormResult<z.output<S>>> {
  const { values, errors } = await readFormFields(c, { fields: [...fieldNamesOf(schema), ...alsoSent] });
  if (errors.form) return { success: false, values, errors };
  const parsed = schema.safeParse(values, { error: describeFormIssue });
  if (parsed.success) return { success: true, data: parsed.data, values };
  return { success: false, values, errors: collectFieldErrors(parsed.error) };
}

/** A refused form as an error, for routes that show every refusal the same way. */
export function formRefusal(errors: FieldErrors): AppError {
  const fieldErrors = Object.entries(errors).map(([field, message]) => ({ field, message }));
  return new AppError("VALIDATION_FAILED", { detail: fieldErrors.map((e) => e.message).join(" "), fieldErrors });
}

/** Field errors of an AppError, keyed by field, for re-rendering a form. */
export function fieldErrorsOf(error: AppError): FieldErrors {
  const errors: FieldErrors = {};
  for (const item of error.fieldErrors) errors[item.field] ??= item.message;
  if (Object.keys(errors).length === 0) errors.form = error.detail ?? error.title;
  return errors;
}

/** 4xx errors a form can show next to itself; anything else goes to the error page. */
export function isFormError(error: unknown): error is AppError {
  return error instanceof AppError && error.status < 500 && error.code !== "NOT_FOUND";
}

export function formStatus(error: AppError): 400 | 403 | 409 {
  return error.status === 403 ? 403 : error.status === 409 ? 409 : 400;
}

/**
 * The field errors of a refusal a tenant page shows next to its form; anything else (a server
 * error, not signed in, forbidden, not found) is rethrown for the error page.
 */
export function fieldErrorsOfRefusal(error: unknown): FieldErrors {
  if (!(error instanceof AppError) || error.status >= 500 || error.status === 401 || error.status === 403 || error.status === 404)
    throw error;
  return fieldErrorsOf(error);
}

export function formValue(values: FormValues, key: string): string {
  const value = values[key];
  return typeof value === "string" ? value : "";
}

/** The form's values as single strings (a repeated field becomes ""), for re-rendering inputs. */
export function formValuesAsStrings(values: FormValues): Record<string, string> {
  return Object.fromEntries(Object.keys(values).map((key) => [key, formValue(values, key)]));
}

/** Every value of a repeated field (checkboxes): none, one or many. */
export function formList(values: FormValues, key: string): string[] {
  const value = values[key];
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}
