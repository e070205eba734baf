// A user's status as a badge in the words of src/labels.ts, one tone per status (docs/DESIGN.md).
import type { SetupLinkState, UserStatus } from "../../src/domain/users/users";
import { labelUserStatus } from "../../src/labels";

const userStatusTone: Record<UserStatus, string> = {
  PENDING: "badge badge-warning",
  ACTIVE: "badge badge-success",
  DEACTIVATED: "badge badge-neutral",
};

/** With `setupLink`, a pending user's badge also says whether their link still works (the users list, their page). */
export function UserStatusBadge({ status, setupLink }: { status: UserStatus; setupLink?: SetupLinkState }) {
  const words =
    status === "PENDING" && setupLink
      ? `${labelUserStatus(status)} · ${setupLink === "valid" ? "link valid" : "link expired"}`
      : labelUserStatus(status);
  return <span class={userStatusTone[status]}>{words}</span>;
}
