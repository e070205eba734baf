// Pieces the webhook pages share: how an endpoint is named, its status and a delivery's, in words.

import type { WebhookDeliveryStatus } from "../../../src/db/schema";
import type { WebhookEndpointSummary } from "../../../src/domain/webhooks/webhook-endpoints-read";

/** The host of an endpoint's URL, as the audit log names it. */
export function endpointHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Its description, else its host. */
export function endpointTitle(endpoint: { url: string; description: string }): string {
  return endpoint.description || endpointHost(endpoint.url);
}

const statusWords = {
  enabled: ["Enabled", "badge-success"],
  paused: ["Paused", "badge-neutral"],
  disabled: ["Disabled", "badge-danger"],
} as const;

export function EndpointStatusBadge({ status }: { status: WebhookEndpointSummary["status"] }) {
  const [label, tone] = statusWords[status];
  return <span class={`badge ${tone}`}>{label}</span>;
}

/** Why Gatehouse disabled an endpoint, in words. */
export function disabledReasonText(reason: WebhookEndpointSummary["disabledReason"]): string {
  if (reason === "gone") return "It answered 410 Gone, which means it wants no more deliveries.";
  if (reason === "failing") return "Every delivery to it failed for 5 days.";
  return "";
}

const deliveryWords: Record<WebhookDeliveryStatus, readonly [string, string]> = {
  pending: ["Waiting to retry", "badge-warning"],
  sending: ["Sending", "badge-info"],
  delivered: ["Delivered", "badge-success"],
  failed: ["Failed for good", "badge-danger"],
};

export function DeliveryStatusBadge({ status }: { status: WebhookDeliveryStatus }) {
  const [label, tone] = deliveryWords[status];
  return <span class={`badge ${tone}`}>{label}</span>;
}

/** "Every event type", or how many. */
export function eventTypesText(eventTypes: string[]): string {
  if (eventTypes.length === 0) return "Every event type";
  return eventTypes.length === 1 ? "1 event type" : `${eventTypes.length} event types`;
}
