// Webhook delivery on the cron (docs/EVENTS.md "Retries"): queue what events since the last run
// call for, send the first attempts a request's background work did not get to, and the retries
// that came due. Bounded by a deadline on the real clock, so endpoints that hang (10 s each at
// most, one at a time per endpoint) cannot hold the run past it; what is left waits for the next run.
import type { DomainContext } from "../domain/context";
import { deliverEvents, type EventDeliveryResult } from "../domain/webhooks/webhook-delivery";

/** The run's budget for webhooks: well inside a cron invocation's limits, with the email job after it. */
export const webhookRunSeconds = 60;

export function deliverWebhooksOnSchedule(ctx: DomainContext, readClock: () => Date): Promise<EventDeliveryResult> {
  const deadline = new Date(readClock().getTime() + webhookRunSeconds * 1000);
  return deliverEvents(ctx, { readClock, deadline });
}
