// SCIM directories (docs/PRODUCT.md "Directories (SCIM)", docs/SECURITY.md "Directory tokens"): a
// SUPER_ADMIN creates one for the staff or for one tenant, and hands its base URL and bearer token
// to the identity provider. The token (gths_…) is shown once and stored only as SHA-256; a rotation
// leaves the older tokens working for 24 hours so the provider can be switched over without a gap.
import { and, eq, gt, isNull, ne, or } from "drizzle-orm";
import * as z from "zod";
import { generateId, hashToken } from "../../auth/crypto";
import { generateSecretToken } from "../../auth/token-format";
import { isUniqueViolation, runBatch } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { type DirectoryScope, directories, directoryTokens, tenants } from "../../db/schema";
import { AppError, fieldError } from "../../errors";
import { insertAuditEvent } from "../audit/audit";
import { actorRole, actorUserId, type DomainContext } from "../context";
import { singleLineTextSchema } from "../text";

/** How long an older token keeps working after a rotation. */
export const tokenOverlapSeconds = 24 * 60 * 60;

const directoryNameSchema = singleLineTextSchema("Directory name")
  .min(1, "Give the directory a name, such as the identity provider's (Okta, Entra).")
  .max(100, "Use at most 100 characters.");

export const createDirectorySchema = z.discriminatedUnion("scope", [
  z.strictObject({ scope: z.literal("staff"), name: directoryNameSchema }),
  z.strictObject({
    scope: z.literal("tenant"),
    name: directoryNameSchema,
    tenantId: z.string().trim().min(1, "Choose the company whose people this directory provisions.").max(64),
  }),
]);

export const renameDirectorySchema = z.strictObject({ name: directoryNameSchema });

export type DirectoryRow = typeof directories.$inferSelect;
export type DirectoryTokenRow = typeof directoryTokens.$inferSelect;

export interface IssuedDirectoryToken {
  token: DirectoryTokenRow;
  secret: string;
}

/** Only a SUPER_ADMIN (or the system, for the local script) manages directories; a service never does. */
export function assertMayManageDirectories(ctx: DomainContext): void {
  if (actorRole(ctx.actor) !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin can manage directories." });
  }
}

/** The one base URL of every directory: the bearer token tells the directories apart. */
export function scimBaseUrl(ctx: DomainContext): string {
  return `${ctx.config.APP_ORIGIN}/scim/v2`;
}

function issueToken(ctx: DomainContext, directoryId: string): IssuedDirectoryToken {
  // The stored digest is of the whole token, prefix and checksum included (auth/token-format.ts).
  const secret = generateSecretToken("directoryToken");
  const token: DirectoryTokenRow = {
    id: generateId("dtk"),
    directoryId,
    tokenHash: hashToken(secret),
    createdAt: ctx.now,
    createdBy: actorUserId(ctx.actor),
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  };
  return { token, secret };
}

export function describeDirectory(directory: { id: string; name: string }) {
  return { type: "directory" as const, id: directory.id, label: directory.name };
}

async function readTenantAndItsDirectory(ctx: DomainContext, tenantId: string) {
  const [tenantRows, directoryRows] = await ctx.db.batch([
    ctx.db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId)).limit(1),
    ctx.db
      .select({ id: directories.id })
      .from(directories)
      .where(and(eq(directories.scope, "tenant"), eq(directories.tenantId, tenantId)))
      .limit(1),
  ]);
  const tenant = tenantRows[0];
  if (!tenant) throw fieldError("tenantId", "This company does not exist (any more). Choose another.");
  return { tenant, hasDirectory: directoryRows.length > 0 };
}

function alreadyExists(owner: string): AppError {
  return new AppError("STATE_CONFLICT", {
    detail: `${owner} already has a directory. Open it from Directories to rotate its token instead.`,
    fieldErrors: [{ field: "scope", message: `${owner} already has a directory.` }],
  });
}

export async function createDirectory(ctx: DomainContext, input: z.output<typeof createDirectorySchema>) {
  assertMayManageDirectories(ctx);
  const tenant = input.scope === "tenant" ? await readTenantAndItsDirectory(ctx, input.tenantId) : null;
  const owner = tenant ? tenant.tenant.name : "The staff";
  if (tenant?.hasDirectory) throw alreadyExists(owner);
  const scope: DirectoryScope = input.scope;
  const directory: DirectoryRow = {
    id: generateId("dir"),
    name: input.name,
    scope,
    tenantId: tenant?.tenant.id ?? null,
    lastRequestAt: null,
    lastChangeAt: null,
    createdAt: ctx.now,
    createdBy: actorUserId(ctx.actor),
    updatedAt: ctx.now,
  };
  const issued = issueToken(ctx, directory.id);
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(directories).values(directory),
      ctx.db.insert(directoryTokens).values(issued.token),
      insertAuditEvent(ctx, {
        action: "directory.created",
        target: describeDirectory(directory),
        tenantId: directory.tenantId,
        details: { scope, tenant: tenant?.tenant.name ?? null },
      }),
    ]);
  } catch (error) {
    // The unique indexes (one per tenant, one staff directory) decide a race between two admins.
    if (isUniqueViolation(error, "directories.")) throw alreadyExists(owner);
    throw error;
  }
  const tenantName = tenant?.tenant.name ?? null;
  return { directory, tenantName, token: issued.token, secret: issued.secret, scimBaseUrl: scimBaseUrl(ctx) };
}

async function findDirectoryOrFail(ctx: DomainContext, directoryId: string): Promise<DirectoryRow> {
  const [directory] = await ctx.db.select().from(directories).where(eq(directories.id, directoryId)).limit(1);
  if (!directory) throw new AppError("NOT_FOUND");
  return directory;
}

/**
 * A new token; every older live token now expires within 24 hours (an earlier expiry stays), so
 * the identity provider keeps working while someone pastes the new token into it.
 */
export async function rotateDirectoryToken(ctx: DomainContext, directoryId: string) {
  assertMayManageDirectories(ctx);
  const directory = await findDirectoryOrFail(ctx, directoryId);
  const issued = issueToken(ctx, directory.id);
  const overlapEndsAt = new Date(ctx.now.getTime() + tokenOverlapSeconds * 1000);
  const liveOlderTokens = and(
    eq(directoryTokens.directoryId, directory.id),
    ne(directoryTokens.id, issued.token.id),
    isNull(directoryTokens.revokedAt),
    or(isNull(directoryTokens.expiresAt), gt(directoryTokens.expiresAt, ctx.now)),
  );
  await runBatch(ctx.db, [
    ctx.db.insert(directoryTokens).values(issued.token),
    ctx.db
      .update(directoryTokens)
      .set({ expiresAt: overlapEndsAt })
      .where(and(liveOlderTokens, or(isNull(directoryTokens.expiresAt), gt(directoryTokens.expiresAt, overlapEndsAt)))),
    ctx.db.update(directories).set({ updatedAt: ctx.now }).where(eq(directories.id, directory.id)),
    insertAuditEvent(ctx, {
      action: "directory.token_rotated",
      target: describeDirectory(directory),
      tenantId: directory.tenantId,
      details: { overlapEndsAt: overlapEndsAt.toISOString() },
    }),
  ]);
  return { directory, token: issued.token, secret: issued.secret, overlapEndsAt };
}

/** Ends one token now; requests that send it are refused from the next one on. */
export async function revokeDirectoryToken(ctx: DomainContext, directoryId: string, tokenId: string) {
  assertMayManageDirectories(ctx);
  const directory = await findDirectoryOrFail(ctx, directoryId);
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(directoryTokens)
        .set({ revokedAt: ctx.now })
        .where(
          and(
            eq(directoryTokens.id, tokenId),
            eq(directoryTokens.directoryId, directory.id),
            isNull(directoryTokens.revokedAt),
          ),
        ),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "directory.token_revoked",
        target: describeDirectory(directory),
        tenantId: directory.tenantId,
        // The key avoids the word "token": audit details refuse keys that look like secrets.
        details: { credentialId: tokenId },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error))
      throw new AppError("NOT_FOUND", {
        detail: "This directory has no live token with this id: it may have been revoked already.",
      });
    throw error;
  }
  return { directory };
}

export async function renameDirectory(
  ctx: DomainContext,
  directoryId: string,
  input: z.output<typeof renameDirectorySchema>,
) {
  assertMayManageDirectories(ctx);
  const directory = await findDirectoryOrFail(ctx, directoryId);
  if (directory.name === input.name) return { directory };
  try {
    await runBatch(ctx.db, [
      ctx.db
        .update(directories)
        .set({ name: input.name, updatedAt: ctx.now })
        .where(and(eq(directories.id, directory.id), eq(directories.name, directory.name))),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "directory.renamed",
        target: describeDirectory({ id: directory.id, name: input.name }),
        tenantId: directory.tenantId,
        details: { previousName: directory.name },
      }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error)) {
      throw new AppError("STATE_CONFLICT", { detail: "Someone renamed this directory meanwhile. Reload the page." });
    }
    throw error;
  }
  return { directory: { ...directory, name: input.name, updatedAt: ctx.now } };
}

/** The token states the directory page shows. */
export type DirectoryTokenState = "current" | "overlapping" | "revoked" | "expired";

export function directoryTokenState(
  token: Pick<DirectoryTokenRow, "revokedAt" | "expiresAt">,
  now: Date,
): DirectoryTokenState {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt === null) return "current";
  return token.expiresAt.getTime() > now.getTime() ? "overlapping" : "expired";
}
