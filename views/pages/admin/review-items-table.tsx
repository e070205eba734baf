// A review's items as the console lists them for reading: the person and their access as they were
// at the opening, the "inactive" recommendation, the reviewer, and the decision with who, when and
// why, and the client's advice. Deciding happens in the reviewer's own list (review-item-rows.tsx).
import type { ReviewItemView } from "../../../src/domain/reviews/review-items-read";
import { labelMembershipRole } from "../../../src/labels";
import { Time } from "../../components/time";
import { describeReviewerKey, ReviewItemStatusBadge } from "./review-parts";

function Decision({ item, timeZone }: { item: ReviewItemView; timeZone: string }) {
  return (
    <>
      <ReviewItemStatusBadge status={item.status} source={item.decisionSource} />
      {item.flag === "last_client_admin" && (
        <>
          {" "}
          <span class="badge badge-danger">Last client admin</span>
        </>
      )}
      {item.decidedAt && (
        <div class="muted">
          {item.decidedByName ?? (item.decisionSource === "deadline" ? "The campaign" : "")}{" "}
          <Time value={item.decidedAt} timeZone={timeZone} />
        </div>
      )}
      {item.justification && <div class="wrap">“{item.justification}”</div>}
    </>
  );
}

export function ReviewItemsReadTable(props: {
  items: ReviewItemView[];
  timeZone: string;
  reviewerNames: ReadonlyMap<string, string>;
}) {
  const { timeZone } = props;
  return (
    <table class="data-table">
      <caption class="visually-hidden">Review items</caption>
      <thead>
        <tr>
          <th scope="col">Person</th>
          <th scope="col">Tenant</th>
          <th scope="col">Access</th>
          <th scope="col" class="priority-low">
            Last sign-in
          </th>
          <th scope="col">Reviewer</th>
          <th scope="col">Decision</th>
          <th scope="col" class="priority-low">
            Client's advice
          </th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr id={`item-${item.id}`}>
            <td class="cell-primary" data-label="Person">
              {item.memberName}
              <div class="wrap muted">{item.memberEmail}</div>
            </td>
            <td data-label="Tenant">{item.tenantName}</td>
            <td data-label="Access">
              {labelMembershipRole(item.role)}
              {item.expiresAt && (
                <div class="muted">
                  until <Time value={item.expiresAt} timeZone={timeZone} />
                </div>
              )}
            </td>
            <td class="priority-low" data-label="Last sign-in">
              {item.memberLastLoginAt ? <Time value={item.memberLastLoginAt} timeZone={timeZone} /> : "Never"}
              {item.recommendRevoke && (
                <div>
                  <span class="badge badge-warning">Inactive</span> <span class="muted">revoke recommended</span>
                </div>
              )}
            </td>
            <td data-label="Reviewer">{describeReviewerKey(item.reviewerKey, props.reviewerNames)}</td>
            <td data-label="Decision">
              <Decision item={item} timeZone={timeZone} />
            </td>
            <td class="priority-low" data-label="Client's advice">
              {item.advice ? (
                <>
                  {item.advice === "keep" ? "Keep" : "Revoke"}
                  {item.advisedByName && <span class="muted"> ({item.advisedByName})</span>}
                  {item.adviceJustification && <div class="wrap">“{item.adviceJustification}”</div>}
                </>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
