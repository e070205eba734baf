// Users: input schemas, derived status, the API shape and lookups (docs/PRODUCT.md §2, §5).
// Status is derived from the row, never stored twice.
import { eq } from "drizzle-orm";
import * as z from "zod";
import { type GlobalRole, globalRoles, membershipRoles, users } from "../../db/schema";
import { AppError } from "../../errors";
import { actorRole, type DomainContext } from "../context";
import { singleLineTextSchema } from "../text";

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
  singleLineTextSchema(label).min(1, `${label} is required.`).max(100, `${label} must be at most 100 characters.`);

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

export function deriveSetupLinkState(
  user: Pick<UserRow, "setupTokenHash" | "setupTokenExpiresAt">,
  now: Date,
): SetupLinkState {
  if (!user.setupTokenHash || !user.setupTokenExpiresAt) return "none";
  return user.setupTokenExpiresAt.getTime() > now.getTime() ? "valid" : "expired";
}

/** Who a user is (the fields every shape of a user shares), without their account state. */
export function identityOf(user: Pick<UserRow, "id" | "email" | "firstName" | "lastName" | "displayName" | "role">) {
  const { id, email, firstName, lastName, displayName, role } = user;
  return { id, email, firstName, lastName, displayName, role };
}

export function toUserDto(user: UserRow) {
  return {
    ...identityOf(user),
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
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can create or promote a Super admin." });
  }
}
