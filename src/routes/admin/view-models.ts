// The admin console's view models: domain rows → the props its pages take. The user tabs' header
// (subject, which tabs a principal sees) and the membership tables, in the viewer's time zone,
// with a refused form shown again where it was.
import { addDays } from "date-fns";
import type { MembershipFormProps } from "../../../views/components/membership-form";
import type {
  MembershipTableProps,
  MembershipTableRow,
  RefusedMembershipRow,
} from "../../../views/components/membership-table";
import type { UserTab } from "../../../views/components/user-header";
import { hasPermission, type Principal } from "../../domain/access";
import type { MembershipWithParties } from "../../domain/memberships/memberships-read";
import { fittingRolesFor } from "../../domain/memberships/memberships-rules";
import { deriveSetupLinkState, deriveUserStatus, type UserRow } from "../../domain/users/users";
import type { FieldErrors } from "../../http/forms";
import { isoToLocalDateTime } from "../../http/time-input";

/** How a message names a person: "Dana Doe". */
export function fullName(user: { firstName: string; lastName: string }): string {
  return `${user.firstName} ${user.lastName}`;
}

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

/**
 * The membership forms of a page shown again after a refusal (memberships.tsx): the add form with
 * what was typed, or the one row whose change or extension was refused.
 */
export interface MembershipFormsShownAgain {
  add?: { values: Record<string, string>; errors: FieldErrors };
  row?: RefusedMembershipRow;
}

export function membershipTableProps(
  principal: Principal,
  rows: MembershipWithParties[],
  now: Date,
  options: {
    show: MembershipTableProps["show"];
    returnTo: string;
    caption: string;
    refused?: RefusedMembershipRow | undefined;
  },
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

/** The add-a-membership form of a page: empty, or as typed with its errors after a refusal. */
export function membershipFormProps(
  principal: Principal,
  form: Omit<MembershipFormProps, "values" | "errors" | "timeZone">,
  shownAgain: MembershipFormsShownAgain["add"],
): MembershipFormProps {
  return {
    ...form,
    values: shownAgain?.values ?? {},
    errors: shownAgain?.errors ?? {},
    timeZone: principal.user.timeZone,
  };
}
