// Delegated client invites (SPEC §4, issue 6): OPERATOR_FULL (and SUPER_ADMIN) in a tenant, and
// CLIENT_ADMIN of that company, invite the company's portal users — never more than a client role
// in that one tenant. A new email becomes a CLIENT_USER with a setup link, exactly like an admin
// invite; an existing CLIENT_USER gets the membership (no second account); every other case
// (a staff account, a deactivated or erased one) gets one neutral refusal that reveals nothing.
// The route has already checked the tenant access ("manage-clients"); nothing here needs console
// permissions.
import { and, eq, inArray, isNull } from "drizzle-orm";
import * as z from "zod";
import { storeSetupTokenInKv } from "../auth/setup-tokens";
import { isUniqueViolation, runBatch } from "../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../db/guards";
import { memberships } from "../db/schema";
import { AppError } from "../errors";
import { insertAuditEvent } from "./audit";
import { actorUserId, type DomainContext } from "./context";
import { buildInviteStatements, type InviteResult, issueNewSetupLink, prepareInvite } from "./invites";
import { writeMembershipGrant } from "./memberships";
import { describeMembership, findMembershipWithParties } from "./memberships-read";
import type { TenantRow } from "./tenants";
import { deriveUserStatus, emailSchema, findUserByEmail, findUserById, firstNameSchema, lastNameSchema } from "./users";

export const clientRoles = ["CLIENT_ADMIN", "CLIENT_VIEWER"] as const;

export const delegatedInviteSchema = z.strictObject({
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
  role: z.enum(clientRoles, "Choose CLIENT_ADMIN or CLIENT_VIEWER."),
});

export type DelegatedInviteOutcome = { kind: "created"; invite: InviteResult } | { kind: "added"; userName: string };

function refused(): AppError {
  return new AppError("INVITE_REFUSED", { fieldErrors: [{ field: "email", message: "This email address cannot be invited here." }] });
}

export async function inviteClientUser(
  ctx: DomainContext,
  tenant: TenantRow,
  input: z.output<typeof delegatedInviteSchema>,
): Promise<DelegatedInviteOutcome> {
  const existing = await findUserByEmail(ctx, input.email);
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
    return { kind: "added", userName: existing.displayName };
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
  return { kind: "created", invite: invite.result };
}

/** A live client membership of this tenant, or 404 (other tenants' people are not visible). */
async function findClientMembership(ctx: DomainContext, tenant: TenantRow, membershipId: string) {
  const found = await findMembershipWithParties(ctx, membershipId);
  const membership = found?.membership;
  const isClient = membership && (clientRoles as readonly string[]).includes(membership.role);
  if (!found || !membership || !isClient || membership.tenantId !== tenant.id || membership.revokedAt) throw new AppError("NOT_FOUND");
  return found;
}

export async function removeClientUser(ctx: DomainContext, tenant: TenantRow, membershipId: string): Promise<void> {
  const found = await findClientMembership(ctx, tenant, membershipId);
  if (found.membership.userId === actorUserId(ctx.actor)) {
    throw new AppError("FORBIDDEN", { detail: "You cannot remove yourself. Ask another admin of your company or your operator." });
  }
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(memberships)
        .set({ revokedAt: ctx.now, revokedBy: actorUserId(ctx.actor), revokeReason: "removed", updatedAt: ctx.now })
        .where(and(eq(memberships.id, membershipId), isNull(memberships.revokedAt), inArray(memberships.role, [...clientRoles]))),
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
}

/** A new setup link for a pending portal user of this company. */
export async function regenerateClientSetupLink(ctx: DomainContext, tenant: TenantRow, membershipId: string): Promise<InviteResult> {
  const found = await findClientMembership(ctx, tenant, membershipId);
  const user = await findUserById(ctx, found.membership.userId);
  if (user?.role !== "CLIENT_USER" || deriveUserStatus(user) !== "PENDING") {
    throw new AppError("STATE_CONFLICT", { detail: "Only a pending portal user gets a new setup link." });
  }
  return issueNewSetupLink(ctx, user);
}
