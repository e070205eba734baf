// A review's progress (Super admins): totals by status as cards that filter the items, then the
// counts per tenant and per reviewer, so the auditor and the admin see who still has work.
import type { Child } from "hono/jsx";
import type { ReviewItemStatus } from "../../../src/db/schema";
import type { RunProgress, StatusCounts } from "../../../src/domain/reviews/review-run-progress";
import { describeReviewerKey } from "./review-parts";

const statusCards: Array<[ReviewItemStatus, string]> = [
  ["pending", "Pending"],
  ["kept", "Kept"],
  ["revoked", "Revoked"],
  ["ended_elsewhere", "Ended elsewhere"],
];

const count = (value: number) => value.toLocaleString("en-GB");

/** "49 of 73 items decided (67%)." */
function decidedSentence(totals: StatusCounts): string {
  const done = totals.total - totals.pending;
  const share = totals.total === 0 ? 100 : Math.floor((done / totals.total) * 100);
  return `${count(done)} of ${count(totals.total)} items decided or ended (${share}%).`;
}

function CountCells({ counts }: { counts: StatusCounts }) {
  return (
    <>
      <td data-label="Pending">{count(counts.pending)}</td>
      <td data-label="Kept">{count(counts.kept)}</td>
      <td data-label="Revoked">{count(counts.revoked)}</td>
      <td class="priority-low" data-label="Ended elsewhere">
        {count(counts.ended_elsewhere)}
      </td>
      <td data-label="Total">{count(counts.total)}</td>
    </>
  );
}

function CountsTable(props: {
  id: string;
  heading: string;
  first: string;
  rows: Array<{ label: Child; counts: StatusCounts }>;
}) {
  return (
    <>
      <h3 id={props.id}>{props.heading}</h3>
      <table class="data-table" aria-labelledby={props.id}>
        <CountHeadings first={props.first} />
        <tbody>
          {props.rows.map((row) => (
            <tr>
              <td class="cell-primary" data-label={props.first}>
                {row.label}
              </td>
              <CountCells counts={row.counts} />
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function CountHeadings({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col">Pending</th>
        <th scope="col">Kept</th>
        <th scope="col">Revoked</th>
        <th scope="col" class="priority-low">
          Ended elsewhere
        </th>
        <th scope="col">Total</th>
      </tr>
    </thead>
  );
}

export function ReviewRunProgress({ progress, base }: { progress: RunProgress; base: string }) {
  return (
    <section aria-labelledby="progress-heading">
      <h2 id="progress-heading">Progress</h2>
      <p>{decidedSentence(progress.totals)}</p>
      <ul class="attention">
        {/* "Ended elsewhere" only when it happened: three cards sit in one row on a laptop. */}
        {statusCards
          .filter(([status]) => status !== "ended_elsewhere" || progress.totals[status] > 0)
          .map(([status, label]) => (
            <li class="attention-card">
              <h3>{label}</h3>
              <p class="attention-count">{count(progress.totals[status])}</p>
              <a href={`${base}?status=${status}#items-heading`}>
                Show {label.toLowerCase()}
                <span class="visually-hidden"> items</span>
              </a>
            </li>
          ))}
      </ul>
      <CountsTable
        id="by-tenant-heading"
        heading="By tenant"
        first="Tenant"
        rows={progress.byTenant.map((row) => ({
          label: <a href={`${base}?tenantId=${encodeURIComponent(row.tenantId)}#items-heading`}>{row.tenantName}</a>,
          counts: row.counts,
        }))}
      />
      <CountsTable
        id="by-reviewer-heading"
        heading="By reviewer"
        first="Reviewer"
        rows={progress.byReviewer.map((row) => ({
          label: row.reviewerName ?? describeReviewerKey(row.reviewerKey),
          counts: row.counts,
        }))}
      />
    </section>
  );
}
