// Which membership roles fit which global roles (docs/PRODUCT.md §1), and the expiry rule for contractors.
// Pure functions: used by invites, the memberships API and role changes alike.

import type { GlobalRole, MembershipRole } from "../../db/schema";
import { AppError, type FieldError } from "../../errors";
import { labelMembershipRole, labelUserRole } from "../../labels";

/** Memberships of staff (SUPER_ADMIN, OPERATOR, CONTRACTOR) and of client users. */
export const staffMembershipRoles = ["OPERATOR_FULL", "OPERATOR_READONLY"] as const satisfies readonly MembershipRole[];
export const clientMembershipRoles = ["CLIENT_ADMIN", "CLIENT_VIEWER"] as const satisfies readonly MembershipRole[];

const fittingMembershipRoles: Record<GlobalRole, readonly MembershipRole[]> = {
  SUPER_ADMIN: staffMembershipRoles,
  OPERATOR: staffMembershipRoles,
  CONTRACTOR: staffMembershipRoles,
  CLIENT_USER: clientMembershipRoles,
};

export function membershipRoleFits(globalRole: GlobalRole, membershipRole: MembershipRole): boolean {
  return fittingMembershipRoles[globalRole].includes(membershipRole);
}

export function fittingRolesFor(globalRole: GlobalRole): readonly MembershipRole[] {
  return fittingMembershipRoles[globalRole];
}

/** Field errors for one membership of a user with `globalRole`; `prefix` names the field path. */
export function findMembershipProblems(
  globalRole: GlobalRole,
  input: { role: MembershipRole; expiresAt: Date | null },
  now: Date,
  prefix = "",
): FieldError[] {
  const problems: FieldError[] = [];
  if (!membershipRoleFits(globalRole, input.role)) {
    problems.push({
      field: `${prefix}role`,
      message: `${labelMembershipRole(input.role)} does not fit the ${labelUserRole(globalRole)} role; use ${fittingMembershipRoles[globalRole].map(labelMembershipRole).join(" or ")}.`,
    });
  }
  if (globalRole === "CONTRACTOR" && input.expiresAt === null) {
    problems.push({ field: `${prefix}expiresAt`, message: "Contractor memberships need an expiry date." });
  }
  if (input.expiresAt !== null && input.expiresAt.getTime() <= now.getTime()) {
    problems.push({ field: `${prefix}expiresAt`, message: "The expiry must lie in the future." });
  }
  return problems;
}

export function assertMembershipFits(
  globalRole: GlobalRole,
  input: { role: MembershipRole; expiresAt: Date | null },
  now: Date,
): void {
  const problems = findMembershipProblems(globalRole, input, now);
  if (problems.length === 0) return;
  const roleProblem = problems.find((problem) => problem.field === "role");
  throw new AppError(roleProblem ? "MEMBERSHIP_ROLE_UNFIT" : "VALIDATION_FAILED", {
    detail: problems.map((problem) => problem.message).join(" "),
    fieldErrors: problems,
  });
}
