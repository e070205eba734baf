// Users: invite, read, list and the setup link (SPEC §2). Status is derived from the row.
import { and, desc, eq, inArray, isNotNull, isNull, like, lt, or, type SQL, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId } from "../auth/crypto";
import { forgetSetupTokenInKv, prepareSetupToken, storeSetupTokenInKv } from "../auth/setup-tokens";
import { isUniqueViolation, runBatch, type Statement } from "../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../db/guards";
import { type GlobalRole, globalRoles, membershipRoles, memberships, tenants, users } from "../db/schema";
import { AppError, type FieldError } from "../errors";
import { hasPermission } from "./access";
import { describeUser, insertAuditEvent } from "./audit";
import { actorRole, type DomainContext, snapshotActor } from "./context";
import { buildInviteEmail } from "./emails";
import { findMembershipProblems } from "./memberships-rules";
import { insertOutboxMessage } from "./outbox";
import { decodeCursor, encodeCursor, type Page } from "./pagination";

export type UserRow = typeof users.$inferSelect;
export type UserStatus = "PENDING" | "ACTIVE" | "DEACTIVATED";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const emailSchema = z
  .string()
  .trim()
  .max(254, "Use at most 254 characters.")
  .pipe(z.email("Enter a valid email address."))
  .transform(normalizeEmail);

const nameSchema = (label: string) =>
  z.string().trim().min(1, `${label} is required.`).max(100, `${label} must be at most 100 characters.`);

export const firstNameSchema = nameSchema("First name");
export const lastNameSchema = nameSchema("Last name");
export const displayNameSchema = nameSchema("Display name");
export const slackIdSchema = z
  .string()
  .trim()
  .max(32, "A Slack ID has at most 32 characters.")
  .regex(/^$|^[UW][A-Z0-9]{2,}$/, "A Slack member ID looks like U012AB3CD.")
  .transform((value) => (value === "" ? null : value));

export const membershipInputSchema = z.strictObject({
  tenantId: z.string().min(1, "Choose a tenant.").max(64),
  role: z.enum(membershipRoles, "Choose a membership role."),
  expiresAt: z.iso
    .datetime({ offset: true, message: "Use an ISO-8601 time such as 2026-12-31T17:00:00Z." })
    .transform((value) => new Date(value))
    .nullish()
    .transform((value) => value ?? null),
});

export const inviteInputSchema = z.strictObject({
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
  role: z.enum(globalRoles, "Choose a global role.").default("OPERATOR"),
  slackId: slackIdSchema.nullish().transform((value) => value ?? null),
  memberships: z.array(membershipInputSchema).max(50, "At most 50 memberships at once.").default([]),
});

export type InviteInput = z.output<typeof inviteInputSchema>;

export function deriveUserStatus(user: Pick<UserRow, "activatedAt" | "deactivatedAt">): UserStatus {
  if (user.deactivatedAt) return "DEACTIVATED";
  return user.activatedAt ? "ACTIVE" : "PENDING";
}

export type SetupLinkState = "valid" | "expired" | "none";

export function deriveSetupLinkState(user: Pick<UserRow, "setupTokenHash" | "setupTokenExpiresAt">, now: Date): SetupLinkState {
  if (!user.setupTokenHash || !user.setupTokenExpiresAt) return "none";
  return user.setupTokenExpiresAt.getTime() > now.getTime() ? "valid" : "expired";
}

export function toUserDto(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    role: user.role,
    status: deriveUserStatus(user),
    setupLinkExpiresAt: user.setupTokenHash ? (user.setupTokenExpiresAt?.toISOString() ?? null) : null,
    slackId: user.slackId,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    deactivatedAt: user.deactivatedAt?.toISOString() ?? null,
  };
}

export type UserDto = ReturnType<typeof toUserDto>;

export function buildSetupUrl(origin: string, token: string): string {
  return `${origin}/setup/${token}`;
}

export async function findUserById(ctx: Pick<DomainContext, "db">, userId: string): Promise<UserRow | null> {
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user ?? null;
}

export async function findUserByEmail(ctx: Pick<DomainContext, "db">, email: string): Promise<UserRow | null> {
  const [user] = await ctx.db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .limit(1);
  return user ?? null;
}

/** Only a SUPER_ADMIN (or the system) creates or promotes a SUPER_ADMIN. */
export function assertMayAssignRole(ctx: DomainContext, role: GlobalRole): void {
  if (role === "SUPER_ADMIN" && actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a SUPER_ADMIN can create or promote a SUPER_ADMIN." });
  }
}

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

export const listUsersQuerySchema = z.strictObject({
  query: z.string().trim().max(200).optional(),
  role: z.enum(globalRoles).optional(),
  status: z.enum(["PENDING", "ACTIVE", "DEACTIVATED"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;

function statusCondition(status: UserStatus): SQL {
  switch (status) {
    case "PENDING":
      return and(isNull(users.activatedAt), isNull(users.deactivatedAt)) as SQL;
    case "ACTIVE":
      return and(isNotNull(users.activatedAt), isNull(users.deactivatedAt)) as SQL;
    case "DEACTIVATED":
      return isNotNull(users.deactivatedAt);
  }
}

/** Newest first; a page reads at most `limit + 1` rows whatever the table size. */
export async function listUsers(ctx: Pick<DomainContext, "db">, query: ListUsersQuery): Promise<Page<UserRow>> {
  const conditions: SQL[] = [];
  if (query.query) {
    const pattern = `%${query.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const searched = or(
      like(users.email, pattern),
      sql`lower(${users.firstName} || ' ' || ${users.lastName}) LIKE ${pattern} ESCAPE '\\'`,
      sql`lower(${users.displayName}) LIKE ${pattern} ESCAPE '\\'`,
    );
    if (searched) conditions.push(searched);
  }
  if (query.role) conditions.push(eq(users.role, query.role));
  if (query.status) conditions.push(statusCondition(query.status));
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    const after = or(lt(users.createdAt, new Date(cursor.time)), and(eq(users.createdAt, new Date(cursor.time)), lt(users.id, cursor.id)));
    if (after) conditions.push(after);
  }
  const rows = await ctx.db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor({ time: last.createdAt.getTime(), id: last.id }) : null,
  };
}

/** Active SUPER_ADMINs, to tell people with no access whom to ask. */
export async function listActiveSuperAdmins(ctx: Pick<DomainContext, "db">, limit = 5) {
  return ctx.db
    .select({ name: users.displayName, email: users.email })
    .from(users)
    .where(and(eq(users.role, "SUPER_ADMIN"), isNotNull(users.activatedAt), isNull(users.deactivatedAt)))
    .orderBy(users.createdAt)
    .limit(limit);
}
