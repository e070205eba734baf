// Webhook deliveries start right after the change that caused them (docs/EVENTS.md "Delivery"):
// after the response, as the request's background work (http/background.ts), a request hands the
// fan-out and the first attempts to domain/webhooks/webhook-delivery.ts. Whether to is decided
// from the hint read with the caller (domain/webhooks/webhook-dispatch.ts#selectEventDeliveryHint,
// no query of its own): only when an endpoint is enabled, and then after any write (POST, PUT,
// PATCH, DELETE), or after a read that finds events waiting (a sign-in or a setup, which have no
// caller to learn from, leave them for the next request or the cron, whichever comes first).
import { createMiddleware } from "hono/factory";
import { deliverEvents } from "../domain/webhooks/webhook-delivery";
import { writeLog } from "../log";
import { type AppEnv, domainContext } from "./app-env";
import { runInBackground } from "./background";

/** What background delivery may take, within the 30 seconds a Worker keeps running after its response. */
export const backgroundDeliverySeconds = 20;

const readMethods = new Set(["GET", "HEAD", "OPTIONS"]);

export const deliverEventsAfterChanges = createMiddleware<AppEnv>(async function deliverEventsAfterChanges(c, next) {
  await next();
  const hint = c.get("principal")?.eventDelivery ?? c.get("directoryCaller")?.eventDelivery;
  if (!hint?.liveEndpoints || (readMethods.has(c.req.method) && !hint.undispatched)) return;
  const started = new Date();
  runInBackground(
    c,
    deliverEvents(
      // Gatehouse acts here, not the caller: an endpoint it disables is not the client's doing.
      { ...domainContext(c, { kind: "system" }), ip: null },
      { readClock: () => new Date(), deadline: new Date(started.getTime() + backgroundDeliverySeconds * 1000) },
    ).catch((error: unknown) => {
      // Nothing is lost: the cron's run picks up whatever this one did not finish.
      writeLog("error", "webhook_delivery_failed", {
        requestId: c.get("requestId"),
        error: error instanceof Error ? error.name : "non-error thrown",
      });
    }),
  );
});
