// Form posts go through zod like every other input. On failure the page is re-rendered with the
// values the person typed and one message per field, next to the field.
import type { z } from "zod";
import { AppError } from "../errors";
import type { AppContext } from "./app-env";

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | string[]>;

export type FormResult<T> = { success: true; data: T; values: FormValues } | { success: false; values: FormValues; errors: FieldErrors };

export async function readFormValues(c: AppContext): Promise<FormValues> {
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

export function collectFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

export async function readForm<S extends z.ZodType>(c: AppContext, schema: S): Promise<FormResult<z.output<S>>> {
  const values = await readFormValues(c);
  const parsed = schema.safeParse(values);
  if (parsed.success) return { success: true, data: parsed.data, values };
  return { success: false, values, errors: collectFieldErrors(parsed.error) };
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
