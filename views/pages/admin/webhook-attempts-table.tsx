// The newest attempts of one webhook endpoint, each with its delivery's state and "Resend".
import type { WebhookAttemptView } from "../../../src/domain/webhooks/webhook-endpoints-read";
import { labelAuditAction } from "../../../src/labels";
import { Time } from "../../components/time";
import { DeliveryStatusBadge } from "./webhook-parts";

function AttemptResult({ attempt }: { attempt: WebhookAttemptView }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  return (
    <>
      {ok ? "Accepted" : (attempt.error ?? "Refused")}
      <div class="muted">in {attempt.durationMs} ms</div>
    </>
  );
}

export function WebhookAttemptsTable(props: {
  endpointId: string;
  attempts: WebhookAttemptView[];
  /** How many attempts one delivery's schedule makes (domain/webhooks/webhook-delivery.ts). */
  attemptsPerSchedule: number;
  timeZone: string;
}) {
  return (
    <table class="data-table">
      <caption class="visually-hidden">Attempts, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">Response</th>
          <th scope="col">Result</th>
          <th scope="col">Delivery</th>
          <th scope="col">Next try</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.attempts.map((attempt) => {
          const { delivery } = attempt;
          return (
            <tr id={`attempt-${attempt.id}`}>
              <td class="cell-primary" data-label="Time">
                <Time value={attempt.at} timeZone={props.timeZone} />
              </td>
              <td data-label="Event">
                {labelAuditAction(delivery.eventType)}
                <div class="muted wrap">
                  <code>{delivery.eventType}</code> · <code>{delivery.eventId}</code>
                </div>
              </td>
              <td data-label="Response">{attempt.statusCode ?? "none"}</td>
              <td class="wrap" data-label="Result">
                <AttemptResult attempt={attempt} />
              </td>
              <td data-label="Delivery">
                <DeliveryStatusBadge status={delivery.status} />
                <div class="muted">
                  {delivery.status === "delivered"
                    ? `on attempt ${delivery.attempts}`
                    : `${delivery.attempts} of ${props.attemptsPerSchedule} attempts made`}
                </div>
              </td>
              <td data-label="Next try">
                {delivery.status === "pending" ? (
                  <Time value={delivery.nextAttemptAt} timeZone={props.timeZone} />
                ) : (
                  "—"
                )}
              </td>
              <td class="cell-actions" data-label="Actions">
                {delivery.status !== "sending" && (
                  <form
                    method="post"
                    action={`/admin/webhooks/${props.endpointId}/deliveries/${delivery.id}/resend`}
                    class="inline"
                  >
                    <button type="submit" class="secondary small">
                      Resend
                    </button>
                  </form>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
