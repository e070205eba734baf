// How page routes answer errors: sign-in for 401, a neutral page for dead setup links, a plain
// page with a reference for everything else. Never data, never a stack trace. Refusals a form
// shows next to its fields never get here (handleForm in forms.ts).
import type { Context } from "hono";
import { MessagePage } from "../../views/pages/message-page";
import type { AppEnv } from "./app-env";
import { logUnexpectedError, toAppError } from "./errors";
import { passkeyEnrolmentPath } from "./navigation";
import { signedInPages } from "./page-renderer";

const titles: Partial<Record<number, string>> = {
  403: "Access denied",
  404: "Page not found",
  429: "Too many attempts",
  500: "Something went wrong",
};

export async function handlePageError(error: unknown, c: Context<AppEnv>): Promise<Response> {
  logUnexpectedError(c, error);
  const appError = toAppError(error);
  if (appError.code === "UNAUTHENTICATED") {
    const url = new URL(c.req.url);
    const next = c.req.method === "GET" ? `?next=${encodeURIComponent(url.pathname + url.search)}` : "";
    return c.redirect(`/login${next}`, 303);
  }
  // docs/PASSKEYS.md "The policy": every page leads to adding the passkey the role requires.
  if (appError.code === "PASSKEY_ENROLMENT_REQUIRED") return c.redirect(passkeyEnrolmentPath, 303);
  if (appError.retryAfterSeconds !== undefined) c.header("Retry-After", String(appError.retryAfterSeconds));
  const status = appError.status as 400 | 401 | 403 | 404 | 409 | 429 | 500;
  const title =
    appError.code === "SETUP_LINK_INVALID" ? "Setup link not valid" : (titles[status] ?? "Request not accepted");
  const message =
    status === 404 && appError.code === "NOT_FOUND"
      ? "There is nothing here, or you do not have access to it."
      : status === 403
        ? (appError.detail ?? "You do not have access to this page. Ask an administrator if you need it.")
        : (appError.detail ?? appError.title);
  // The error may come before any page group set its renderer (a body over the limit, an unknown path).
  await signedInPages(c, async () => {});
  c.status(status);
  return c.render(
    <MessagePage title={title} message={message} requestId={status >= 500 ? c.get("requestId") : undefined} />,
    { title },
  );
}
