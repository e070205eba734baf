// Tenant memberships (docs/PRODUCT.md §3): grant, change, extend and revoke, one live membership per user and
// tenant. "Active" means not revoked and not past its expiry at `now`: an expired membership grants
// nothing from that instant, whatever the cron has done (the cron only records it).
import { addDays } from "date-fns";
import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../../auth/crypto";
import { isUniqueViolation, runBatch } from "../../db/batch";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { type MembershipRole, membershipRoles, memberships, users } from "../../db/schema";
import { AppError } from "../../errors";
import { insertAuditEvent } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import { assertRoleNotOwned, assertTenantFitsOwner, selectOwningDirectory } from "../directories/directory-ownership";
import { selectTenantByRef, type TenantRow } from "../tenants/tenants";
import { selectUserWithPermissions, toUserWithPermissions } from "../users/permissions-of";
import { assertManageable } from "../users/user-guards";
import { normalizeEmail, type UserRow } from "../users/users";
import { recordExpiryStatements } from "./membership-expiry";
import { describeMembership, findManageableMembership, type MembershipWithParties } from "./memberships-read";
import { assertMembershipFits } from "./memberships-rules";

export type MembershipRow = typeof memberships.$inferSelect;

/** A membership with the names of its user and tenant, for messages that say who and what. */
export type NamedMembership = MembershipRow & Pick<MembershipWithParties, "userName" | "tenantName">;

export function toMembershipDto(membership: MembershipRow) {
  return {
    id: membership.id,
    userId: membership.userId,
    tenantId: membership.tenantId,
    role: membership.role,
    expiresAt: membership.expiresAt?.toISOString() ?? null,
    createdAt: membership.createdAt.toISOString(),
    createdBy: membership.createdBy,
  };
}

const expiresAtSchema = z.iso
  .datetime({ offset: true, message: "Use an ISO-8601 time such as 2026-12-31T17:00:00Z." })
  .transform((value) => new Date(value));

export const grantMembershipSchema = z.strictObject({
  userId: z.string().min(1, "Choose a user.").max(64),
  tenantId: z.string().min(1, "Choose a tenant.").max(64),
  role: z.enum(membershipRoles, "Choose a membership role."),
  expiresAt: expiresAtSchema.nullish().transform((value) => value ?? null),
});

export const changeMembershipSchema = z.strictObject({
  role: z.enum(membershipRoles, "Choose a membership role.").optional(),
  expiresAt: expiresAtSchema.nullable().optional(),
});

/** The membership is live at `now`: the SQL twin of access.ts#isMembershipLive. */
export function liveMembershipCondition(now: Date) {
  return and(isNull(memberships.revokedAt), or(isNull(memberships.expiresAt), gt(memberships.expiresAt, now)));
}

/** The refusal of a second live membership; `existingMembershipId` names the one that exists, when known, so pages can link to it. */
function duplicateMembershipError(existingMembershipId?: string): AppError {
  return new AppError("DUPLICATE_MEMBERSHIP", {
    fieldErrors: [{ field: "tenantId", message: "This user already has an active membership in that tenant." }],
    extensions: existingMembershipId ? { existingMembershipId } : {},
  });
}

/** Console and API grant: the caller must be allowed to change this user (user-guards). */
export async function grantMembership(
  ctx: DomainContext,
  input: z.output<typeof grantMembershipSchema>,
): Promise<MembershipRow> {
  return grantMembershipTo(ctx, { id: input.userId }, input);
}

/** A user named by id, or by email (the console's add form). */
export type UserKey = { id: string } | { email: string };

/**
 * The grant for a user named by id or email. The user, their permissions and the tenant are read
 * in one batch; a user named by an email nobody has is a field error of `userEmail`.
 */
export async function grantMembershipTo(
  ctx: DomainContext,
  key: UserKey,
  input: { tenantId: string; role: MembershipRole; expiresAt: Date | null },
): Promise<NamedMembership> {
  const userId =
    "id" in key ? key.id : sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${normalizeEmail(key.email)})`;
  // The live membership that would make this a duplicate is read in the same batch, so the
  // refusal can name it; the unique index still decides a race (writeMembershipGrant).
  const [userRows, permissionRows, tenantRows, liveRows, ownerRows] = await ctx.db.batch([
    ...selectUserWithPermissions(ctx.db, userId),
    selectTenantByRef(ctx.db, { id: input.tenantId }),
    ctx.db
      .select({ id: memberships.id })
      .from(memberships)
      .where(
        and(eq(memberships.userId, userId), eq(memberships.tenantId, input.tenantId), liveMembershipCondition(ctx.now)),
      )
      .limit(1),
    selectOwningDirectory(ctx.db, userId),
  ]);
  const subject = toUserWithPermissions(userRows, permissionRows);
  if (!subject && "email" in key) {
    throw new AppError("VALIDATION_FAILED", {
      fieldErrors: [{ field: "userEmail", message: "No user has this email." }],
    });
  }
  const user = assertManageable(ctx, subject);
  const tenant = tenantRows[0];
  if (!tenant)
    throw new AppError("VALIDATION_FAILED", { fieldErrors: [{ field: "tenantId", message: "No such tenant." }] });
  assertTenantFitsOwner(ctx, ownerRows[0] ?? null, tenant.id);
  const live = liveRows[0];
  if (live) throw duplicateMembershipError(live.id);
  const membership = await writeMembershipGrant(ctx, user, tenant, input);
  return { ...membership, userName: user.displayName, tenantName: tenant.name };
}

/**
 * The grant itself, for callers that already decided the actor may grant it (the console after
 * its user guard, delegated client invites after the tenant check).
 */
export async function writeMembershipGrant(
  ctx: DomainContext,
  user: UserRow,
  tenant: TenantRow,
  input: { role: MembershipRole; expiresAt: Date | null },
): Promise<MembershipRow> {
  if (user.deactivatedAt)
    throw new AppError("STATE_CONFLICT", { detail: "The user is deactivated; reactivate them first." });
  assertMembershipFits(user.role, input, ctx.now);
  const membership: MembershipRow = {
    id: generateId("mbr"),
    userId: user.id,
    tenantId: tenant.id,
    role: input.role,
    expiresAt: input.expiresAt,
    createdAt: ctx.now,
    createdBy: actorUserId(ctx.actor),
    updatedAt: ctx.now,
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
  };
  try {
    await runBatch(ctx.db, [
      // An expired membership the sweep has not recorded yet is recorded now, as the sweep would.
      ...recordExpiryStatements(ctx, { userId: user.id, tenantId: tenant.id }),
      ctx.db.insert(memberships).values(membership),
      // The role checked above must still be the user's role when the row lands.
      assertCondition(ctx.db, sql`(SELECT role FROM users WHERE id = ${user.id}) = ${user.role}`),
      insertAuditEvent(ctx, {
        action: "membership.granted",
        target: describeMembership({ id: membership.id, userEmail: user.email, tenantSlug: tenant.slug }),
        tenantId: tenant.id,
        details: { userId: user.id, role: membership.role, expiresAt: membership.expiresAt?.toISOString() ?? null },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "memberships.user_id")) throw duplicateMembershipError();
    if (isBatchGuardFailure(error))
      throw new AppError("STATE_CONFLICT", { detail: "The user's role changed meanwhile; try again." });
    throw error;
  }
  return membership;
}

async function writeMembershipChange(
  ctx: DomainContext,
  found: MembershipWithParties,
  values: { role: MembershipRole; expiresAt: Date | null },
  details: Record<string, unknown>,
): Promise<NamedMembership> {
  const { membership } = found;
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(memberships)
        .set({ ...values, updatedAt: ctx.now })
        .where(and(eq(memberships.id, membership.id), liveMembershipCondition(ctx.now))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "membership.changed",
        target: describeMembership(found),
        tenantId: membership.tenantId,
        details,
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error))
      throw new AppError("STATE_CONFLICT", { detail: "The membership was revoked or expired meanwhile." });
    throw error;
  }
  return { ...membership, ...values, updatedAt: ctx.now, userName: found.userName, tenantName: found.tenantName };
}

/** Changes role and expiry; answers the membership as it is now, with the role it had before. */
export async function changeMembership(
  ctx: DomainContext,
  membershipId: string,
  changes: z.output<typeof changeMembershipSchema>,
): Promise<NamedMembership & { previousRole: MembershipRole }> {
  const found = await findManageableMembership(ctx, membershipId);
  const { membership } = found;
  const next = {
    role: changes.role ?? membership.role,
    expiresAt: changes.expiresAt === undefined ? membership.expiresAt : changes.expiresAt,
  };
  if (next.role !== membership.role) assertRoleNotOwned(ctx, found.ownedBy, membership.tenantId);
  // A live membership's current expiry is null or in the future, so checking the result is enough.
  assertMembershipFits(found.userRole, next, ctx.now);
  const changed = await writeMembershipChange(ctx, found, next, {
    from: { role: membership.role, expiresAt: membership.expiresAt?.toISOString() ?? null },
    to: { role: next.role, expiresAt: next.expiresAt?.toISOString() ?? null },
  });
  return { ...changed, previousRole: membership.role };
}

/** "Extend by N days" counts from the later of now and the current expiry (docs/PRODUCT.md §9). */
export async function extendMembership(
  ctx: DomainContext,
  membershipId: string,
  days: number,
): Promise<NamedMembership> {
  const found = await findManageableMembership(ctx, membershipId);
  const { membership } = found;
  const base =
    membership.expiresAt && membership.expiresAt.getTime() > ctx.now.getTime() ? membership.expiresAt : ctx.now;
  const expiresAt = addDays(base, days);
  return writeMembershipChange(
    ctx,
    found,
    { role: membership.role, expiresAt },
    {
      extendedByDays: days,
      from: { expiresAt: membership.expiresAt?.toISOString() ?? null },
      to: { expiresAt: expiresAt.toISOString() },
    },
  );
}

/** Revokes the membership; answers the names of its user and tenant. */
export async function revokeMembership(
  ctx: DomainContext,
  membershipId: string,
): Promise<Pick<MembershipWithParties, "userName" | "tenantName">> {
  const found = await findManageableMembership(ctx, membershipId, { expiredToo: true });
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(memberships)
        .set({ revokedAt: ctx.now, revokedBy: actorUserId(ctx.actor), revokeReason: "removed", updatedAt: ctx.now })
        .where(and(eq(memberships.id, membershipId), isNull(memberships.revokedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "membership.revoked",
        target: describeMembership(found),
        tenantId: found.membership.tenantId,
        details: { userId: found.membership.userId, role: found.membership.role },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("NOT_FOUND");
    throw error;
  }
  return { userName: found.userName, tenantName: found.tenantName };
}
