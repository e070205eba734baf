// Work that follows a change, started right after the response (docs/ARCHITECTURE.md "A request",
// step 8): the audit log's sequencer appends the new events as leaves (docs/AUDIT.md "Verifying
// the log"), then webhook deliveries start (docs/EVENTS.md "Delivery"). It runs as the request's
// background work (http/background.ts) and is decided from the hint read with the caller
// (domain/webhooks/webhook-dispatch.ts#selectEventDeliveryHint, no query of its own):
// - the sequencer after any write (POST, PUT, PATCH, DELETE), or after a read that finds events
//   waiting for it; the cron sequences whatever this misses;
// - delivery only when an endpoint is enabled, and then after any write, or after a read that finds
//   events waiting (a sign-in or a setup, which have no caller to learn from, leave them for the
//   next request or the cron, whichever comes first).
import { createMiddleware } from "hono/factory";
import { sequenceAuditEvents } from "../domain/audit/audit-tree";
import { deliverEvents } from "../domain/webhooks/webhook-delivery";
import { writeLog } from "../log";
import { type AppContext, type AppEnv, domainContext } from "./app-env";
import { canRunInBackground, runInBackground } from "./background";

/** What background delivery may take, within the 30 seconds a Worker keeps running after its response. */
export const backgroundDeliverySeconds = 20;

const readMethods = new Set(["GET", "HEAD", "OPTIONS"]);

function logFailure(c: AppContext, event: string) {
  return (error: unknown) => {
    // Nothing is lost: the cron's run picks up whatever this one did not finish.
    writeLog("error", event, {
      requestId: c.get("requestId"),
      error: error instanceof Error ? error.name : "non-error thrown",
    });
  };
}

export const deliverEventsAfterChanges = createMiddleware<AppEnv>(async function deliverEventsAfterChanges(c, next) {
  await next();
  const hint = c.get("principal")?.eventDelivery ?? c.get("directoryCaller")?.eventDelivery;
  if (!hint) return;
  const wrote = !readMethods.has(c.req.method);
  const sequence = (wrote || hint.unsequenced) && canRunInBackground(c);
  const deliver = hint.liveEndpoints && (wrote || hint.undispatched);
  if (!sequence && !deliver) return;
  const started = new Date();
  // Gatehouse acts here, not the caller: an endpoint it disables is not the client's doing.
  const ctx = { ...domainContext(c, { kind: "system" }), ip: null };
  const sequenced = sequence
    ? sequenceAuditEvents(ctx).catch(logFailure(c, "audit_sequencing_failed"))
    : Promise.resolve();
  runInBackground(
    c,
    sequenced.then(() =>
      deliver
        ? deliverEvents(ctx, {
            readClock: () => new Date(),
            deadline: new Date(started.getTime() + backgroundDeliverySeconds * 1000),
          }).catch(logFailure(c, "webhook_delivery_failed"))
        : undefined,
    ),
  );
});
