// Personal API tokens (docs/PRODUCT.md §5): created on the account page, shown once, stored as SHA-256,
// optional expiry, revocable, listed with their last use. A token acts with its owner's current
// rights (read on every request), so it dies with deactivation and bites on demotion.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import * as z from "zod";
import { generateId, hashToken } from "../../auth/crypto";
import { generateSecretToken } from "../../auth/token-format";
import { runBatch } from "../../db/batch";
import type { Db } from "../../db/client";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { apiTokens } from "../../db/schema";
import { AppError } from "../../errors";
import type { Principal } from "../access";
import { insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { singleLineTextSchema } from "../text";

const maximumTokensPerUser = 50;

export const createApiTokenSchema = z.strictObject({
  name: singleLineTextSchema("Token name").min(1, "Give the token a name.").max(100, "Use at most 100 characters."),
  expiresAt: z.iso
    .datetime({ offset: true, message: "Use an ISO-8601 time such as 2026-12-31T17:00:00Z." })
    .transform((value) => new Date(value))
    .nullish()
    .transform((value) => value ?? null),
});

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export function toApiTokenDto(token: ApiTokenRow, now: Date) {
  const expired = token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime();
  return {
    id: token.id,
    name: token.name,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    status: token.revokedAt ? "revoked" : expired ? "expired" : "active",
  };
}

/** A user's tokens, newest first (at most twice the live maximum), to run alone or inside a db.batch(). */
export function selectOwnApiTokens(db: Db, userId: string) {
  return db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt))
    .limit(maximumTokensPerUser * 2);
}

export async function listOwnApiTokens(ctx: DomainContext, principal: Principal): Promise<ApiTokenRow[]> {
  return selectOwnApiTokens(ctx.db, principal.user.id);
}

function tooManyTokensError(): AppError {
  return new AppError("STATE_CONFLICT", { detail: `You have ${maximumTokensPerUser} tokens; revoke some first.` });
}

export async function createApiToken(
  ctx: DomainContext,
  principal: Principal,
  input: z.output<typeof createApiTokenSchema>,
) {
  if (input.expiresAt && input.expiresAt.getTime() <= ctx.now.getTime()) {
    throw new AppError("VALIDATION_FAILED", {
      fieldErrors: [{ field: "expiresAt", message: "The expiry must lie in the future." }],
    });
  }
  // The stored digest is of the whole token, prefix and checksum included (auth/token-format.ts).
  const secret = generateSecretToken("personalApiToken");
  const token: ApiTokenRow = {
    id: generateId("tok"),
    userId: principal.user.id,
    name: input.name,
    tokenHash: hashToken(secret),
    createdAt: ctx.now,
    expiresAt: input.expiresAt,
    lastUsedAt: null,
    revokedAt: null,
  };
  // The limit is checked inside the write (no read first): the insert counts itself, so more than the maximum aborts.
  const liveTokens = sql`(SELECT count(*) FROM api_tokens WHERE user_id = ${principal.user.id} AND revoked_at IS NULL)`;
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(apiTokens).values(token),
      assertCondition(ctx.db, sql`${liveTokens} <= ${maximumTokensPerUser}`),
      insertAuditEvent(ctx, {
        action: "api_token.created",
        target: { type: "api_token", id: token.id, label: token.name },
        details: { expiresAt: token.expiresAt?.toISOString() ?? null },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw tooManyTokensError();
    throw error;
  }
  return { token, secret };
}

/** Only the owner revokes their token; anyone else's token answers 404. */
/** Revokes one of the caller's tokens; returns its name, for the message that confirms it. */
export async function revokeOwnApiToken(
  ctx: DomainContext,
  principal: Principal,
  tokenId: string,
): Promise<{ name: string }> {
  const [token] = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, principal.user.id)))
    .limit(1);
  if (!token || token.revokedAt) throw new AppError("NOT_FOUND");
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(apiTokens)
        .set({ revokedAt: ctx.now })
        .where(and(eq(apiTokens.id, token.id), isNull(apiTokens.revokedAt))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "api_token.revoked",
        target: { type: "api_token", id: token.id, label: token.name },
        details: {},
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw new AppError("NOT_FOUND");
    throw error;
  }
  return { name: token.name };
}
