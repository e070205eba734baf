// Delegated client invites (SPEC §4, issue 6): OPERATOR_FULL (and SUPER_ADMIN) in a tenant, and
// CLIENT_ADMIN of that company, invite the company's portal users — never more than a client role
// in that one tenant. A new email becomes a CLIENT_USER with a setup link, exactly like an admin
// invite; an existing CLIENT_USER gets the membership (no second account); every other case
// (a staff account, a deactivated or erased one) gets one neutral refusal that reveals nothing.
// The route has already checked the tenant access ("manage-clients"); nothing here needs console
// permissions.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import * as z from "zod";
import { storeSetupTokenInKv } from "../auth/setup-tokens";
import { isUniqueViolation, runBatch } from "../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../db/guards";
import { memberships, users } from "../db/schema";
import { AppError } from "../errors";
import type { TenantRef } from "./access";
import { insertAuditEvent } from "./audit";
import { actorUserId, type DomainContext } from "./context";
import { buildInviteStatements, type InviteResult, prepareInvite } from "./invites";
import { writeMembershipGrant } from "./memberships";
import { describeMembership, selectMembershipWithParties } from "./memberships-read";
import { clientMembershipRoles } from "./memberships-rules";
import { issueNewSetupLink } from "./setup-links";
import { selectTenantByRef, type TenantRow } from "./tenants";
import { deriveUserStatus, emailSchema, firstNameSchema, lastNameSchema, normalizeEmail } from "./users";

export const delegatedInviteSchema = z.strictObject({
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
  role: z.enum(clientMembershipRoles, "Choose CLIENT_ADMIN or CLIENT_VIEWER."),
});

export type DelegatedInviteOutcome = { kind: "created"; invite: InviteResult } | { kind: "added"; userName: string };

function refused(): AppError {
  return new AppError("INVITE_REFUSED", { fieldErrors: [{ field: "email", message: "This email address cannot be invited here." }] });
}

/** The tenant the route names (by slug or id) and whoever already has the email, in one batch. */
async function readInviteFacts(ctx: DomainContext, ref: TenantRef, email: string) {
  const [tenantRows, userRows] = await ctx.db.batch([
    selectTenantByRef(ctx.db, ref),
    ctx.db
      .select()
      .from(users)
      .where(eq(users.email, normalizeEmail(email)))
      .limit(1),
  ]);
  const tenant = tenantRows[0];
  if (!tenant) throw new AppError("NOT_FOUND");
  return { tenant, existing: userRows[0] };
}

export async function inviteClientUser(
  ctx: DomainContext,
  ref: TenantRef,
  input: z.output<typeof delegatedInviteSchema>,
): Promise<DelegatedInviteOutcome & { tenant: TenantRow }> {
  const { tenant, existing } = await readInviteFacts(ctx, ref, input.email);
  if (existing) {
    if (existing.role !== "CLIENT_USER" || existing.deactivatedAt || existing.erasedAt) throw refused();
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
    if (isUniqueViolation(error, "users.email")) throw refused();
    throw error;
  }
  await storeSetupTokenInKv(ctx.kv, invite.prepared, invite.result.user.id, "invite", ctx.now);
  return { kind: "created", invite: invite.result, tenant };
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
      .where(eq(users.id, sql`(SELECT ${memberships.userId} FROM ${memberships} WHERE ${memberships.id} = ${membershipId})`))
      .limit(1),
  ]);
  const tenant = tenantRows[0];
  const found = membershipRows[0];
  const membership = found?.membership;
  const isClient = membership && (clientMembershipRoles as readonly string[]).includes(membership.role);
  const user = userRows[0];
  if (!tenant || !found || !user || !membership || !isClient || membership.tenantId !== tenant.id || membership.revokedAt) {
    throw new AppError("NOT_FOUND");
  }
  return { tenant, found, user };
}

export async function removeClientUser(ctx: DomainContext, ref: TenantRef, membershipId: string): Promise<TenantRow> {
  const { tenant, found } = await findClientMembership(ctx, ref, membershipId);
  if (found.membership.userId === actorUserId(ctx.actor)) {
    throw new AppError("FORBIDDEN", { detail: "You cannot remove yourself. Ask another admin of your company or your operator." });
  }
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(memberships)
        .set({ revokedAt: ctx.now, revokedBy: actorUserId(ctx.actor), revokeReason: "removed", updatedAt: ctx.now })
        .where(and(eq(memberships.id, membershipId), isNull(memberships.revokedAt), inArray(memberships.role, [...clientMembershipRoles]))),
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
  return tenant;
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
