// /portal/<slug>/reviews: a client admin's access review (docs/ACCESS-REVIEWS.md). The items they
// decide (their company's portal users, and the provider's staff when the client's say is binding),
// each kept or revoked on its own or ticked for one decision in bulk; and the staff items they may
// advise on. Works without JavaScript: the bulk form's checkboxes sit in the table and name their form.
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { NextPageLink } from "../../components/next-page-link";
import {
  BulkDecisionForm,
  bulkDecisionFormId,
  ReviewItemsTable,
  type ReviewItemView,
  type RowFormState,
} from "../../components/review-item-rows";

/** The form shown again after a refusal: an item's (its id) or the bulk form ("bulk-decision"). */
export type ReviewFormState = RowFormState;

export interface PortalReviewsPageProps {
  tenant: { name: string; slug: string };
  timeZone: string;
  toDecide: ReviewItemView[];
  toDecideMoreHref: string | null;
  toAdvise: ReviewItemView[];
  toAdviseMoreHref: string | null;
  form: ReviewFormState | null;
  flash?: Flash | undefined;
}

const bulkFormId = bulkDecisionFormId;

export function PortalReviewsPage(props: PortalReviewsPageProps) {
  const base = `/portal/${props.tenant.slug}/reviews`;
  const nothing = props.toDecide.length === 0 && props.toAdvise.length === 0;
  return (
    <>
      <div class="page-heading">
        <h1>Access review</h1>
        <div class="actions">
          <a class="button secondary" href={`/portal/${props.tenant.slug}`}>
            Back to {props.tenant.name}
          </a>
        </div>
      </div>
      <p class="muted">
        Confirm who still needs access to {props.tenant.name}. Keep what is needed; revoke the rest, which ends the
        person's access at once. What nobody decides is handled as the review says when it ends.
      </p>
      <FlashNotice flash={props.flash} />
      {nothing && (
        <p class="empty">Nothing waits for you. When a review opens, the people to confirm are listed here.</p>
      )}
      {props.toDecide.length > 0 && (
        <section aria-labelledby="decide-heading">
          <h2 id="decide-heading">Your decisions</h2>
          <ReviewItemsTable
            items={props.toDecide}
            timeZone={props.timeZone}
            mode={{ kind: "decide", actionBase: `${base}/items`, bulkFormId }}
            form={props.form}
          />
          <NextPageLink href={props.toDecideMoreHref} label="More people →" />
          <BulkDecisionForm action={`${base}/decisions`} formId={bulkFormId} form={props.form} />
        </section>
      )}
      {props.toAdvise.length > 0 && (
        <section aria-labelledby="advise-heading">
          <h2 id="advise-heading">Staff with access to your company: your advice</h2>
          <p class="muted">
            The provider's staff below can see your company's data. Say whether each still should; whoever reviews their
            access sees your advice.
          </p>
          <ReviewItemsTable
            items={props.toAdvise}
            timeZone={props.timeZone}
            mode={{ kind: "advise", actionBase: `${base}/items` }}
            form={props.form}
          />
          <NextPageLink href={props.toAdviseMoreHref} label="More staff →" />
        </section>
      )}
    </>
  );
}
