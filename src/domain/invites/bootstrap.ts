// The first SUPER_ADMIN (docs/PRODUCT.md §8). On an empty database, invite BOOTSTRAP_ADMIN_EMAIL as
// SUPER_ADMIN; while that first admin has not finished setup (and no SUPER_ADMIN is active),
// issue a fresh link on each start so the console always prints one that works. Once anyone is
// active, it does nothing.
import { count } from "drizzle-orm";
import { users } from "../../db/schema";
import type { DomainContext } from "../context";
import { deriveUserStatus, findUserByEmail } from "../users/users";
import { activeSuperAdminCondition } from "../users/users-list";
import { type InviteResult, inviteUser } from "./invites";
import { regenerateSetupLink } from "./setup-links";

export type BootstrapOutcome =
  | { kind: "created"; invite: InviteResult }
  | { kind: "link_renewed"; invite: InviteResult }
  | { kind: "nothing_to_do" };

export async function bootstrapFirstAdmin(ctx: DomainContext): Promise<BootstrapOutcome> {
  const [userCount, activeAdmins] = await ctx.db.batch([
    ctx.db.select({ value: count() }).from(users),
    ctx.db.select({ value: count() }).from(users).where(activeSuperAdminCondition()),
  ]);
  if ((userCount[0]?.value ?? 0) === 0) {
    const invite = await inviteUser(ctx, {
      email: ctx.config.BOOTSTRAP_ADMIN_EMAIL.trim().toLowerCase(),
      firstName: "Gatehouse",
      lastName: "Administrator",
      role: "SUPER_ADMIN",
      slackId: null,
      memberships: [],
    });
    return { kind: "created", invite };
  }
  if ((activeAdmins[0]?.value ?? 0) > 0) return { kind: "nothing_to_do" };
  const firstAdmin = await findUserByEmail(ctx, ctx.config.BOOTSTRAP_ADMIN_EMAIL);
  if (firstAdmin?.role !== "SUPER_ADMIN" || deriveUserStatus(firstAdmin) !== "PENDING")
    return { kind: "nothing_to_do" };
  return { kind: "link_renewed", invite: await regenerateSetupLink(ctx, firstAdmin.id) };
}
