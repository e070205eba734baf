// Form posts go through zod like every other input. On failure the page is re-rendered with the
// values the person typed and one message per field, next to the field. A form takes only the
// fields its page sends (docs/SECURITY.md "Request bodies"): anything else is refused, as the API
// refuses unknown JSON fields, and only fields a form sends as a list (checkboxes) may repeat.
// Every form handler reads parse → act → redirect through handleForm, which decides once which
// refusals the form shows (isFormRefusal, docs/DECISIONS.md "Form refusals").
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as z from "zod";
import { AppError, fieldError, isFormRefusal } from "../errors";
import type { AppContext } from "./app-env";

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | string[]>;

export type FormResult<T> =
  | { success: true; data: T; values: FormValues }
  | { success: false; values: FormValues; errors: FieldErrors };

/** The fields one form sends; `lists` are those it may send more than once (checkboxes). */
export interface FormFields {
  fields: readonly string[];
  lists?: readonly string[];
}

async function parseFormBody(c: AppContext): Promise<FormValues> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", {
      detail: "Forms must be sent as application/x-www-form-urlencoded.",
    });
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
  if (unknown.length > 0)
    return `This form has no field ${quoteNames(unknown.slice(0, 5))}. Reload the page and send the form again.`;
  const repeated = Object.keys(values).filter((key) => Array.isArray(values[key]) && !form.lists?.includes(key));
  if (repeated.length > 0)
    return `The field ${quoteNames(repeated.slice(0, 5))} was sent more than once. Send it once.`;
  return null;
}

/** The posted values, refused as a whole (an error for `form`) when they carry fields the form does not have. */
export async function readFormFields(c: AppContext, form: FormFields): Promise<FormResult<FormValues>> {
  const values = await parseFormBody(c);
  const problem = findUnexpectedFields(values, form);
  return problem ? { success: false, values, errors: { form: problem } } : { success: true, data: values, values };
}

/** The posted values of a form that is only a button; a field the form does not have is refused with a 400 error page. */
export async function readFormValues(c: AppContext, form: FormFields): Promise<FormValues> {
  const read = await readFormFields(c, form);
  if (!read.success) throw fieldError("form", read.errors.form ?? "This form has fields it does not have.");
  return read.data;
}

/**
 * Messages for the issues a form schema did not word itself: zod's own ("expected nonoptional,
 * received undefined") are written for developers. A schema's own message always wins.
 */
export function describeFormIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_value") return `Choose one of: ${issue.values.map(String).join(", ")}.`;
  if (issue.code === "invalid_union") return "Choose one of the options the form offers.";
  if (issue.code === "invalid_type" && issue.input === undefined)
    return "This field is missing. Fill it in and send the form again.";
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
  const read = await readFormFields(c, { fields: [...fieldNamesOf(schema), ...alsoSent] });
  if (!read.success) return read;
  const parsed = schema.safeParse(read.values, { error: describeFormIssue });
  if (parsed.success) return { success: true, data: parsed.data, values: read.values };
  return { success: false, values: read.values, errors: collectFieldErrors(parsed.error) };
}

/** A refused form as an error: thrown inside a form's action, it shows the form again like any refusal. */
export function formRefusal(errors: FieldErrors): AppError {
  const fieldErrors = Object.entries(errors).map(([field, message]) => ({ field, message }));
  return new AppError("VALIDATION_FAILED", { detail: fieldErrors.map((e) => e.message).join(" "), fieldErrors });
}

/** Input a handler put together from form values (dates read in the viewer's zone, say), checked by `schema`. */
export function parseFormInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw formRefusal(collectFieldErrors(parsed.error));
  return parsed.data;
}

/** Field errors of an AppError, keyed by field, for re-rendering a form. */
export function fieldErrorsOf(error: AppError): FieldErrors {
  const errors: FieldErrors = {};
  for (const item of error.fieldErrors) errors[item.field] ??= item.message;
  if (Object.keys(errors).length === 0) errors.form = error.detail ?? error.title;
  return errors;
}

export interface FormHandling<T> {
  /** Does what the form asks and answers: a redirect, or the page that comes next. */
  act: (data: T) => Promise<Response>;
  /** The same form again, with what was typed and these errors next to their fields; `refusal` is null for a form that did not parse. */
  showAgain: (errors: FieldErrors, refusal: AppError | null) => Response | Promise<Response>;
}

/**
 * The one way a page form answers: parse → act → redirect. A form that did not parse, or a refusal
 * the form shows (isFormRefusal), renders the form again under the refusal's status (400 for
 * parsing); anything else goes on to the error page.
 */
export async function handleForm<T>(c: AppContext, form: FormResult<T>, handling: FormHandling<T>): Promise<Response> {
  if (!form.success) {
    c.status(400);
    return handling.showAgain(form.errors, null);
  }
  try {
    return await handling.act(form.data);
  } catch (error) {
    if (!isFormRefusal(error)) throw error;
    c.status(error.status as ContentfulStatusCode);
    if (error.retryAfterSeconds !== undefined) c.header("Retry-After", String(error.retryAfterSeconds));
    return handling.showAgain(fieldErrorsOf(error), error);
  }
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
