// What the user tabs and membership tables share: the header's subject, which tabs a principal
// sees, and membership rows in the viewer's time zone.
import { addDays } from "date-fns";
import type { MembershipTableProps, MembershipTableRow } from "../../../views/components/membership-table";
import type { UserTab } from "../../../views/components/user-header";
import { hasPermission, type Principal } from "../../domain/access";
import type { MembershipWithParties } from "../../domain/memberships/memberships-read";
import { fittingRolesFor } from "../../domain/memberships/memberships-rules";
import { deriveSetupLinkState, deriveUserStatus, type UserRow } from "../../domain/users/users";
import { isoToLocalDateTime } from "../../http/time-input";

export function userSubject(user: UserRow, now: Date) {
  return {
    ...user,
    status: deriveUserStatus(user),
    setupLink: deriveSetupLinkState(user, now),
    setupLinkExpiresAt: user.setupTokenExpiresAt,
  };
}

export function visibleUserTabs(principal: Principal): UserTab[] {
  const tabs: UserTab[] = ["details"];
  if (hasPermission(principal, "memberships:read")) tabs.push("memberships");
  if (hasPermission(principal, "groups:read")) tabs.push("access-groups");
  tabs.push("security");
  return tabs;
}

export function toMembershipTableRows(rows: MembershipWithParties[], timeZone: string): MembershipTableRow[] {
  return rows.map((row) => ({
    id: row.membership.id,
    userId: row.membership.userId,
    userName: row.userName,
    userEmail: row.userEmail,
    tenantName: row.tenantName,
    tenantSlug: row.tenantSlug,
    role: row.membership.role,
    expiresAt: row.membership.expiresAt,
    expiresAtLocal: isoToLocalDateTime(row.membership.expiresAt, timeZone),
    roleOptions: fittingRolesFor(row.userRole),
  }));
}

export function membershipTableProps(
  principal: Principal,
  rows: MembershipWithParties[],
  now: Date,
  options: { show: MembershipTableProps["show"]; returnTo: string; caption: string },
): MembershipTableProps {
  return {
    rows: toMembershipTableRows(rows, principal.user.timeZone),
    timeZone: principal.user.timeZone,
    canUpdate: hasPermission(principal, "memberships:update"),
    canDelete: hasPermission(principal, "memberships:delete"),
    soonBefore: addDays(now, 14),
    ...options,
  };
}
