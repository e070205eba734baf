// The words people read for the codes Gatehouse stores (docs/PRODUCT.md §2 and §3). Pages, flash
// messages and emails use these; the API, CSV exports and the database keep the codes. This module
// imports nothing, so views may import it too (test/security/view-imports.test.ts allows it alone).
import type { GlobalRole, MembershipRole } from "./db/schema";

export const userRoleLabels: Record<GlobalRole, string> = {
  SUPER_ADMIN: "Super admin",
  OPERATOR: "Operator",
  CONTRACTOR: "Contractor",
  CLIENT_USER: "Client user",
};

export const membershipRoleLabels: Record<MembershipRole, string> = {
  OPERATOR_FULL: "Full access",
  OPERATOR_READONLY: "Read-only",
  CLIENT_ADMIN: "Client admin",
  CLIENT_VIEWER: "Client viewer",
};

export const userStatusLabels = {
  PENDING: "Pending",
  ACTIVE: "Active",
  DEACTIVATED: "Deactivated",
} as const;

export function labelUserRole(role: GlobalRole): string {
  return userRoleLabels[role];
}

export function labelMembershipRole(role: MembershipRole): string {
  return membershipRoleLabels[role];
}

export function labelUserStatus(status: keyof typeof userStatusLabels): string {
  return userStatusLabels[status];
}
