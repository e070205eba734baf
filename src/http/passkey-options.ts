// The options half of a passkey ceremony answers JSON to /static/passkeys.js, refusals included
// (`title` is what the script shows), instead of the page a form would get.

import type { AppContext } from "./app-env";
import { toAppError } from "./errors";

export async function answerPasskeyOptions(c: AppContext, build: () => Promise<object>): Promise<Response> {
  try {
    return c.json(await build());
  } catch (error) {
    const refusal = toAppError(error);
    if (refusal.status >= 500) throw error;
    if (refusal.retryAfterSeconds !== undefined) c.header("Retry-After", String(refusal.retryAfterSeconds));
    return c.json({ title: refusal.detail ?? refusal.title }, refusal.status as 400 | 401 | 403 | 404 | 409 | 429);
  }
}
