// One access-review campaign (Super admins): its settings, Edit, Start now, Stop schedule, and its
// reviews newest first with what each still has pending.
import type { CampaignDetails } from "../../../src/domain/reviews/review-campaigns";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { Time } from "../../components/time";
import { formatCount } from "../../format";
import {
  CampaignStatusBadge,
  cadenceWords,
  clientSayWords,
  deadlineActionWords,
  membershipKindWords,
  ReviewRunStatusBadge,
} from "./review-parts";

export interface ReviewCampaignPageProps {
  timeZone: string;
  details: CampaignDetails;
  flash: Flash | undefined;
}

function CampaignFacts({ details, timeZone }: { details: CampaignDetails; timeZone: string }) {
  const { campaign } = details;
  return (
    <dl class="details">
      <dt>Schedule</dt>
      <dd>
        <CampaignStatusBadge stoppedAt={campaign.stoppedAt} nextRunAt={campaign.nextRunAt} />{" "}
        {campaign.nextRunAt && (
          <>
            next review <Time value={campaign.nextRunAt} timeZone={timeZone} />
          </>
        )}
        {campaign.stoppedAt && (
          <>
            stopped <Time value={campaign.stoppedAt} timeZone={timeZone} />
          </>
        )}
      </dd>
      <dt>Cadence</dt>
      <dd>
        {cadenceWords[campaign.cadence]}, from <Time value={campaign.startsAt} timeZone={timeZone} />
      </dd>
      <dt>Tenants</dt>
      <dd>
        {campaign.allTenants
          ? "Every tenant, as they are at each opening"
          : details.tenants.map((t) => t.name).join(", ")}
      </dd>
      <dt>Memberships</dt>
      <dd>{membershipKindWords[campaign.membershipKinds]}</dd>
      <dt>Duration</dt>
      <dd>{formatCount(campaign.durationDays, "day", "days")} from each opening to its deadline</dd>
      <dt>Client admins' say on staff</dt>
      <dd>{clientSayWords[campaign.clientSayOnStaff]}</dd>
      <dt>Justification to keep</dt>
      <dd>{campaign.justificationRequired ? "Required" : "Optional"}</dd>
      <dt>At the deadline</dt>
      <dd>{deadlineActionWords[campaign.deadlineAction]}</dd>
      <dt>Recommend revoke after</dt>
      <dd>{formatCount(campaign.inactiveAfterDays, "day", "days")} without a sign-in</dd>
    </dl>
  );
}

function RunsTable({ details, timeZone }: { details: CampaignDetails; timeZone: string }) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Reviews of this campaign</caption>
      <thead>
        <tr>
          <th scope="col">Opened</th>
          <th scope="col">Status</th>
          <th scope="col">Items</th>
          <th scope="col">Pending</th>
          <th scope="col">Deadline</th>
          <th scope="col" class="priority-low">
            Closed
          </th>
        </tr>
      </thead>
      <tbody>
        {details.runs.map((run) => (
          <tr>
            <td class="cell-primary" data-label="Opened">
              <a href={`/admin/reviews/runs/${run.id}`}>
                <Time value={run.openedAt} timeZone={timeZone} />
              </a>
            </td>
            <td data-label="Status">
              <ReviewRunStatusBadge closedAt={run.closedAt} />
            </td>
            <td data-label="Items">{run.itemCount.toLocaleString("en-GB")}</td>
            <td data-label="Pending">{run.pendingCount.toLocaleString("en-GB")}</td>
            <td data-label="Deadline">
              <Time value={run.deadlineAt} timeZone={timeZone} />
            </td>
            <td class="priority-low" data-label="Closed">
              {run.closedAt ? <Time value={run.closedAt} timeZone={timeZone} /> : "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReviewCampaignPage(props: ReviewCampaignPageProps) {
  const { campaign } = props.details;
  const base = `/admin/reviews/${campaign.id}`;
  const stopped = campaign.stoppedAt !== null;
  return (
    <>
      <div class="page-heading">
        <h1 class="wrap">{campaign.name}</h1>
        {!stopped && (
          <div class="actions">
            <form method="post" action={`${base}/start`} class="inline">
              <button type="submit">Start now</button>
            </form>
            <a class="button secondary" href={`${base}/edit`}>
              Edit
            </a>
          </div>
        )}
      </div>
      <FlashNotice flash={props.flash} />
      <CampaignFacts details={props.details} timeZone={props.timeZone} />
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Reviews</h2>
        {props.details.runs.length === 0 ? (
          <p class="empty">
            No review has opened yet. The first opens at the next review time above, or at once with "Start now".
          </p>
        ) : (
          <RunsTable details={props.details} timeZone={props.timeZone} />
        )}
      </section>
      {!stopped && (
        <section class="danger-zone" aria-labelledby="stop-heading">
          <h2 id="stop-heading">Stop the schedule</h2>
          <p>No further review opens. A review that is open runs on to its deadline; the evidence stays.</p>
          <a class="button danger" href={`${base}/stop`}>
            Stop schedule
          </a>
        </section>
      )}
    </>
  );
}
