// One review (a run of a campaign): when it opened and ends, its progress per tenant and per reviewer
// (Super admins), its items filtered by tenant, status and "mine", and for the person's own pending
// items Keep / Revoke per row or for the ticked rows at once. A closed review offers its evidence.
import type { ReviewItemStatus } from "../../../src/db/schema";
import type { ReviewItemView, ReviewRunRow } from "../../../src/domain/reviews/review-items-read";
import type { RunProgress } from "../../../src/domain/reviews/review-run-progress";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { Notice, SelectField } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
import {
  BulkDecisionForm,
  bulkDecisionFormId,
  type ReviewItemView as DecideRow,
  ReviewItemsTable,
  type ReviewRowsMode,
} from "../../components/review-item-rows";
import { Time } from "../../components/time";
import { ReviewItemsReadTable } from "./review-items-table";
import { ReviewRunStatusBadge } from "./review-parts";
import { ReviewRunProgress } from "./review-run-progress";

export interface ReviewRunFilters {
  tenantId: string;
  status: ReviewItemStatus | "";
  mine: boolean;
}

export interface ReviewRunPageProps {
  timeZone: string;
  run: ReviewRunRow;
  /** Super admins: the campaign's page, the progress and the evidence. */
  campaignHref: string | null;
  progress: RunProgress | null;
  filters: ReviewRunFilters;
  /** The person's own pending items, with Keep / Revoke; null when the list shows items to read. */
  decide: {
    rows: DecideRow[];
    form: { formId: string; values: Record<string, string>; errors: Record<string, string> } | null;
  } | null;
  items: ReviewItemView[];
  nextPageHref: string | null;
  flash: Flash | undefined;
}

const statusOptions = [
  { value: "", label: "Every status" },
  { value: "pending", label: "Pending" },
  { value: "kept", label: "Kept" },
  { value: "revoked", label: "Revoked" },
  { value: "ended_elsewhere", label: "Ended elsewhere" },
];

function Filters(props: ReviewRunPageProps & { base: string }) {
  const { filters } = props;
  const tenants = props.progress?.byTenant ?? [];
  return (
    <form method="get" action={`${props.base}#items-heading`} class="filters" aria-label="Filter the items">
      {props.progress && (
        <SelectField
          name="tenantId"
          label="Tenant"
          value={filters.tenantId}
          options={[
            { value: "", label: "Every tenant" },
            ...tenants.map((t) => ({ value: t.tenantId, label: t.tenantName })),
          ]}
        />
      )}
      <SelectField name="status" label="Status" value={filters.status} options={statusOptions} />
      {props.progress && (
        <SelectField
          name="mine"
          label="Reviewer"
          value={filters.mine ? "1" : ""}
          options={[
            { value: "", label: "Everyone" },
            { value: "1", label: "Me" },
          ]}
        />
      )}
      <button type="submit" class="secondary">
        Show
      </button>
    </form>
  );
}

function RunHeading(props: ReviewRunPageProps & { base: string }) {
  const { run } = props;
  const exportable = props.campaignHref !== null && run.closedAt !== null;
  return (
    <>
      <div class="page-heading">
        <h1 class="wrap">{run.name}</h1>
        {exportable && (
          <div class="actions">
            <a class="button secondary" href={`${props.base}/evidence.csv`}>
              Evidence (CSV)
            </a>
            <a class="button secondary" href={`${props.base}/evidence.json`}>
              Evidence (JSON)
            </a>
          </div>
        )}
      </div>
      <p>
        <ReviewRunStatusBadge closedAt={run.closedAt} /> Opened <Time value={run.openedAt} timeZone={props.timeZone} />
        {run.closedAt ? (
          <>
            , closed <Time value={run.closedAt} timeZone={props.timeZone} />.
          </>
        ) : (
          <>
            ; deadline <Time value={run.deadlineAt} timeZone={props.timeZone} />: what is still pending then is{" "}
            {run.deadlineAction === "revoke" ? "revoked" : "kept and flagged"}.
          </>
        )}{" "}
        {props.campaignHref && <a href={props.campaignHref}>Campaign settings</a>}
      </p>
    </>
  );
}

export function ReviewRunPage(props: ReviewRunPageProps) {
  const base = `/admin/reviews/runs/${props.run.id}`;
  const bulkFormId = bulkDecisionFormId;
  const mode: ReviewRowsMode = { kind: "decide", actionBase: `${base}/items`, bulkFormId };
  return (
    <>
      <RunHeading {...props} base={base} />
      <FlashNotice flash={props.flash} />
      {props.progress && <ReviewRunProgress progress={props.progress} base={base} />}
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">{props.decide ? "Your items to decide" : "Items"}</h2>
        <Filters {...props} base={base} />
        {props.decide ? (
          props.decide.rows.length === 0 ? (
            <p class="empty">Nothing waits for you in this review. Items others decide are under "Every status".</p>
          ) : (
            <>
              <p>
                Keep or revoke each person's access. Revoking takes effect at once; keeping never extends an end date.
                {props.run.justificationRequired ? " Keeping needs a justification." : ""}
              </p>
              <BulkDecisionForm action={`${base}/decisions`} formId={bulkFormId} form={props.decide.form} />
              <ReviewItemsTable
                items={props.decide.rows}
                timeZone={props.timeZone}
                mode={mode}
                form={props.decide.form}
              />
            </>
          )
        ) : props.items.length === 0 ? (
          <p class="empty">No items match these filters.</p>
        ) : (
          <ReviewItemsReadTable
            items={props.items}
            timeZone={props.timeZone}
            reviewerNames={
              new Map(
                (props.progress?.byReviewer ?? []).flatMap((row) =>
                  row.reviewerName ? [[row.reviewerKey.slice(5), row.reviewerName] as const] : [],
                ),
              )
            }
          />
        )}
        <NextPageLink href={props.nextPageHref} />
        {!props.progress && !props.decide && <Notice kind="info">Only your own items are listed.</Notice>}
      </section>
    </>
  );
}
