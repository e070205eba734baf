// Review items as the portal's review page shows them (views/components/review-item-rows.tsx), and
// the link to the next page of either of its two lists.
import type { ReviewItemView as RowView } from "../../../views/components/review-item-rows";
import type { ReviewItemView } from "../../domain/reviews/review-items-read";

export function toReviewItemViews(items: ReviewItemView[]): RowView[] {
  return items.map((item) => ({
    id: item.id,
    memberName: item.memberName,
    memberEmail: item.memberEmail,
    role: item.role,
    expiresAt: item.expiresAt,
    memberLastLoginAt: item.memberLastLoginAt,
    recommendRevoke: item.recommendRevoke,
    deadlineAt: item.deadlineAt,
    justificationRequired: item.justificationRequired,
    advice: item.advice
      ? { advice: item.advice, justification: item.adviceJustification, byName: item.advisedByName }
      : null,
  }));
}

/** "?decide=<cursor>": the next page of one of the page's two lists. */
export function nextReviewsHref(path: string, list: "decide" | "advise", nextCursor: string | null): string | null {
  return nextCursor ? `${path}?${new URLSearchParams({ [list]: nextCursor }).toString()}` : null;
}
