// Admin → Access reviews: "Your reviews" (the open reviews with items this person decides or advises
// on, for every staff member) and, for Super admins, the campaigns with "New campaign".
import type { ReviewCampaignRow } from "../../../src/domain/reviews/review-campaigns";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { NextPageLink } from "../../components/next-page-link";
import { Time } from "../../components/time";
import { formatCount } from "../../format";
import { CampaignStatusBadge, cadenceWords } from "./review-parts";

export interface YourReviewRow {
  runId: string;
  name: string;
  deadlineAt: Date;
  pending: number;
}

export interface ReviewsPageProps {
  timeZone: string;
  yourReviews: YourReviewRow[];
  /** Null for someone who is not a Super admin. */
  campaigns: { rows: ReviewCampaignRow[]; nextPageHref: string | null } | null;
  flash: Flash | undefined;
}

function YourReviews({ rows, timeZone }: { rows: YourReviewRow[]; timeZone: string }) {
  return (
    <section aria-labelledby="your-reviews-heading">
      <h2 id="your-reviews-heading">Your reviews</h2>
      {rows.length === 0 ? (
        <p class="empty">
          Nothing waits for you. When a review opens with access you are asked about, it shows here and you get an
          email.
        </p>
      ) : (
        <ul class="attention">
          {rows.map((row) => (
            <li class="attention-card">
              <h3>{row.name}</h3>
              <p class="attention-count">{row.pending.toLocaleString("en-GB")}</p>
              <p class="muted">
                {row.pending === 1 ? "item" : "items"} to decide by <Time value={row.deadlineAt} timeZone={timeZone} />
              </p>
              <a href={`/admin/reviews/runs/${row.runId}?mine=1`}>Review now</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CampaignsTable({ rows, timeZone }: { rows: ReviewCampaignRow[]; timeZone: string }) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Campaigns</caption>
      <thead>
        <tr>
          <th scope="col">Campaign</th>
          <th scope="col">Schedule</th>
          <th scope="col">Cadence</th>
          <th scope="col">Next review</th>
          <th scope="col" class="priority-low">
            Duration
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <td class="cell-primary" data-label="Campaign">
              <a href={`/admin/reviews/${row.id}`}>{row.name}</a>
            </td>
            <td data-label="Schedule">
              <CampaignStatusBadge stoppedAt={row.stoppedAt} nextRunAt={row.nextRunAt} />
            </td>
            <td data-label="Cadence">{cadenceWords[row.cadence]}</td>
            <td data-label="Next review">{row.nextRunAt ? <Time value={row.nextRunAt} timeZone={timeZone} /> : "—"}</td>
            <td class="priority-low" data-label="Duration">
              {formatCount(row.durationDays, "day", "days")}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReviewsPage(props: ReviewsPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Access reviews</h1>
        {props.campaigns && (
          <div class="actions">
            <a class="button" href="/admin/reviews/new">
              New campaign
            </a>
          </div>
        )}
      </div>
      <FlashNotice flash={props.flash} />
      <YourReviews rows={props.yourReviews} timeZone={props.timeZone} />
      {props.campaigns && (
        <section aria-labelledby="campaigns-heading">
          <h2 id="campaigns-heading">Campaigns</h2>
          <p>
            A campaign opens a review of who may see each tenant on its cadence; the reviewers keep or revoke each
            membership, and whatever nobody vouches for is handled at the deadline as the campaign says.
          </p>
          {props.campaigns.rows.length === 0 ? (
            <p class="empty">No campaigns yet. "New campaign" sets one up: half-yearly is the PCI DSS preset.</p>
          ) : (
            <CampaignsTable rows={props.campaigns.rows} timeZone={props.timeZone} />
          )}
          <NextPageLink href={props.campaigns.nextPageHref} />
        </section>
      )}
    </>
  );
}
