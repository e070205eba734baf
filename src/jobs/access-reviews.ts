// The cron's access-review job (docs/JOBS.md "Access reviews"): runs after the expiry sweep, so
// memberships that expired are already recorded, and before the expiry notices and email delivery,
// so the reminders it queues go out in the same cron run. Each step is guarded by the state it
// changes, so repeated, overlapping and skipped runs change nothing twice.
import type { DomainContext } from "../domain/context";
import { closeEndedItems, closeFinishedRuns } from "../domain/reviews/review-runs";

export interface AccessReviewsResult {
  endedElsewhere: number;
  closed: number;
  /** False when a step stopped at its round limit with work possibly left for the next run. */
  complete: boolean;
}

export async function runAccessReviews(ctx: DomainContext): Promise<AccessReviewsResult> {
  const ended = await closeEndedItems(ctx);
  const closed = await closeFinishedRuns(ctx);
  return { endedElsewhere: ended.changed, closed, complete: ended.complete };
}
