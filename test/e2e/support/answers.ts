// How the input sweep reads the app's answers: what a refusal must look like on a page (the form
// again, 400, the refused field marked) and in the API (a 400 problem naming the field), and an
// answer reduced to what may not differ between two people asked about.
import { parseForms } from "./forms";
import type { HttpAnswer } from "./http";
import { recordSecret } from "./run";

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Setup links and API tokens an answer showed join the secrets secrets.e2e.ts greps for. */
export function recordSecretsIn(text: string): void {
  for (const match of text.matchAll(/\/setup\/([A-Za-z0-9_-]{43})\b/g))
    recordSecret("setup-token", match[1] as string, "input sweep answer");
  for (const match of text.matchAll(/\b(gth[a-z]_[0-9A-Za-z]{49})\b/g))
    recordSecret("api-token", match[1] as string, "input sweep answer");
}

/** What is wrong with a page's answer to a refused field, or null: a 400 re-rendering the form with that field marked. */
export function pageRefusalProblem(answer: HttpAnswer, field: string): string | null {
  if (answer.status !== 400) return `answered ${answer.status}${answer.location ? ` → ${answer.location}` : ""}`;
  if (!answer.headers["content-type"]?.startsWith("text/html")) return "answered 400 without a page";
  const marked = parseForms(answer.text).some((form) =>
    form.controls.some((control) => control.name === field && control.invalid),
  );
  return marked ? null : `answered 400, but the form it shows does not mark ${field} as the refused field`;
}

function fieldErrorsOf(value: unknown): Array<{ field: string; message: string }> {
  const errors = (value as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? (errors as Array<{ field: string; message: string }>) : [];
}

/** What is wrong with the API's answer to a refused field, or null: a 400 problem naming the field. */
export function apiRefusalProblem(answer: HttpAnswer, field: string): string | null {
  if (answer.status !== 400) return `answered ${answer.status}: ${answer.text.slice(0, 160)}`;
  if (!answer.headers["content-type"]?.startsWith("application/problem+json"))
    return "answered 400 without a problem body";
  const errors = fieldErrorsOf(parseJson(answer.text));
  return errors.some((error) => error.field === field)
    ? null
    : `answered 400 without a field error for ${field}: ${answer.text.slice(0, 200)}`;
}

/** Bulk invites answer per row: a 400 naming the field, or the row marked "invalid" with an error on it. */
export function rowRefusalProblem(answer: HttpAnswer, field: string): string | null {
  if (answer.status === 400) return apiRefusalProblem(answer, field);
  const row = (parseJson(answer.text) as { results?: Array<{ status: string; errors?: unknown }> } | null)
    ?.results?.[0];
  if (answer.status !== 200 || !row) return `answered ${answer.status}: ${answer.text.slice(0, 160)}`;
  if (row.status !== "invalid") return `row came back "${row.status}"`;
  const errors = fieldErrorsOf(row);
  return errors.some((error) => field === error.field || field.endsWith(`.${error.field}`))
    ? null
    : `row invalid, but not for ${field}`;
}

/** Answers compared for equality: the address typed and request ids are the only parts allowed to differ. */
export function normalizedAnswer(answer: HttpAnswer, email: string): string {
  const text = answer.text
    .replaceAll(email, "<email>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<request id>");
  return `${answer.status} ${answer.location ?? ""} ${answer.headers["content-type"] ?? ""}\n${text}`;
}
