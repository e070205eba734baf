// Invites and setup links (SPEC §2 "Invite", "Setup link"): create a PENDING user with a fresh
// link in one batch, and regenerate (= resend) the link while the user is pending.
import { and, eq, inArray, isNull } from "drizzle-orm";
import { generateId } from "../auth/crypto";
import { forgetSetupTokenInKv, prepareSetupToken, storeSetupTokenInKv } from "../auth/setup-tokens";
import { isUniqueViolation, runBatch, type Statement } from "../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../db/guards";
import { memberships, tenants, users } from "../db/schema";
import { AppError, type FieldError } from "../errors";
import { hasPermission } from "./access";
import { describeUser, insertAuditEvent } from "./audit";
import { type DomainContext, snapshotActor } from "./context";
import { buildInviteEmail } from "./emails";
import { findMembershipProblems } from "./memberships-rules";
import { insertOutboxMessage } from "./outbox";
import {
  assertMayAssignRole,
  buildSetupUrl,
  deriveUserStatus,
  findUserByEmail,
  findUserById,
  type InviteInput,
  type UserRow,
} from "./users";

function emailInUseError(existing: UserRow): AppError {
  return new AppError("EMAIL_IN_USE", {
    detail: `Email already in use by ${existing.firstName} ${existing.lastName}.`,
    fieldErrors: [{ field: "email", message: "Email already in use." }],
    extensions: { existingUserId: existing.id, existingUserStatus: deriveUserStatus(existing) },
  });
}

export interface InviteResult {
  user: UserRow;
  setupUrl: string;
  setupLinkExpiresAt: Date;
}

/** Checks the invite's memberships against the tenants that exist; returns field errors. */
async function findInviteMembershipProblems(ctx: DomainContext, input: InviteInput): Promise<FieldError[]> {
  if (input.memberships.length === 0) return [];
  if (ctx.actor.kind === "user" && !hasPermission(ctx.actor.principal, "memberships:create")) {
    return [{ field: "memberships", message: "You may not grant memberships (memberships:create)." }];
  }
  const tenantIds = [...new Set(input.memberships.map((m) => m.tenantId))];
  const found = await ctx.db.select({ id: tenants.id }).from(tenants).where(inArray(tenants.id, tenantIds));
  const known = new Set(found.map((row) => row.id));
  const seen = new Set<string>();
  return input.memberships.flatMap((membership, index) => {
    const prefix = `memberships.${index}.`;
    const problems = findMembershipProblems(input.role, membership, ctx.now, prefix);
    if (!known.has(membership.tenantId)) problems.push({ field: `${prefix}tenantId`, message: "No such tenant." });
    if (seen.has(membership.tenantId)) problems.push({ field: `${prefix}tenantId`, message: "This tenant is listed twice." });
    seen.add(membership.tenantId);
    return problems;
  });
}

/**
 * Creates a PENDING user with a fresh setup link, their first memberships, the invite email and
 * the audit events, all in one batch. The link is returned once and never stored in clear.
 */
export async function inviteUser(ctx: DomainContext, input: InviteInput): Promise<InviteResult> {
  assertMayAssignRole(ctx, input.role);
  const existing = await findUserByEmail(ctx, input.email);
  if (existing) throw emailInUseError(existing);
  const problems = await findInviteMembershipProblems(ctx, input);
  if (problems.length > 0) {
    throw new AppError("VALIDATION_FAILED", { detail: problems.map((p) => p.message).join(" "), fieldErrors: problems });
  }

  const { statements, result, prepared } = await prepareInvite(ctx, input);
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (isUniqueViolation(error, "users.email")) {
      const winner = await findUserByEmail(ctx, input.email);
      if (winner) throw emailInUseError(winner);
    }
    throw error;
  }
  await storeSetupTokenInKv(ctx.kv, prepared, result.user.id, "invite", ctx.now);
  return result;
}

/** The statements of one invite, for inviteUser and the bulk invite (which batches many). */
export async function prepareInvite(ctx: DomainContext, input: InviteInput) {
  const prepared = prepareSetupToken(ctx.now, ctx.config.SETUP_TOKEN_TTL_SECONDS);
  const actorId = ctx.actor.kind === "user" ? ctx.actor.principal.user.id : null;
  const user: UserRow = {
    id: generateId("usr"),
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    displayName: `${input.firstName} ${input.lastName}`,
    role: input.role,
    slackId: input.slackId,
    timeZone: "UTC",
    passwordHash: null,
    totpSecret: null,
    totpLastStep: null,
    setupTokenHash: prepared.hash,
    setupTokenExpiresAt: prepared.expiresAt,
    setupPurpose: "invite",
    pendingDisplayName: null,
    pendingPasswordHash: null,
    pendingTotpSecret: null,
    activatedAt: null,
    deactivatedAt: null,
    erasedAt: null,
    lastLoginAt: null,
    createdAt: ctx.now,
    createdBy: actorId,
    updatedAt: ctx.now,
  };
  const setupUrl = buildSetupUrl(ctx.config.APP_ORIGIN, prepared.token);
  const target = describeUser(user);
  const statements: Statement[] = [
    ctx.db.insert(users).values(user),
    insertAuditEvent(ctx, {
      action: "user.invited",
      target,
      details: { role: user.role, setupLinkExpiresAt: prepared.expiresAt.toISOString() },
    }),
  ];
  for (const membership of input.memberships) {
    const membershipId = generateId("mbr");
    statements.push(
      ctx.db.insert(memberships).values({
        id: membershipId,
        userId: user.id,
        tenantId: membership.tenantId,
        role: membership.role,
        expiresAt: membership.expiresAt,
        createdAt: ctx.now,
        createdBy: actorId,
        updatedAt: ctx.now,
      }),
      insertAuditEvent(ctx, {
        action: "membership.granted",
        target: { type: "membership", id: membershipId, label: `${user.email} in tenant ${membership.tenantId}` },
        tenantId: membership.tenantId,
        details: { userId: user.id, role: membership.role, expiresAt: membership.expiresAt?.toISOString() ?? null },
      }),
    );
  }
  const email = await buildInviteEmail({
    to: user.email,
    firstName: user.firstName,
    invitedBy: snapshotActor(ctx.actor).name,
    setupUrl,
    expiresAt: prepared.expiresAt,
    resent: false,
  });
  statements.push(insertOutboxMessage(ctx.db, email, ctx.now, { userId: user.id }));
  return { statements, prepared, result: { user, setupUrl, setupLinkExpiresAt: prepared.expiresAt } };
}

/**
 * Issues a new setup link for a PENDING user and kills the old one at once (the row holds only
 * the new hash). Regenerate and Resend invite are the same operation; both queue the email.
 */
export async function regenerateSetupLink(ctx: DomainContext, userId: string): Promise<InviteResult> {
  const user = await findUserById(ctx, userId);
  if (!user) throw new AppError("NOT_FOUND");
  if (deriveUserStatus(user) !== "PENDING") {
    throw new AppError("STATE_CONFLICT", { detail: "Setup links can only be regenerated while the user is pending." });
  }
  const prepared = prepareSetupToken(ctx.now, ctx.config.SETUP_TOKEN_TTL_SECONDS);
  const setupUrl = buildSetupUrl(ctx.config.APP_ORIGIN, prepared.token);
  const email = await buildInviteEmail({
    to: user.email,
    firstName: user.firstName,
    invitedBy: snapshotActor(ctx.actor).name,
    setupUrl,
    expiresAt: prepared.expiresAt,
    resent: true,
  });
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(users)
        .set({
          setupTokenHash: prepared.hash,
          setupTokenExpiresAt: prepared.expiresAt,
          setupPurpose: "invite",
          pendingDisplayName: null,
          pendingPasswordHash: null,
          pendingTotpSecret: null,
          updatedAt: ctx.now,
        })
        .where(and(eq(users.id, user.id), isNull(users.activatedAt), isNull(users.deactivatedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "user.setup_link_regenerated",
        target: describeUser(user),
        details: { setupLinkExpiresAt: prepared.expiresAt.toISOString() },
      }),
      insertOutboxMessage(ctx.db, email, ctx.now, { userId: user.id }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("STATE_CONFLICT", { detail: "The user is no longer pending." });
    throw error;
  }
  await forgetSetupTokenInKv(ctx.kv, user.setupTokenHash);
  await storeSetupTokenInKv(ctx.kv, prepared, user.id, "invite", ctx.now);
  return {
    user: { ...user, setupTokenHash: prepared.hash, setupTokenExpiresAt: prepared.expiresAt },
    setupUrl,
    setupLinkExpiresAt: prepared.expiresAt,
  };
}
