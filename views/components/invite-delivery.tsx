// The delivery state of a user's latest setup-link email (for the user page). The setup link
// shown to the admin never depends on it: a failed email only means "give them the link yourself".
import type { OutboxStatus } from "../../src/domain/outbox";
import { Notice } from "./form-fields";
import { Time } from "./time";

export interface InviteDeliveryView {
  kind: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
}

const kindLabels: Record<string, string> = {
  invite: "Invite email",
  invite_resent: "Resent invite email",
  two_factor_reset: "Two-factor reset email",
};

export function InviteDeliveryState(props: {
  delivery: InviteDeliveryView | null;
  timeZone: string;
  messageHref?: string | null;
}) {
  const { delivery, timeZone } = props;
  if (!delivery) return <p class="muted">No invite email was queued for this user.</p>;
  const label = kindLabels[delivery.kind] ?? "Email";
  const link = props.messageHref ? (
    <>
      {" "}
      <a href={props.messageHref}>View message</a>
    </>
  ) : null;
  switch (delivery.status) {
    case "sent":
      return (
        <p>
          {label} sent <Time value={delivery.sentAt} timeZone={timeZone} />.{link}
        </p>
      );
    case "sending":
      return (
        <p>
          {label} is being sent (attempt {delivery.attempts}).{link}
        </p>
      );
    case "pending":
      return delivery.attempts === 0 ? (
        <p>
          {label} queued <Time value={delivery.createdAt} timeZone={timeZone} />; it goes out with the next scheduled
          run.{link}
        </p>
      ) : (
        <Notice kind="warning">
          {label} not delivered yet: attempt {delivery.attempts} failed ({delivery.lastError ?? "no detail"}). Next try{" "}
          <Time value={delivery.nextAttemptAt} timeZone={timeZone} />.{link}
        </Notice>
      );
    case "failed":
      return (
        <Notice kind="error">
          {label} could not be delivered after {delivery.attempts} attempt{delivery.attempts === 1 ? "" : "s"}:{" "}
          {delivery.lastError ?? "no detail"}. Give them a setup link another way (regenerating shows a new one).{link}
        </Notice>
      );
  }
}
