// Changing an existing user (docs/PRODUCT.md §2 "Deactivate, reactivate, erase", §9): details and role,
// deactivation (a soft delete that kills every session and API token at once), reactivation.
import { and, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { deleteUserSessions } from "../../auth/session";
import { runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import {
  accessGroupMembers,
  accessGroups,
  apiTokens,
  type GlobalRole,
  globalRoles,
  memberships,
  signInChallenges,
  tenants,
  users,
} from "../../db/schema";
import { AppError } from "../../errors";
import { labelMembershipRole, labelUserRole } from "../../labels";
import { describeUser, insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import {
  assertActiveNotOwned,
  assertOwnedFieldsUnchanged,
  type OwningDirectory,
} from "../directories/directory-ownership";
import { fittingRolesFor } from "../memberships/memberships-rules";
import { supersedeSetupLinkEmails } from "../outbox";
import {
  assertNotSelf,
  findManageableUserAndOwner,
  keepsAnotherActiveSuperAdmin,
  lastSuperAdminError,
} from "./user-guards";
import {
  assertMayAssignRole,
  displayNameSchema,
  findUserById,
  firstNameSchema,
  lastNameSchema,
  slackIdSchema,
  type UserRow,
} from "./users";

export const updateUserSchema = z.strictObject({
  firstName: firstNameSchema.optional(),
  lastName: lastNameSchema.optional(),
  displayName: displayNameSchema.optional(),
  slackId: slackIdSchema.nullable().optional(),
  role: z.enum(globalRoles, "Choose a global role.").optional(),
});

export type UserChanges = z.output<typeof updateUserSchema>;

/** A membership or group that stops fitting when the user's global role changes. */
function unfitMembershipsCondition(userId: string, role: GlobalRole): SQL {
  const allowed = fittingRolesFor(role)
    .map((r) => `'${r}'`)
    .join(", ");
  const contractorNeedsExpiry = role === "CONTRACTOR" ? sql` OR m.expires_at IS NULL` : sql``;
  return sql`EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = ${userId} AND m.revoked_at IS NULL
    AND (m.role NOT IN (${sql.raw(allowed)})${contractorNeedsExpiry}))`;
}

function groupsForbiddenCondition(userId: string, role: GlobalRole): SQL {
  return role === "CLIENT_USER"
    ? sql`EXISTS (SELECT 1 FROM access_group_members AS g WHERE g.user_id = ${userId})`
    : sql`0`;
}

/**
 * Why a role change was refused inside its write: the last active SUPER_ADMIN, or the memberships
 * and groups that would not fit. One batch, read after the guarded write aborted.
 */
async function explainRefusedRoleChange(ctx: DomainContext, user: UserRow, role: GlobalRole): Promise<AppError> {
  const [stillAllowed, live, groups] = await ctx.db.batch([
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(and(eq(users.id, user.id), keepsAnotherActiveSuperAdmin(user.id))),
    ctx.db
      .select({
        id: memberships.id,
        tenantId: memberships.tenantId,
        tenantName: tenants.name,
        role: memberships.role,
        expiresAt: memberships.expiresAt,
      })
      .from(memberships)
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(and(eq(memberships.userId, user.id), isNull(memberships.revokedAt))),
    ctx.db
      .select({ groupId: accessGroups.id, groupName: accessGroups.name })
      .from(accessGroupMembers)
      .innerJoin(accessGroups, eq(accessGroups.id, accessGroupMembers.groupId))
      .where(eq(accessGroupMembers.userId, user.id)),
  ]);
  if (Number(stillAllowed[0]?.n ?? 0) === 0) return lastSuperAdminError();
  const unfit = live.filter(
    (m) => !fittingRolesFor(role).includes(m.role) || (role === "CONTRACTOR" && m.expiresAt === null),
  );
  const unfitGroups = role === "CLIENT_USER" ? groups : [];
  const parts = [
    ...unfit.map(
      (m) =>
        `${labelMembershipRole(m.role)} in ${m.tenantName}${role === "CONTRACTOR" && m.expiresAt === null ? " (no expiry)" : ""}`,
    ),
    ...unfitGroups.map((g) => `access group ${g.groupName}`),
  ];
  return new AppError("ROLE_CONFLICTS_WITH_MEMBERSHIPS", {
    detail: `A user with the ${labelUserRole(role)} role cannot keep: ${parts.join("; ")}. Change or remove these first.`,
    fieldErrors: [{ field: "role", message: `Change or remove first: ${parts.join("; ")}.` }],
    extensions: {
      conflictingMemberships: unfit.map((m) => ({ ...m, expiresAt: m.expiresAt?.toISOString() ?? null })),
      conflictingGroups: unfitGroups,
    },
  });
}

export async function updateUser(ctx: DomainContext, userId: string, changes: UserChanges): Promise<UserRow> {
  const { user, owner } = await findManageableUserAndOwner(ctx, userId);
  return applyUserChanges(ctx, user, changes, owner);
}

/**
 * The change itself, for callers that already checked the actor may change this user
 * (assertManageable) and read the directory that holds them (a person cannot change what it owns).
 */
export async function applyUserChanges(
  ctx: DomainContext,
  user: UserRow,
  changes: UserChanges,
  owner: OwningDirectory | null,
): Promise<UserRow> {
  assertOwnedFieldsUnchanged(ctx, owner, user, changes);
  const roleChanges = changes.role !== undefined && changes.role !== user.role;
  if (roleChanges && changes.role) assertMayAssignRole(ctx, changes.role);
  const values = Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as Partial<UserRow>;
  const changedFields = Object.keys(values).filter(
    (key) => values[key as keyof UserRow] !== user[key as keyof UserRow],
  );
  if (changedFields.length === 0) return user;
  const conditions: SQL[] = [eq(users.id, user.id), isNull(users.erasedAt)];
  if (roleChanges && changes.role) {
    conditions.push(keepsAnotherActiveSuperAdmin(user.id) as SQL);
    conditions.push(
      sql`NOT ${unfitMembershipsCondition(user.id, changes.role)}`,
      sql`NOT ${groupsForbiddenCondition(user.id, changes.role)}`,
    );
  }
  const statements: Statement[] = [
    ctx.db
      .update(users)
      .set({ ...values, updatedAt: ctx.now })
      .where(and(...conditions)),
    assertPreviousWriteChangedOneRow(ctx.db),
    insertAuditEvent(ctx, {
      action: roleChanges ? "user.role_changed" : "user.updated",
      target: describeUser(user),
      details: roleChanges ? { from: user.role, to: changes.role, fields: changedFields } : { fields: changedFields },
    }),
  ];
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (!isBatchGuardFailure(error) || !changes.role) throw error;
    throw await explainRefusedRoleChange(ctx, user, changes.role);
  }
  return { ...user, ...values, updatedAt: ctx.now };
}

/** Soft delete: sign-in blocked, sessions and API tokens dead at once, the setup link too; history kept. Returns the user as now stored. */
export async function deactivateUser(ctx: DomainContext, userId: string): Promise<UserRow> {
  const { user, owner } = await findManageableUserAndOwner(ctx, userId);
  assertActiveNotOwned(ctx, owner);
  assertNotSelf(ctx, user, "deactivate");
  if (user.deactivatedAt) throw new AppError("STATE_CONFLICT", { detail: "The user is already deactivated." });
  const { statements, stored } = buildDeactivationStatements(ctx, user);
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (!isBatchGuardFailure(error)) throw error;
    const current = await findUserById(ctx, user.id);
    throw current?.deactivatedAt
      ? new AppError("STATE_CONFLICT", { detail: "The user is already deactivated." })
      : lastSuperAdminError();
  }
  return stored;
}

/**
 * The deactivation itself, for callers that already decided the actor may do it (the console after
 * findManageableUser, a directory after its ownership check): the guarded write, everything that
 * ends the user's access on their next request, and the audit event, for one batch. `onlyIf`
 * narrows the write further (a directory never touches a SUPER_ADMIN); a write that matches
 * nothing aborts the batch (isBatchGuardFailure).
 */
export function buildDeactivationStatements(
  ctx: DomainContext,
  user: UserRow,
  onlyIf: SQL[] = [],
): { statements: Statement[]; stored: UserRow } {
  // What is written is also what the caller gets back as the stored row.
  const deactivation = {
    deactivatedAt: ctx.now,
    setupTokenHash: null,
    setupTokenExpiresAt: null,
    pendingPasswordHash: null,
    pendingTotpSecret: null,
    updatedAt: ctx.now,
  } satisfies Partial<UserRow>;
  const statements: Statement[] = [
    ctx.db
      .update(users)
      .set(deactivation)
      .where(and(eq(users.id, user.id), isNull(users.deactivatedAt), keepsAnotherActiveSuperAdmin(user.id), ...onlyIf)),
    assertPreviousWriteChangedOneRow(ctx.db),
    deleteUserSessions(ctx.db, user.id),
    supersedeSetupLinkEmails(ctx.db, user.id),
    ctx.db.delete(signInChallenges).where(eq(signInChallenges.userId, user.id)),
    ctx.db
      .update(apiTokens)
      .set({ revokedAt: ctx.now })
      .where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt))),
    insertAuditEvent(ctx, { action: "user.deactivated", target: describeUser(user), details: { role: user.role } }),
  ];
  return { statements, stored: { ...user, ...deactivation } };
}

/** Restores sign-in. Memberships that expired meanwhile stay expired; revoked API tokens stay revoked. Returns the user as now stored. */
export async function reactivateUser(ctx: DomainContext, userId: string): Promise<UserRow> {
  const { user, owner } = await findManageableUserAndOwner(ctx, userId);
  assertActiveNotOwned(ctx, owner);
  const { statements, stored } = buildReactivationStatements(ctx, user);
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("STATE_CONFLICT", { detail: "The user is not deactivated." });
    throw error;
  }
  return stored;
}

/** The reactivation itself (see buildDeactivationStatements for who calls it and `onlyIf`). */
export function buildReactivationStatements(
  ctx: DomainContext,
  user: UserRow,
  onlyIf: SQL[] = [],
): { statements: Statement[]; stored: UserRow } {
  const reactivation = { deactivatedAt: null, updatedAt: ctx.now } satisfies Partial<UserRow>;
  const statements: Statement[] = [
    ctx.db
      .update(users)
      .set(reactivation)
      .where(and(eq(users.id, user.id), isNotNull(users.deactivatedAt), isNull(users.erasedAt), ...onlyIf)),
    assertPreviousWriteChangedOneRow(ctx.db),
    insertAuditEvent(ctx, { action: "user.reactivated", target: describeUser(user), details: {} }),
  ];
  return { statements, stored: { ...user, ...reactivation } };
}
