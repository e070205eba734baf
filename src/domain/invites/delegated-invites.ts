// Delegated client invites: OPERATOR_FULL (and SUPER_ADMIN) in a tenant, and CLIENT_ADMIN of that
// company, invite the company's portal users — never more than a client role in that one tenant.
// A new email becomes a CLIENT_USER with a setup link, exactly like an admin invite. An existing
// account is acted on only when it is inside the tenant's scope (a CLIENT_USER of this company
// alone); everyone else gets one neutral refusal, audited, after the same number of queries as an
// invite that succeeds (docs/SECURITY.md "People from outside a tenant's scope").
// The route has already checked the tenant access ("manage-clients"); nothing here needs console
// permissions.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import * as z from "zod";
import { storeSetupTokenInKv } from "../../auth/setup-tokens";
import { isUniqueViolation, runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { memberships, users } from "../../db/schema";
import { AppError } from "../../errors";
import type { TenantRef } from "../access";
import { type AuditTarget, describeUser, insertAuditEvent } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import { type OwningDirectory, selectOwningDirectory } from "../directories/directory-ownership";
import { writeMembershipGrant } from "../memberships/memberships";
import { describeMembership, selectMembershipWithParties } from "../memberships/memberships-read";
import { clientMembershipRoles } from "../memberships/memberships-rules";
import { selectTenantByRef, type TenantRow } from "../tenants/tenants";
import {
  deriveUserStatus,
  emailSchema,
  firstNameSchema,
  lastNameSchema,
  normalizeEmail,
  type UserRow,
} from "../users/users";
import { buildInviteStatements, type InviteResult, prepareInvite } from "./invites";
import { issueNewSetupLink } from "./setup-links";

export const delegatedInviteSchema = z.strictObject({
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
  role: z.enum(clientMembershipRoles, "Choose Client admin or Client viewer."),
});

/** A new account (with the id of its membership here, which names it on the tenant's pages) or an old one back. */
export type DelegatedInviteOutcome =
  | { kind: "created"; invite: InviteResult; membershipId: string }
  | { kind: "added"; userName: string };

function refused(): AppError {
  return new AppError("INVITE_REFUSED", {
    fieldErrors: [{ field: "email", message: "This email address cannot be invited here." }],
  });
}

/** Why an existing account is outside the tenant's scope; only the audit log ever says which. */
type RefusalReason =
  | "staff_account"
  | "deactivated"
  | "erased"
  | "membership_elsewhere"
  | "no_membership_here"
  | "directory_owned"
  | "email_taken_meanwhile";

/**
 * Null when the account is inside the tenant's scope: an active CLIENT_USER whose every membership
 * (live, expired or revoked, and at least one) is in this tenant, so the company has seen them.
 * `membershipTenantIds` holds up to two distinct tenants of the account's memberships, enough to tell.
 */
function findRefusalReason(
  user: UserRow,
  membershipTenantIds: string[],
  tenantId: string,
  owner: OwningDirectory | null,
): RefusalReason | null {
  if (user.erasedAt) return "erased";
  // A directory's people are its own: a client directory's belong to its tenant alone (docs/PRODUCT.md §8).
  if (owner && owner.tenantId !== tenantId) return "directory_owned";
  if (user.deactivatedAt) return "deactivated";
  if (user.role !== "CLIENT_USER") return "staff_account";
  if (membershipTenantIds.some((id) => id !== tenantId)) return "membership_elsewhere";
  if (membershipTenantIds.length === 0) return "no_membership_here";
  return null;
}

/**
 * The tenant the route names (by slug or id), whoever already has the email and the tenants of
 * their memberships, in one batch.
 */
async function readInviteFacts(ctx: DomainContext, ref: TenantRef, email: string) {
  const userId = sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${normalizeEmail(email)})`;
  const [tenantRows, userRows, membershipRows, ownerRows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, ref),
    ctx.db
      .select()
      .from(users)
      .where(eq(users.email, normalizeEmail(email)))
      .limit(1),
    ctx.db
      .selectDistinct({ tenantId: memberships.tenantId })
      .from(memberships)
      .where(eq(memberships.userId, userId))
      .limit(2),
    selectOwningDirectory(ctx.db, userId),
  ]);
  const tenant = tenantRows[0];
  if (!tenant) throw new AppError("NOT_FOUND");
  return {
    tenant,
    existing: userRows[0],
    membershipTenantIds: membershipRows.map((row) => row.tenantId),
    owner: ownerRows[0] ?? null,
  };
}

/**
 * The one answer for every account outside the tenant's scope. Its audit event is the write that
 * stands in for the grant or the invite, so a refusal costs the same queries as a success.
 */
async function refuseInvite(
  ctx: DomainContext,
  tenant: TenantRow,
  target: AuditTarget,
  details: { reason: RefusalReason; requestedRole: string },
): Promise<never> {
  await insertAuditEvent(ctx, { action: "invite.refused", target, tenantId: tenant.id, details });
  throw refused();
}

export async function inviteClientUser(
  ctx: DomainContext,
  ref: TenantRef,
  input: z.output<typeof delegatedInviteSchema>,
): Promise<DelegatedInviteOutcome & { tenant: TenantRow }> {
  const { tenant, existing, membershipTenantIds, owner } = await readInviteFacts(ctx, ref, input.email);
  if (existing) {
    const reason = findRefusalReason(existing, membershipTenantIds, tenant.id, owner);
    if (reason) return refuseInvite(ctx, tenant, describeUser(existing), { reason, requestedRole: input.role });
    try {
      await writeMembershipGrant(ctx, existing, tenant, { role: input.role, expiresAt: null });
    } catch (error) {
      if (error instanceof AppError && error.code === "DUPLICATE_MEMBERSHIP") {
        throw new AppError("DUPLICATE_MEMBERSHIP", {
          fieldErrors: [{ field: "email", message: "This person already has access to this company." }],
        });
      }
      throw error;
    }
    return { kind: "added", userName: existing.displayName, tenant };
  }
  const invite = await prepareInvite(
    ctx,
    {
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      role: "CLIENT_USER",
      slackId: null,
      memberships: [{ tenantId: tenant.id, role: input.role, expiresAt: null }],
    },
    new Map([[tenant.id, tenant.slug]]),
  );
  try {
    await runBatch(ctx.db, buildInviteStatements(ctx.db, [invite]));
  } catch (error) {
    // Someone took the email between the read and the write: refused like any existing account,
    // with one query more (only in this race).
    if (isUniqueViolation(error, "users.email")) {
      const target: AuditTarget = { type: "user", id: null, label: invite.result.user.email };
      return refuseInvite(ctx, tenant, target, { reason: "email_taken_meanwhile", requestedRole: input.role });
    }
    throw error;
  }
  await storeSetupTokenInKv(ctx.kv, invite.prepared, invite.result.user.id, "invite", ctx.now);
  const [membership] = invite.rows.memberships;
  if (!membership) throw new Error("a delegated invite always makes one membership");
  return { kind: "created", invite: invite.result, membershipId: membership.id, tenant };
}

/**
 * The tenant the route names and a live client membership of it, with the membership's user row,
 * in one batch; 404 when any is missing (other tenants' people are not visible).
 */
export async function findClientMembership(ctx: Pick<DomainContext, "db">, ref: TenantRef, membershipId: string) {
  const [tenantRows, membershipRows, userRows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, ref),
    selectMembershipWithParties(ctx.db, membershipId),
    ctx.db
      .select()
      .from(users)
      .where(
        eq(users.id, sql`(SELECT ${memberships.userId} FROM ${memberships} WHERE ${memberships.id} = ${membershipId})`),
      )
      .limit(1),
  ]);
  const tenant = tenantRows[0];
  const found = membershipRows[0];
  const membership = found?.membership;
  const isClient = membership && (clientMembershipRoles as readonly string[]).includes(membership.role);
  const user = userRows[0];
  if (
    !tenant ||
    !found ||
    !user ||
    !membership ||
    !isClient ||
    membership.tenantId !== tenant.id ||
    membership.revokedAt
  ) {
    throw new AppError("NOT_FOUND");
  }
  return { tenant, found, user };
}

/** Returns the tenant and the name of the person removed, for the page's message. */
export async function removeClientUser(
  ctx: DomainContext,
  ref: TenantRef,
  membershipId: string,
): Promise<{ tenant: TenantRow; userName: string }> {
  const { tenant, found } = await findClientMembership(ctx, ref, membershipId);
  if (found.membership.userId === actorUserId(ctx.actor)) {
    throw new AppError("FORBIDDEN", {
      detail: "You cannot remove yourself. Ask another admin of your company or your operator.",
    });
  }
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(memberships)
        .set({ revokedAt: ctx.now, revokedBy: actorUserId(ctx.actor), revokeReason: "removed", updatedAt: ctx.now })
        .where(
          and(
            eq(memberships.id, membershipId),
            isNull(memberships.revokedAt),
            inArray(memberships.role, [...clientMembershipRoles]),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "membership.revoked",
        target: describeMembership(found),
        tenantId: tenant.id,
        details: { userId: found.membership.userId, role: found.membership.role, delegated: true },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("NOT_FOUND");
    throw error;
  }
  return { tenant, userName: found.userName };
}

/** A new setup link for a pending portal user of this company. */
export async function regenerateClientSetupLink(
  ctx: DomainContext,
  ref: TenantRef,
  membershipId: string,
): Promise<InviteResult & { tenant: TenantRow }> {
  const { tenant, user } = await findClientMembership(ctx, ref, membershipId);
  if (user.role !== "CLIENT_USER" || deriveUserStatus(user) !== "PENDING") {
    throw new AppError("STATE_CONFLICT", { detail: "Only a pending portal user gets a new setup link." });
  }
  return { ...(await issueNewSetupLink(ctx, user)), tenant };
}
