// Where a membership form goes back to (its `returnTo`): only the three pages that show memberships
// (Admin → Memberships with its filters, a tenant's settings page, a user's Memberships tab), as
// sanitizeNextPath reads them. Anything else, however same-origin, goes to Admin → Memberships:
// a form must not be a way to send someone to an arbitrary page after an action.
import { sanitizeNextPath } from "../../http/navigation";

export const membershipsListPath = "/admin/memberships";

/** The pages that show memberships; the captured part names the user or tenant of the page. */
export const membershipOriginPatterns = {
  user: /^\/admin\/users\/([A-Za-z0-9_-]{1,64})\/memberships$/,
  tenant: /^\/admin\/tenants\/([a-z0-9-]{1,64})$/,
  list: /^\/admin\/memberships$/,
} as const;

export type MembershipOrigin = keyof typeof membershipOriginPatterns;

/** The page a membership form came from, or Admin → Memberships when `returnTo` names no such page. */
export function membershipReturnPath(returnTo: unknown): string {
  const path = sanitizeNextPath(typeof returnTo === "string" ? returnTo : undefined);
  if (!path) return membershipsListPath;
  const pathname = new URL(path, "https://gatehouse.invalid").pathname;
  return Object.values(membershipOriginPatterns).some((pattern) => pattern.test(pathname)) ? path : membershipsListPath;
}

/** The page after an action on a membership, scrolled to its row (membership-table.tsx gives rows this id). */
export function membershipRowPath(returnTo: string, membershipId: string): string {
  return `${returnTo}#membership-${membershipId}`;
}
