// GET /api/v1/me: the caller, their live memberships and their console permissions, all from the
// principal loaded for this request (no second read of the user row).
import type { Principal } from "../access";
import { identityOf, type UserDto } from "../users/users";

export function describeCaller(principal: Principal) {
  const { user } = principal;
  // A principal is always an ACTIVE user with an enrolled authenticator: no setup link is live.
  const dto: UserDto = {
    ...identityOf(user),
    status: "ACTIVE",
    setupLinkExpiresAt: null,
    slackId: user.slackId,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    deactivatedAt: null,
  };
  return {
    user: dto,
    memberships: principal.memberships.map((membership) => ({
      id: membership.id,
      tenantId: membership.tenantId,
      tenantSlug: membership.tenantSlug,
      tenantName: membership.tenantName,
      role: membership.role,
      expiresAt: membership.expiresAt?.toISOString() ?? null,
    })),
    permissions: [...principal.permissions].sort(),
  };
}
