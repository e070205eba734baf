// Admin → Webhooks (SUPER_ADMIN only): the endpoints events are sent to, with what waits or failed.
import type { WebhookEndpointSummary } from "../../../src/domain/webhooks/webhook-endpoints-read";
import type { Flash } from "../../../src/http/flash";
import { FlashNotice } from "../../components/flash-notice";
import { Notice } from "../../components/form-fields";
import { Time } from "../../components/time";
import { EndpointStatusBadge, endpointHost, endpointTitle, eventTypesText } from "./webhook-parts";

export interface WebhookEndpointsPageProps {
  timeZone: string;
  rows: WebhookEndpointSummary[];
  truncated: boolean;
  flash: Flash | undefined;
}

function EndpointRow({ row, timeZone }: { row: WebhookEndpointSummary; timeZone: string }) {
  const waiting = row.deliveries.pending + row.deliveries.sending;
  return (
    <tr>
      <td class="cell-primary" data-label="Endpoint">
        <a href={`/admin/webhooks/${row.id}`}>{endpointTitle(row)}</a>
        {row.description && <div class="muted wrap">{endpointHost(row.url)}</div>}
      </td>
      <td data-label="Status">
        <EndpointStatusBadge status={row.status} />
      </td>
      <td data-label="Receives">{eventTypesText(row.eventTypes)}</td>
      <td data-label="Tenant">{row.tenant ? row.tenant.name : "Every tenant"}</td>
      <td data-label="Waiting">{waiting}</td>
      <td data-label="Failed">{row.deliveries.failed}</td>
      <td class="priority-low" data-label="Last success">
        {row.lastSuccessAt ? <Time value={row.lastSuccessAt} timeZone={timeZone} /> : "never"}
      </td>
    </tr>
  );
}

export function WebhookEndpointsPage(props: WebhookEndpointsPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Webhooks</h1>
        <div class="actions">
          <a class="button" href="/admin/webhooks/new">
            Add endpoint
          </a>
        </div>
      </div>
      <FlashNotice flash={props.flash} />
      <p>
        Gatehouse sends every event it records (the audit log's entries) to these URLs as signed POST requests (Standard
        Webhooks), retrying a failed one for about a day. A consumer that was down can also read what it missed from the
        events API.
      </p>
      {props.rows.length === 0 ? (
        <p class="empty">No endpoints yet. Add one with "Add endpoint"; its signing secret is shown once.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Status</th>
              <th scope="col">Receives</th>
              <th scope="col">Tenant</th>
              <th scope="col">Waiting</th>
              <th scope="col">Failed</th>
              <th scope="col" class="priority-low">
                Last success
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <EndpointRow row={row} timeZone={props.timeZone} />
            ))}
          </tbody>
        </table>
      )}
      {props.truncated && <Notice kind="info">Only the newest {props.rows.length} endpoints are listed.</Notice>}
    </>
  );
}
