// Guards shared by every change to another user (docs/PRODUCT.md §1, §9):
// - to change, deactivate or grant to a user you must hold every permission they hold, and only a
//   SUPER_ADMIN touches a SUPER_ADMIN;
// - there is always at least one active SUPER_ADMIN. That one is enforced inside the write itself
//   (a conditional UPDATE whose WHERE counts the other active SUPER_ADMINs, plus a batch guard), so
//   two admins demoting each other at the same moment cannot both succeed.
import { type SQL, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { AppError } from "../../errors";
import type { DomainContext } from "../context";
import { type OwningDirectory, selectOwningDirectory } from "../directories/directory-ownership";
import {
  findUserWithPermissions,
  permissionsBeyondActor,
  selectUserWithPermissions,
  toUserWithPermissions,
  type UserWithPermissions,
} from "./permissions-of";
import type { UserRow } from "./users";

/** The user when they exist, are not erased and the actor may change them; NOT_FOUND or FORBIDDEN otherwise. */
export function assertManageable(ctx: DomainContext, subject: UserWithPermissions | null): UserRow {
  if (!subject || subject.user.erasedAt) throw new AppError("NOT_FOUND");
  assertMayManageUser(ctx, subject);
  return subject.user;
}

/** One query: the user's row and permissions, checked against the actor (assertManageable). */
export async function findManageableUser(ctx: DomainContext, userId: string): Promise<UserRow> {
  return assertManageable(ctx, await findUserWithPermissions(ctx, userId));
}

/** findManageableUser, with the directory that holds the user (what it owns is not changed by hand), in the same batch. */
export async function findManageableUserAndOwner(
  ctx: DomainContext,
  userId: string,
): Promise<{ user: UserRow; owner: OwningDirectory | null }> {
  const [userRows, permissionRows, ownerRows] = await ctx.db.batch([
    ...selectUserWithPermissions(ctx.db, userId),
    selectOwningDirectory(ctx.db, userId),
  ]);
  return { user: assertManageable(ctx, toUserWithPermissions(userRows, permissionRows)), owner: ownerRows[0] ?? null };
}

export function assertMayManageUser(ctx: DomainContext, { user: target, permissions }: UserWithPermissions): void {
  if (ctx.actor.kind === "system") return;
  if (ctx.actor.kind !== "user") throw new AppError("FORBIDDEN");
  const principal = ctx.actor.principal;
  if (target.role === "SUPER_ADMIN" && principal.user.role !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can change a Super admin." });
  }
  const missing = permissionsBeyondActor(ctx, permissions);
  if (missing.length > 0) {
    throw new AppError("FORBIDDEN", {
      detail: `To change this user you must hold every permission they hold; you lack ${missing.join(", ")}.`,
    });
  }
}

export function assertNotSelf(ctx: DomainContext, target: UserRow, what: string): void {
  if (ctx.actor.kind === "user" && ctx.actor.principal.user.id === target.id) {
    throw new AppError("FORBIDDEN", { detail: `You cannot ${what} your own account.` });
  }
}

/**
 * SQL condition for a write that would take `userId` out of the active SUPER_ADMINs: true when the
 * user is not an active SUPER_ADMIN, or another active SUPER_ADMIN exists at that moment.
 */
export function keepsAnotherActiveSuperAdmin(userId: string): SQL {
  const others = sql`(SELECT count(*) FROM users AS others WHERE others.role = 'SUPER_ADMIN'
    AND others.activated_at IS NOT NULL AND others.deactivated_at IS NULL AND others.id != ${userId})`;
  return sql`(${users.role} != 'SUPER_ADMIN' OR ${users.activatedAt} IS NULL OR ${users.deactivatedAt} IS NOT NULL OR ${others} >= 1)`;
}

export function lastSuperAdminError(): AppError {
  return new AppError("LAST_SUPER_ADMIN");
}
