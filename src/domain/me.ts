// GET /api/v1/me: the caller, their live memberships and their console permissions.

import { AppError } from "../errors";
import type { Principal } from "./access";
import type { DomainContext } from "./context";
import { findUserById, toUserDto } from "./users";

export async function describeCaller(ctx: DomainContext, principal: Principal) {
  const user = await findUserById(ctx, principal.user.id);
  if (!user) throw new AppError("UNAUTHENTICATED");
  return {
    user: toUserDto(user),
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
