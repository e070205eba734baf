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
import { formatDate } from "../../../views/format";
import type { MembershipRole } from "../../db/schema";
import { hasPermission, type Principal } from "../../domain/access";
import type { NamedMembership } from "../../domain/memberships/memberships";
import type { MembershipWithParties } from "../../domain/memberships/memberships-read";
import { deriveSetupLinkState, deriveUserStatus, type UserRow } from "../../domain/users/users";
import type { FieldErrors } from "../../http/forms";
import { labelMembershipRole } from "../../labels";

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

export function toMembershipTableRow(row: MembershipWithParties): MembershipTableRow {
  const { membership } = row;
  return {
    id: membership.id,
    userId: membership.userId,
    userName: row.userName,
    userEmail: row.userEmail,
    tenantName: row.tenantName,
    tenantSlug: row.tenantSlug,
    role: membership.role,
    expiresAt: membership.expiresAt,
    createdAt: membership.createdAt,
  };
}

/**
 * The membership forms of a page shown again after a refusal (memberships.tsx): the add form with
 * what was typed (and, after a duplicate, the membership that exists), or the one row whose
 * extension was refused.
 */
export interface MembershipFormsShownAgain {
  add?: { values: Record<string, string>; errors: FieldErrors; existingMembershipId?: string | undefined };
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
    rows: rows.map(toMembershipTableRow),
    timeZone: principal.user.timeZone,
    canUpdate: hasPermission(principal, "memberships:update"),
    canDelete: hasPermission(principal, "memberships:delete"),
    soonBefore: addDays(now, 14),
    ...options,
  };
}

/**
 * Where a person sees a membership that exists: its edit page (back to `returnTo` after), or its
 * row on the page they are on when they may not edit it.
 */
export function existingMembershipHref(principal: Principal, membershipId: string, returnTo: string): string {
  return hasPermission(principal, "memberships:update")
    ? `/admin/memberships/${membershipId}/edit?returnTo=${encodeURIComponent(returnTo)}`
    : `${returnTo}#membership-${membershipId}`;
}

/** The add-a-membership form of a page: empty, or as typed with its errors after a refusal. */
export function membershipFormProps(
  principal: Principal,
  form: Omit<MembershipFormProps, "values" | "errors" | "timeZone" | "existingMembershipHref">,
  shownAgain: MembershipFormsShownAgain["add"],
): MembershipFormProps {
  return {
    ...form,
    values: shownAgain?.values ?? {},
    errors: shownAgain?.errors ?? {},
    timeZone: principal.user.timeZone,
    existingMembershipHref: shownAgain?.existingMembershipId
      ? existingMembershipHref(principal, shownAgain.existingMembershipId, form.returnTo)
      : undefined,
  };
}

/** After a grant: "Olga Operator now has Read-only access to Globex" (until when, if it ends). */
export function describeGrant(membership: NamedMembership, timeZone: string): string {
  const until = membership.expiresAt ? ` until ${formatDate(membership.expiresAt, timeZone)}` : "";
  const role = labelMembershipRole(membership.role);
  // "Full access" already says it; "Read-only" and "Client viewer" take the word.
  const access = role.endsWith("access") ? role : `${role} access`;
  return `${membership.userName} now has ${access} to ${membership.tenantName}${until}`;
}

/** After an extension: "Carl Contractor's access to Acme Corp now ends 11 Jan 2027" (the day in the admin's zone). */
export function describeNewEnd(membership: NamedMembership, timeZone: string): string {
  const end = membership.expiresAt ? `ends ${formatDate(membership.expiresAt, timeZone)}` : "has no end date";
  return `${membership.userName}'s access to ${membership.tenantName} now ${end}`;
}

/** After an edit: the new role and end when the role changed, else the new end. */
export function describeMembershipChange(before: { role: MembershipRole }, after: NamedMembership, timeZone: string) {
  return before.role === after.role ? describeNewEnd(after, timeZone) : describeGrant(after, timeZone);
}
