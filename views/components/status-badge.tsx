// A user's status as a badge in the words of src/labels.ts, one tone per status (docs/DESIGN.md).
import type { UserStatus } from "../../src/domain/users/users";
import { labelUserStatus } from "../../src/labels";

const userStatusTone: Record<UserStatus, string> = {
  PENDING: "badge badge-warning",
  ACTIVE: "badge badge-success",
  DEACTIVATED: "badge badge-neutral",
};

export function UserStatusBadge({ status }: { status: UserStatus }) {
  return <span class={userStatusTone[status]}>{labelUserStatus(status)}</span>;
}
