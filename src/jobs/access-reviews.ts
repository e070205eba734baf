// The cron's access-review job (docs/JOBS.md "Access reviews"): runs after the expiry sweep, so
// memberships that expired are already recorded, and before the expiry notices and email delivery,
// so the reminders it queues go out in the same cron run. In order: mark items whose membership
// ended elsewhere, hand the items whose reviewer left to the Super admins, apply the deadlines, tell
// the Super admins of tenants left without a client admin, close the runs with nothing pending,
// open the due runs (after the deadlines, so a new run never holds what an old one is about to
// end), then the reminders (so a run closed or decided this time reminds nobody). Each step is
// guarded by the state it changes, so repeated, overlapping and skipped runs change nothing twice.
import type { DomainContext } from "../domain/context";
import { applyDeadlines, notifyTenantsLeftWithoutAdmin } from "../domain/reviews/review-deadline";
import { queueReviewReminders } from "../domain/reviews/review-reminders";
import { closeEndedItems, closeFinishedRuns, handOverStrandedItems, openDueRuns } from "../domain/reviews/review-runs";

export interface AccessReviewsResult {
  opened: number;
  endedElsewhere: number;
  /** Pending items whose reviewer can no longer act, handed to the Super admins. */
  handedOver: number;
  revokedAtDeadline: number;
  keptAtDeadline: number;
  noAdminEmails: number;
  closed: number;
  reminders: number;
  /** False when a step stopped at its round limit with work possibly left for the next run. */
  complete: boolean;
}

export async function runAccessReviews(ctx: DomainContext): Promise<AccessReviewsResult> {
  const ended = await closeEndedItems(ctx);
  const handedOver = await handOverStrandedItems(ctx);
  const deadline = await applyDeadlines(ctx);
  const noAdminEmails = await notifyTenantsLeftWithoutAdmin(ctx);
  const closed = await closeFinishedRuns(ctx);
  // After the deadlines: a new run never holds what an old one is about to end.
  const opened = await openDueRuns(ctx);
  const reminders = await queueReviewReminders(ctx);
  return {
    opened,
    endedElsewhere: ended.changed,
    handedOver: handedOver.changed,
    revokedAtDeadline: deadline.revoked,
    keptAtDeadline: deadline.kept,
    noAdminEmails,
    closed,
    reminders: reminders.queued,
    complete: ended.complete && handedOver.complete && deadline.complete && reminders.complete,
  };
}
