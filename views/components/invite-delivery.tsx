// The "Setup email" line of the user page: what really happened to the user's latest setup-link
// email — queued and not sent yet, sent at a time, failing, failed, or never sent because its link
// was replaced, used or revoked first (`superseded`) — and "not needed" once the user has set up.
// The setup link shown to the admin never depends on it: a failed email only means "give them the
// link yourself".
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

export type InviteRecipientStatus = "PENDING" | "ACTIVE" | "DEACTIVATED";

const kindLabels: Record<string, string> = {
  invite: "Invite email",
  invite_resent: "Resent invite email",
  two_factor_reset: "Two-factor reset email",
};

const inviteKinds = new Set(["invite", "invite_resent"]);

function describeSuperseded(delivery: InviteDeliveryView, userStatus: InviteRecipientStatus | undefined): string {
  const label = kindLabels[delivery.kind] ?? "Email";
  if (userStatus === "DEACTIVATED") return `${label} not sent: the user was deactivated before delivery.`;
  if (userStatus === "ACTIVE" && inviteKinds.has(delivery.kind)) {
    return `Not needed: the user completed setup before the ${label.toLowerCase()} went out, so it was not sent.`;
  }
  if (userStatus === "ACTIVE") return `${label} not sent: the link in it was used before delivery.`;
  return `${label} not sent: the link in it was replaced before delivery.`;
}

export function InviteDeliveryState(props: {
  delivery: InviteDeliveryView | null;
  timeZone: string;
  messageHref?: string | null;
  /** The user's status: an active user's invite is no longer needed. */
  userStatus?: InviteRecipientStatus;
}) {
  const { delivery, timeZone, userStatus } = props;
  if (!delivery) {
    return userStatus === "ACTIVE" ? (
      <p class="muted">Not needed: the user is active.</p>
    ) : (
      <p class="muted">No setup email was queued for this user.</p>
    );
  }
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
          {label} sent <Time value={delivery.sentAt} timeZone={timeZone} />
          {userStatus === "ACTIVE" && inviteKinds.has(delivery.kind) ? "; no longer needed: the user is active." : "."}
          {link}
        </p>
      );
    case "superseded":
      return (
        <p class="muted">
          {describeSuperseded(delivery, userStatus)}
          {link}
        </p>
      );
    case "sending":
      return (
        <p>
          {label} is being sent now (attempt {delivery.attempts}).{link}
        </p>
      );
    case "pending":
      return delivery.attempts === 0 ? (
        <p>
          {label} queued <Time value={delivery.createdAt} timeZone={timeZone} />, not sent yet: it goes out with the
          next scheduled run.{link}
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
