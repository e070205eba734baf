// The schedule of an access-review campaign (docs/ACCESS-REVIEWS.md): startsAt + k × the cadence's
// months, each time counted from the start (never added month by month, which would drift from the
// 31st to the 28th); a one-off has the start alone. A campaign's nextRunAt always lies on it.
import { addMonths, differenceInMonths } from "date-fns";
import type { ReviewCadence } from "../../db/schema";

export const cadenceMonths: Record<Exclude<ReviewCadence, "once">, number> = {
  quarterly: 3,
  half_yearly: 6,
  yearly: 12,
};

function scheduledTime(cadence: ReviewCadence, startsAt: Date, k: number): Date {
  return cadence === "once" ? startsAt : addMonths(startsAt, k * cadenceMonths[cadence]);
}

/** The index of the latest scheduled time ≤ `at`, or -1 when `at` is before startsAt. */
function latestIndexAtOrBefore(cadence: ReviewCadence, startsAt: Date, at: Date): number {
  if (at.getTime() < startsAt.getTime()) return -1;
  if (cadence === "once") return 0;
  let k = Math.max(0, Math.floor(differenceInMonths(at, startsAt) / cadenceMonths[cadence]));
  while (scheduledTime(cadence, startsAt, k + 1).getTime() <= at.getTime()) k += 1;
  while (k > 0 && scheduledTime(cadence, startsAt, k).getTime() > at.getTime()) k -= 1;
  return k;
}

/** The first scheduled time strictly after `after` (or startsAt itself when `after` is null); null when there is none. */
export function firstScheduledTimeAfter(cadence: ReviewCadence, startsAt: Date, after: Date | null): Date | null {
  if (after === null || after.getTime() < startsAt.getTime()) return startsAt;
  if (cadence === "once") return null;
  return scheduledTime(cadence, startsAt, latestIndexAtOrBefore(cadence, startsAt, after) + 1);
}

/**
 * The cron's question for one campaign: which scheduled time to open now (`dueAt`: the latest one
 * ≤ now, never one before the campaign's nextRunAt, so periods a stopped cron skipped open once, as
 * one run) and where nextRunAt moves (the first scheduled time > now; null after a one-off). `dueAt`
 * is null when nothing is due: no nextRunAt (stopped, or a one-off that ran) or it is still ahead.
 */
export function nextScheduledTimes(
  cadence: ReviewCadence,
  startsAt: Date,
  nextRunAt: Date | null,
  now: Date,
): { dueAt: Date | null; nextRunAt: Date | null } {
  if (nextRunAt === null || nextRunAt.getTime() > now.getTime()) return { dueAt: null, nextRunAt };
  const dueAt = scheduledTime(cadence, startsAt, latestIndexAtOrBefore(cadence, startsAt, now));
  const following = firstScheduledTimeAfter(cadence, startsAt, now);
  return { dueAt: dueAt.getTime() >= nextRunAt.getTime() ? dueAt : nextRunAt, nextRunAt: following };
}
