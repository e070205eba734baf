// Bulk invite (docs/PRODUCT.md §5): up to 500 invites in one request, validated row by row, partial success
// reported per row, and idempotent: a row whose email already exists reports "exists" and creates
// nothing, so sending the same batch twice creates nothing new. All new users of one request are
// written in one batch (multi-row inserts chunked under D1's 100-parameter limit).
import { sql } from "drizzle-orm";
import * as z from "zod";
import { storeSetupTokenInKv } from "../../auth/setup-tokens";
import { isUniqueViolation, runBatch } from "../../db/batch";
import { users } from "../../db/schema";
import { AppError, type FieldError } from "../../errors";
import type { DomainContext } from "../context";
import { actorRole } from "../context";
import { inviteInputSchema, normalizeEmail } from "../users/users";
import {
  buildInviteStatements,
  findInviteMembershipProblems,
  type PreparedInvite,
  prepareInvite,
  selectTenantSlugs,
  toTenantSlugs,
} from "./invites";

export const bulkInviteMaximumRows = 500;

export const bulkInviteSchema = z.strictObject({
  users: z
    .array(z.unknown())
    .min(1, "Send at least one user.")
    .max(bulkInviteMaximumRows, `Send at most ${bulkInviteMaximumRows} users.`),
});

export type BulkInviteResult =
  | { email: string; status: "created"; userId: string; setupUrl: string; setupLinkExpiresAt: string }
  | { email: string; status: "exists"; userId: string }
  | { email: string; status: "invalid"; errors: FieldError[] };

function emailOf(row: unknown): string {
  const email = row && typeof row === "object" && "email" in row ? (row as { email: unknown }).email : undefined;
  return typeof email === "string" ? normalizeEmail(email) : "";
}

/** Which emails exist and which tenants, in one batch (each list is one JSON parameter). */
async function findExistingUsersAndTenants(ctx: DomainContext, emails: string[], tenantIds: string[]) {
  if (emails.length === 0) return { existing: new Map<string, string>(), tenantSlugs: toTenantSlugs([]) };
  const [userRows, tenantRows] = await ctx.db.batch([
    ctx.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(sql`${users.email} IN (SELECT value FROM json_each(${JSON.stringify(emails)}))`),
    selectTenantSlugs(ctx.db, tenantIds),
  ]);
  return { existing: new Map(userRows.map((row) => [row.email, row.id])), tenantSlugs: toTenantSlugs(tenantRows) };
}

export async function bulkInvite(ctx: DomainContext, rows: unknown[]): Promise<BulkInviteResult[]> {
  const parsed = rows.map((row) => inviteInputSchema.safeParse(row));
  const valid = parsed.flatMap((result) => (result.success ? [result.data] : []));
  const { existing, tenantSlugs } = await findExistingUsersAndTenants(
    ctx,
    valid.map((input) => input.email),
    valid.flatMap((input) => input.memberships.map((m) => m.tenantId)),
  );
  const seen = new Set<string>();
  const results: BulkInviteResult[] = [];
  const toCreate: Array<{ index: number; invite: PreparedInvite }> = [];
  for (const [index, result] of parsed.entries()) {
    if (!result.success) {
      const errors = result.error.issues.map((issue) => ({
        field: issue.path.join(".") || "row",
        message: issue.message,
      }));
      results.push({ email: emailOf(rows[index]), status: "invalid", errors });
      continue;
    }
    const input = result.data;
    const existingId = existing.get(input.email);
    if (existingId) {
      results.push({ email: input.email, status: "exists", userId: existingId });
      continue;
    }
    const problems = [
      ...(seen.has(input.email) ? [{ field: "email", message: "This email is listed twice in the batch." }] : []),
      ...(input.role === "SUPER_ADMIN" && actorRole(ctx.actor) !== "SUPER_ADMIN"
        ? [{ field: "role", message: "Only a Super admin can create a Super admin." }]
        : []),
      ...findInviteMembershipProblems(ctx, input, tenantSlugs),
    ];
    seen.add(input.email);
    if (problems.length > 0) {
      results.push({ email: input.email, status: "invalid", errors: problems });
      continue;
    }
    const invite = await prepareInvite(ctx, input, tenantSlugs);
    toCreate.push({ index: results.length, invite });
    results.push({
      email: input.email,
      status: "created",
      userId: invite.result.user.id,
      setupUrl: invite.result.setupUrl,
      setupLinkExpiresAt: invite.result.setupLinkExpiresAt.toISOString(),
    });
  }
  if (toCreate.length === 0) return results;
  try {
    await runBatch(
      ctx.db,
      buildInviteStatements(
        ctx.db,
        toCreate.map((entry) => entry.invite),
      ),
    );
  } catch (error) {
    // Another request created one of these emails meanwhile: the whole batch rolled back; the
    // caller may simply send it again (rows that now exist will report "exists").
    if (isUniqueViolation(error, "users.email")) {
      throw new AppError("STATE_CONFLICT", {
        detail: "Some of these emails were created by another request meanwhile. Send the batch again.",
      });
    }
    throw error;
  }
  // KV only speeds up lookups (D1 decides and a KV miss falls back to D1), so these writes may lag.
  await Promise.all(
    toCreate.map(({ invite }) =>
      storeSetupTokenInKv(ctx.kv, invite.prepared, invite.result.user.id, "invite", ctx.now),
    ),
  );
  return results;
}
