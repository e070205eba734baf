// Words and badges the access-review pages share (campaigns, a review's progress and items).
import type {
  ReviewCadence,
  ReviewClientSay,
  ReviewDeadlineAction,
  ReviewItemStatus,
  ReviewMembershipKinds,
} from "../../../src/db/schema";

export const cadenceWords: Record<ReviewCadence, string> = {
  quarterly: "Quarterly (every 3 months)",
  half_yearly: "Half-yearly (every 6 months, PCI DSS)",
  yearly: "Yearly",
  once: "Once",
};

export const membershipKindWords: Record<ReviewMembershipKinds, string> = {
  both: "Staff and client memberships",
  staff: "Staff memberships (Full access, Read-only)",
  client: "Client memberships (Client admin, Client viewer)",
};

export const clientSayWords: Record<ReviewClientSay, string> = {
  none: "Not asked",
  advisory: "Advisory: client admins advise, the staff reviewer decides",
  binding: "Binding: client admins decide about staff",
};

export const deadlineActionWords: Record<ReviewDeadlineAction, string> = {
  revoke: "Revoke what nobody decided",
  keep_flag: "Keep it and flag it",
};

const itemStatusWords: Record<ReviewItemStatus, readonly [string, string]> = {
  pending: ["Pending", "badge-warning"],
  kept: ["Kept", "badge-success"],
  revoked: ["Revoked", "badge-danger"],
  ended_elsewhere: ["Ended elsewhere", "badge-neutral"],
};

export function ReviewItemStatusBadge(props: { status: ReviewItemStatus; source?: string | null }) {
  const [label, tone] = itemStatusWords[props.status];
  const atDeadline = props.source === "deadline";
  return <span class={`badge ${tone}`}>{atDeadline ? `${label} at the deadline` : label}</span>;
}

/** A review (one run of a campaign): open until nothing is pending, then closed. */
export function ReviewRunStatusBadge({ closedAt }: { closedAt: Date | null }) {
  return closedAt ? <span class="badge badge-success">Closed</span> : <span class="badge badge-info">Open</span>;
}

/** A campaign's schedule: running, stopped, or a one-off that has run. */
export function CampaignStatusBadge(props: { stoppedAt: Date | null; nextRunAt: Date | null }) {
  if (props.stoppedAt) return <span class="badge badge-neutral">Stopped</span>;
  if (!props.nextRunAt) return <span class="badge badge-neutral">Done</span>;
  return <span class="badge badge-success">Scheduled</span>;
}

/** Who an item's reviewer is, in words. */
export function describeReviewerKey(key: string, names: ReadonlyMap<string, string> = new Map()): string {
  if (key === "super_admins") return "Super admins";
  if (key === "client_admins") return "Client admins";
  const userId = key.startsWith("user:") ? key.slice(5) : key;
  return names.get(userId) ?? "The person who granted it";
}
