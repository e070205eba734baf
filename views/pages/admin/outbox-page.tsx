// Admin → Outbox (SUPER_ADMIN only): every queued email, newest first, with its delivery state.
import type { OutboxStatus } from "../../../src/domain/outbox";
import { labelEmailKind, outboxStatusLabels } from "../../../src/labels";
import { Notice } from "../../components/form-fields";
import { NextPageLink } from "../../components/next-page-link";
import { Time } from "../../components/time";

export interface OutboxListRow {
  id: string;
  toAddress: string;
  subject: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface OutboxPageProps {
  timeZone: string;
  provider: string;
  rows: OutboxListRow[];
  status: string;
  counts: { failed: number; waiting: number };
  nextPageHref: string | null;
}

const statusBadgeClass: Record<OutboxStatus, string> = {
  pending: "badge badge-warning",
  sending: "badge badge-warning",
  sent: "badge badge-success",
  failed: "badge badge-danger",
  superseded: "badge badge-neutral",
};

/** Why a superseded message was never sent (the Outbox list and the message page). */
export const supersededExplanation =
  "Not sent: the setup link in it was replaced, used or revoked before delivery, so it would not have worked.";

export function OutboxStatusBadge({ status }: { status: OutboxStatus }) {
  return <span class={statusBadgeClass[status]}>{outboxStatusLabels[status]}</span>;
}

export function OutboxPage(props: OutboxPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Outbox</h1>
      </div>
      <p class="muted">
        Emails are delivered by the scheduled jobs every five minutes through the <code>{props.provider}</code>{" "}
        provider, retried with back-off, and marked failed after the last attempt. An invite or setup email whose link
        was replaced, used or revoked before delivery is not sent. Messages can contain live setup links: only Super
        admins see this page.
      </p>
      {props.counts.failed > 0 && (
        <Notice kind="error">
          {props.counts.failed} message{props.counts.failed === 1 ? "" : "s"} could not be delivered.{" "}
          <a href="/admin/outbox?status=failed">Show them</a>
        </Notice>
      )}
      {props.counts.waiting > 0 && <p>{props.counts.waiting} waiting for delivery.</p>}
      <form method="get" action="/admin/outbox" class="filters" aria-label="Filter messages">
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            <option value="" selected={props.status === ""}>
              Any status
            </option>
            {(Object.keys(outboxStatusLabels) as OutboxStatus[]).map((status) => (
              <option value={status} selected={props.status === status}>
                {outboxStatusLabels[status]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      {props.rows.length === 0 ? (
        <p class="empty">No messages.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Messages</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">To</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col" class="priority-low">
                Attempts
              </th>
              <th scope="col">Last error</th>
              <th scope="col" class="priority-low">
                Created
              </th>
              <th scope="col">Sent</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td class="cell-primary" data-label="Subject">
                  <a href={`/admin/outbox/${row.id}`}>{row.subject}</a>
                </td>
                <td class="wrap" data-label="To">
                  {row.toAddress}
                </td>
                <td data-label="Kind">{labelEmailKind(row.kind)}</td>
                <td data-label="Status">
                  <OutboxStatusBadge status={row.status} />
                </td>
                <td class="priority-low" data-label="Attempts">
                  {row.attempts}
                </td>
                <td class="wrap" data-label="Last error">
                  {row.status === "superseded" ? supersededExplanation : (row.lastError ?? "—")}
                </td>
                <td class="priority-low" data-label="Created">
                  <Time value={row.createdAt} timeZone={props.timeZone} />
                </td>
                <td data-label="Sent">
                  <Time value={row.sentAt} timeZone={props.timeZone} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPageLink href={props.nextPageHref} />
    </>
  );
}
