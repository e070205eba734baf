// The console permissions a given user holds (not the caller): used by the rule "to change,
// deactivate or grant to a user you must hold every permission they hold" (SPEC §9).
import { eq } from "drizzle-orm";
import { accessGroupMembers, accessGroupPermissions, users } from "../db/schema";
import { type Permission, type Principal, resolvePermissions } from "./access";
import type { DomainContext } from "./context";

export async function findUserPermissions(ctx: Pick<DomainContext, "db">, userId: string): Promise<ReadonlySet<Permission>> {
  const [userRows, permissionRows] = await ctx.db.batch([
    ctx.db.select({ role: users.role }).from(users).where(eq(users.id, userId)).limit(1),
    ctx.db
      .selectDistinct({ permission: accessGroupPermissions.permission })
      .from(accessGroupPermissions)
      .innerJoin(accessGroupMembers, eq(accessGroupMembers.groupId, accessGroupPermissions.groupId))
      .where(eq(accessGroupMembers.userId, userId)),
  ]);
  const role = userRows[0]?.role;
  if (!role) return new Set();
  return resolvePermissions(
    role,
    permissionRows.map((row) => row.permission),
  );
}

/** The permissions in `wanted` that the caller does not hold (empty when the caller holds them all). */
export function findMissingPermissions(principal: Principal, wanted: Iterable<Permission>): Permission[] {
  return [...wanted].filter((permission) => !principal.permissions.has(permission));
}
