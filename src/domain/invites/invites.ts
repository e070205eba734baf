// Invites (docs/PRODUCT.md §2 "Invite"): create a PENDING user with a fresh setup link in one batch.
// Regenerating (= resending) the link lives in setup-links.ts.
import { eq, sql } from "drizzle-orm";
import { generateId } from "../../auth/crypto";
import { type PreparedSetupToken, prepareSetupToken, storeSetupTokenInKv } from "../../auth/setup-tokens";
import { isUniqueViolation, runBatch, type Statement } from "../../db/batch";
import { insertInChunks } from "../../db/chunked-insert";
import type { Db } from "../../db/client";
import { auditEvents, memberships, outbox, tenants, users } from "../../db/schema";
import { AppError, type FieldError } from "../../errors";
import { authorize, hasPermission } from "../access";
import { buildAuditRow, describeUser } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import { buildInviteEmail, emailPersonOf } from "../emails";
import { describeMembership } from "../memberships/memberships-read";
import { findMembershipProblems } from "../memberships/memberships-rules";
import { buildOutboxRow } from "../outbox";
import {
  assertMayAssignRole,
  buildSetupUrl,
  deriveUserStatus,
  findUserByEmail,
  type InviteInput,
  normalizeEmail,
  type UserRow,
} from "../users/users";

export interface InviteResult {
  user: UserRow;
  setupUrl: string;
  setupLinkExpiresAt: Date;
}

export function emailInUseError(existing: UserRow): AppError {
  return new AppError("EMAIL_IN_USE", {
    detail: `Email already in use by ${existing.firstName} ${existing.lastName}.`,
    fieldErrors: [{ field: "email", message: "Email already in use." }],
    extensions: { existingUserId: existing.id, existingUserStatus: deriveUserStatus(existing) },
  });
}

export type TenantSlugs = ReadonlyMap<string, string>;

/** Field errors of an invite's memberships; `tenantSlugs` maps the tenants that exist to their slug. */
export function findInviteMembershipProblems(
  ctx: DomainContext,
  input: InviteInput,
  tenantSlugs: TenantSlugs,
  prefix = "",
): FieldError[] {
  if (input.memberships.length === 0) return [];
  if (ctx.actor.kind === "user" && !hasPermission(ctx.actor.principal, "memberships:create")) {
    return [{ field: `${prefix}memberships`, message: "You may not grant memberships (memberships:create)." }];
  }
  const actor = ctx.actor;
  const seen = new Set<string>();
  return input.memberships.flatMap((membership, index) => {
    const path = `${prefix}memberships.${index}.`;
    const problems = findMembershipProblems(input.role, membership, ctx.now, path);
    if (!tenantSlugs.has(membership.tenantId)) problems.push({ field: `${path}tenantId`, message: "No such tenant." });
    // A service (a client directory) grants only in the tenant its scope names (authorize(), tenant-content).
    const serviceMayGrant =
      actor.kind !== "service" ||
      authorize(actor, { kind: "tenant-content", tenant: { id: membership.tenantId }, access: "manage-clients" })
        .allowed;
    if (!serviceMayGrant) problems.push({ field: `${path}tenantId`, message: "This tenant is outside your scope." });
    if (seen.has(membership.tenantId))
      problems.push({ field: `${path}tenantId`, message: "This tenant is listed twice." });
    seen.add(membership.tenantId);
    return problems;
  });
}

/** The id and slug of the given tenants that exist (one JSON parameter, whatever the count), for a batch. */
export function selectTenantSlugs(db: Db, tenantIds: string[]) {
  return db
    .select({ id: tenants.id, slug: tenants.slug })
    .from(tenants)
    .where(sql`${tenants.id} IN (SELECT value FROM json_each(${JSON.stringify([...new Set(tenantIds)])}))`);
}

export function toTenantSlugs(rows: Array<{ id: string; slug: string }>): TenantSlugs {
  return new Map(rows.map((row) => [row.id, row.slug]));
}

/**
 * Creates a PENDING user with a fresh setup link, their first memberships, the invite email and
 * the audit events, all in one batch. The link is returned once and never stored in clear.
 */
export async function inviteUser(ctx: DomainContext, input: InviteInput): Promise<InviteResult> {
  assertMayAssignRole(ctx, input.role);
  // The email check and the memberships' tenants in one batch.
  const [existingRows, slugRows] = await ctx.db.batch([
    ctx.db
      .select()
      .from(users)
      .where(eq(users.email, normalizeEmail(input.email)))
      .limit(1),
    selectTenantSlugs(
      ctx.db,
      input.memberships.map((m) => m.tenantId),
    ),
  ]);
  const existing = existingRows[0];
  if (existing) throw emailInUseError(existing);
  const tenantSlugs = toTenantSlugs(slugRows);
  const problems = findInviteMembershipProblems(ctx, input, tenantSlugs);
  if (problems.length > 0) {
    throw new AppError("VALIDATION_FAILED", {
      detail: problems.map((p) => p.message).join(" "),
      fieldErrors: problems,
    });
  }
  const invite = await prepareInvite(ctx, input, tenantSlugs);
  try {
    await runBatch(ctx.db, buildInviteStatements(ctx.db, [invite]));
  } catch (error) {
    if (isUniqueViolation(error, "users.email")) {
      const winner = await findUserByEmail(ctx, input.email);
      if (winner) throw emailInUseError(winner);
    }
    throw error;
  }
  await storeSetupTokenInKv(ctx.kv, invite.prepared, invite.result.user.id, "invite", ctx.now);
  return invite.result;
}

export interface PreparedInvite {
  prepared: PreparedSetupToken;
  result: InviteResult;
  rows: {
    users: Array<typeof users.$inferInsert>;
    memberships: Array<typeof memberships.$inferInsert>;
    audit: Array<typeof auditEvents.$inferInsert>;
    outbox: Array<typeof outbox.$inferInsert>;
  };
}

/** The rows of one invite (user, memberships, audit events, email), for one invite, a bulk one or a directory's; the display name defaults to "first last". */
export async function prepareInvite(
  ctx: DomainContext,
  input: InviteInput,
  tenantSlugs: TenantSlugs,
  options: { displayName?: string } = {},
): Promise<PreparedInvite> {
  const prepared = prepareSetupToken(ctx.now, ctx.config.SETUP_TOKEN_TTL_SECONDS);
  const actorId = actorUserId(ctx.actor);
  const user = buildPendingUser(input, prepared, ctx.now, actorId, options.displayName);
  const setupUrl = buildSetupUrl(ctx.config.APP_ORIGIN, prepared.token);
  const rows: PreparedInvite["rows"] = {
    users: [user],
    memberships: [],
    audit: [
      buildAuditRow(ctx, {
        action: "user.invited",
        target: describeUser(user),
        details: { role: user.role, setupLinkExpiresAt: prepared.expiresAt.toISOString() },
      }),
    ],
    outbox: [],
  };
  for (const membership of input.memberships) {
    const membershipId = generateId("mbr");
    rows.memberships.push({
      id: membershipId,
      userId: user.id,
      tenantId: membership.tenantId,
      role: membership.role,
      expiresAt: membership.expiresAt,
      createdAt: ctx.now,
      createdBy: actorId,
      updatedAt: ctx.now,
    });
    rows.audit.push(
      buildAuditRow(ctx, {
        action: "membership.granted",
        target: describeMembership({
          id: membershipId,
          userEmail: user.email,
          tenantSlug: tenantSlugs.get(membership.tenantId) ?? membership.tenantId,
        }),
        tenantId: membership.tenantId,
        details: { userId: user.id, role: membership.role, expiresAt: membership.expiresAt?.toISOString() ?? null },
      }),
    );
  }
  const email = await buildInviteEmailFor(ctx, user, setupUrl, prepared.expiresAt, false);
  rows.outbox.push(buildOutboxRow(email, ctx.now, { userId: user.id, setupTokenHash: prepared.hash }));
  return { prepared, rows, result: { user, setupUrl, setupLinkExpiresAt: prepared.expiresAt } };
}

/** A pending user's columns for a new invite link: whatever a previous link started is dropped. */
export function freshInviteLink(prepared: PreparedSetupToken) {
  return {
    setupTokenHash: prepared.hash,
    setupTokenExpiresAt: prepared.expiresAt,
    setupPurpose: "invite",
    pendingDisplayName: null,
    pendingPasswordHash: null,
    pendingTotpSecret: null,
  } satisfies Partial<UserRow>;
}

/** The invite email for a pending user's new link, signed by whoever acts (a person, a directory or the system). */
export function buildInviteEmailFor(
  ctx: Pick<DomainContext, "actor" | "config">,
  user: Pick<UserRow, "email" | "firstName" | "role" | "timeZone">,
  setupUrl: string,
  expiresAt: Date,
  resent: boolean,
) {
  return buildInviteEmail({
    appName: ctx.config.APP_NAME,
    to: user.email,
    recipientName: user.firstName,
    timeZone: user.timeZone,
    invitedBy: emailPersonOf(ctx.actor),
    role: user.role,
    setupUrl,
    expiresAt,
    resent,
  });
}

function buildPendingUser(
  input: InviteInput,
  prepared: PreparedSetupToken,
  now: Date,
  createdBy: string | null,
  displayName = `${input.firstName} ${input.lastName}`,
): UserRow {
  return {
    id: generateId("usr"),
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    displayName,
    role: input.role,
    slackId: input.slackId,
    timeZone: "UTC",
    passwordHash: null,
    totpSecret: null,
    totpLastStep: null,
    ...freshInviteLink(prepared),
    activatedAt: null,
    deactivatedAt: null,
    erasedAt: null,
    lastLoginAt: null,
    createdAt: now,
    createdBy,
    updatedAt: now,
  };
}

/** Multi-row inserts, chunked under D1's parameter limit; users first (memberships refer to them). */
export function buildInviteStatements(db: Db, invites: PreparedInvite[]): Statement[] {
  return [
    ...insertInChunks(
      db,
      users,
      invites.flatMap((invite) => invite.rows.users),
    ),
    ...insertInChunks(
      db,
      memberships,
      invites.flatMap((invite) => invite.rows.memberships),
    ),
    ...insertInChunks(
      db,
      auditEvents,
      invites.flatMap((invite) => invite.rows.audit),
    ),
    ...insertInChunks(
      db,
      outbox,
      invites.flatMap((invite) => invite.rows.outbox),
    ),
  ];
}
