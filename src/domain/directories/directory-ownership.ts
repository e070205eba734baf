// What a directory owns of the people it holds (docs/PRODUCT.md §8 "Ownership"): names, email,
// active and the role (through its groups) are changed in the identity provider, never by hand in
// the console or the API; a client directory's people belong to its tenant alone. The directory
// itself (a service actor) and the system are not refused here: these rules are about people's hands.
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { directories, directoryUsers } from "../../db/schema";
import { AppError } from "../../errors";
import type { DomainContext } from "../context";

export interface OwningDirectory {
  id: string;
  name: string;
  /** The client directory's tenant; null for the staff directory. */
  tenantId: string | null;
}

/** The directory that holds the user now (linked, not deleted from it): a statement for the caller's batch. */
export function selectOwningDirectory(db: Db, userId: string | SQL) {
  const holder = db
    .select({ directoryId: directoryUsers.directoryId })
    .from(directoryUsers)
    .where(and(eq(directoryUsers.userId, userId), isNull(directoryUsers.deletedAt)));
  return db
    .select({ id: directories.id, name: directories.name, tenantId: directories.tenantId })
    .from(directories)
    .where(eq(directories.id, sql`(${holder})`))
    .limit(1);
}

export function managedByDirectoryError(directory: OwningDirectory, detail?: string): AppError {
  const message = `Managed by the directory “${directory.name}”: change this in ${directory.name}.`;
  return new AppError("STATE_CONFLICT", { detail: detail ? `${message} ${detail}` : message });
}

function isByHand(ctx: DomainContext): boolean {
  return ctx.actor.kind === "user";
}

/** The fields of a user a directory owns; slackId and the time zone stay the console's and the person's. */
export const directoryOwnedUserFields = ["firstName", "lastName", "displayName", "email", "role"] as const;

/** Refuses a hand change to a field the directory owns (only fields whose value would change). */
export function assertOwnedFieldsUnchanged(
  ctx: DomainContext,
  owner: OwningDirectory | null,
  current: Record<string, unknown>,
  changes: Record<string, unknown>,
): void {
  if (!owner || !isByHand(ctx)) return;
  const touched = directoryOwnedUserFields.filter(
    (field) => changes[field] !== undefined && changes[field] !== current[field],
  );
  if (touched.length > 0) throw managedByDirectoryError(owner);
}

/** Refuses deactivating or reactivating by hand a user a directory holds. */
export function assertActiveNotOwned(ctx: DomainContext, owner: OwningDirectory | null): void {
  if (owner && isByHand(ctx)) throw managedByDirectoryError(owner);
}

/** Refuses a hand grant of a membership outside the client directory's tenant. */
export function assertTenantFitsOwner(ctx: DomainContext, owner: OwningDirectory | null, tenantId: string): void {
  if (!owner?.tenantId || owner.tenantId === tenantId || !isByHand(ctx)) return;
  throw managedByDirectoryError(owner, "Its people belong to its company alone; they cannot join another tenant.");
}

/** Refuses a hand change of the role a client directory's groups set in its tenant. */
export function assertRoleNotOwned(ctx: DomainContext, owner: OwningDirectory | null, tenantId: string): void {
  if (!owner?.tenantId || owner.tenantId !== tenantId || !isByHand(ctx)) return;
  throw managedByDirectoryError(owner, "Its groups set the role here.");
}
