// What a user's details page (/admin/users/:id) shows and its edit form needs, in ONE batch: the
// user, the console permissions they hold (the edit checks "who may change whom" against them)
// the delivery state of their latest setup-link email and the directory that holds them.
import type { DomainContext } from "../context";
import { type OwningDirectory, selectOwningDirectory } from "../directories/directory-ownership";
import { type InviteDelivery, selectInviteDelivery } from "../outbox";
import { selectUserWithPermissions, toUserWithPermissions, type UserWithPermissions } from "./permissions-of";

export interface UserDetails {
  subject: UserWithPermissions;
  delivery: InviteDelivery | null;
  /** The directory that holds the user: the page shows its fields read-only and says so. */
  ownedBy: OwningDirectory | null;
}

/** The user's details, or null when there is no such user (erased users are for the caller to refuse). */
export async function findUserDetails(ctx: Pick<DomainContext, "db">, userId: string): Promise<UserDetails | null> {
  const [userRows, permissionRows, deliveryRows, ownerRows] = await ctx.db.batch([
    ...selectUserWithPermissions(ctx.db, userId),
    selectInviteDelivery(ctx.db, userId),
    selectOwningDirectory(ctx.db, userId),
  ]);
  const subject = toUserWithPermissions(userRows, permissionRows);
  return subject ? { subject, delivery: deliveryRows[0] ?? null, ownedBy: ownerRows[0] ?? null } : null;
}
