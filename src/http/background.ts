// Work that outlives the response, such as a delivery started right after a change. In production
// the runtime keeps the Worker alive for it through the request's ExecutionContext (waitUntil).
// A request without one (tests drive createApp with app.request) hands it to createApp's
// runInBackground option, so the test can await it; with neither, scheduling fails loudly rather
// than letting work be cut off unseen. Routes schedule it; domain functions return the promise.
import type { Context } from "hono";
import type { AppContext } from "./app-env";

export type BackgroundRunner = (work: Promise<unknown>) => void;

function refuseBackgroundWork(): never {
  throw new Error(
    "Background work was scheduled on a request with no ExecutionContext and createApp got no runInBackground option (tests: collectBackgroundWork in test/helpers/background.ts)",
  );
}

/** Where the background work of this request goes: the runtime's waitUntil, else the app's option. */
export function selectBackgroundRunner(c: Context, fallback: BackgroundRunner | undefined): BackgroundRunner {
  let executionContext: Context["executionCtx"] | undefined;
  try {
    executionContext = c.executionCtx;
  } catch {
    // Hono throws when the app was called without one, as app.request does.
    executionContext = undefined;
  }
  if (executionContext) return (work) => executionContext.waitUntil(work);
  return fallback ?? refuseBackgroundWork;
}

export function runInBackground(c: AppContext, work: Promise<unknown>): void {
  c.get("runInBackground")(work);
}

/**
 * Whether this request can hand work to the background at all. Work the cron does anyway (the
 * audit log's sequencer) is skipped where it cannot, rather than failing the request: only an
 * app.request test without runInBackground lacks both.
 */
export function canRunInBackground(c: AppContext): boolean {
  return c.get("runInBackground") !== refuseBackgroundWork;
}
