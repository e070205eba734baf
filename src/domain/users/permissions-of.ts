// The console permissions a given user holds (not the caller): used by the rule "to change,
// deactivate or grant to a user you must hold every permission they hold" (docs/PRODUCT.md §9).
import { eq, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accessGroupMembers, accessGroupPermissions, users } from "../../db/schema";
import { type Permission, resolvePermissions } from "../access";
import type { DomainContext } from "../context";
import type { UserRow } from "./users";

/** A user's row with the console permissions they hold, which "who may change whom" compares. */
export interface UserWithPermissions {
  user: UserRow;
  permissions: ReadonlySet<Permission>;
}

/**
 * The two reads behind UserWithPermissions, to run inside one db.batch() (alone or with other
 * reads of the same request). `userId` may be a subquery, e.g. a membership's user_id.
 */
export function selectUserWithPermissions(db: Db, userId: string | SQL) {
  return [
    db.select().from(users).where(eq(users.id, userId)).limit(1),
    db
      .selectDistinct({ permission: accessGroupPermissions.permission })
      .from(accessGroupPermissions)
      .innerJoin(accessGroupMembers, eq(accessGroupMembers.groupId, accessGroupPermissions.groupId))
      .where(eq(accessGroupMembers.userId, userId)),
  ] as const;
}

export function toUserWithPermissions(
  userRows: UserRow[],
  permissionRows: Array<{ permission: string }>,
): UserWithPermissions | null {
  const user = userRows[0];
  if (!user) return null;
  return {
    user,
    permissions: resolvePermissions(
      user.role,
      permissionRows.map((row) => row.permission),
    ),
  };
}

/** The user and their permissions in one query, or null when there is no such user. */
export async function findUserWithPermissions(
  ctx: Pick<DomainContext, "db">,
  userId: string,
): Promise<UserWithPermissions | null> {
  const [userRows, permissionRows] = await ctx.db.batch([...selectUserWithPermissions(ctx.db, userId)]);
  return toUserWithPermissions(userRows, permissionRows);
}

/** The actor's permissions, or null when the actor is unrestricted (the system, a SUPER_ADMIN). */
export function restrictedPermissionsOf(ctx: DomainContext): ReadonlySet<Permission> | null {
  if (ctx.actor.kind === "system") return null;
  if (ctx.actor.kind !== "user") return new Set();
  const principal = ctx.actor.principal;
  return principal.user.role === "SUPER_ADMIN" ? null : principal.permissions;
}

/** The permissions in `wanted` the actor does not hold (none for an unrestricted actor). */
export function permissionsBeyondActor(ctx: DomainContext, wanted: Iterable<Permission>): Permission[] {
  const held = restrictedPermissionsOf(ctx);
  return held === null ? [] : [...wanted].filter((permission) => !held.has(permission));
}
