// Who is calling /scim/v2: a directory, named by one of its tokens (docs/SECURITY.md "Directory
// tokens"). One batch keyed by the token's SHA-256 reads the token and its directory and records
// the use at most once a minute, like an API token (domain/principal.ts). Nothing is cached, so a
// revoked token, or one past its rotation overlap, is refused on its very next request.
import { and, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { hashToken } from "../../auth/crypto";
import type { Db } from "../../db/client";
import { directories, directoryTokens, tenants } from "../../db/schema";
import type { ServicePrincipal } from "../access";
import type { DomainContext } from "../context";
import { directoryActor, syncedDirectoryOf } from "../directories/directory-sync";
import { type EventDeliveryHint, readEventDeliveryHint, selectEventDeliveryHint } from "../webhooks/webhook-dispatch";

const useRecordIntervalMs = 60_000;

export interface DirectoryOfCaller {
  id: string;
  name: string;
  scope: "staff" | "tenant";
  /** Null for the staff directory. */
  tenant: { id: string; slug: string; name: string } | null;
}

/** A directory as a caller: the service principal authorize() decides for, with the directory it names. */
export interface DirectoryCaller extends ServicePrincipal {
  directory: DirectoryOfCaller;
  tokenId: string;
  /** Read in the same batch: whether events may wait for webhook delivery. */
  eventDelivery?: EventDeliveryHint;
}

/** The context of every SCIM read and write: each is scoped by `actor.directory.id`. */
export type DirectoryContext = DomainContext & { actor: DirectoryCaller };

/** The directory's last change, in the batch of every SCIM write (the directory's page shows it). */
export function recordDirectoryChange(ctx: DirectoryContext) {
  return ctx.db.update(directories).set({ lastChangeAt: ctx.now }).where(eq(directories.id, ctx.actor.directory.id));
}

function isTokenLive(token: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): boolean {
  return !token.revokedAt && (token.expiresAt === null || token.expiresAt.getTime() > now.getTime());
}

export async function loadDirectoryCaller(db: Db, token: string, now: Date): Promise<DirectoryCaller | null> {
  const hash = hashToken(token);
  const due = new Date(now.getTime() - useRecordIntervalMs);
  const directoryIdOfToken = db
    .select({ directoryId: directoryTokens.directoryId })
    .from(directoryTokens)
    .where(eq(directoryTokens.tokenHash, hash));
  const tokenIsLive = and(
    eq(directoryTokens.tokenHash, hash),
    isNull(directoryTokens.revokedAt),
    or(isNull(directoryTokens.expiresAt), gt(directoryTokens.expiresAt, now)),
  );
  const [tokenRows, directoryRows, hintRows] = await db.batch([
    db.select().from(directoryTokens).where(eq(directoryTokens.tokenHash, hash)).limit(1),
    db
      // Aliased: D1 maps a batch's rows by column name, and tenants.id/name would overwrite the directory's (docs/STORES.md).
      .select({
        id: directories.id,
        name: directories.name,
        scope: directories.scope,
        // Aliased: a D1 batch keys its rows by column name, so tenants.id and tenants.name would
        // overwrite directories.id and directories.name.
        tenantId: sql<string | null>`${tenants.id}`.as("directory_tenant_id"),
        tenantSlug: sql<string | null>`${tenants.slug}`.as("directory_tenant_slug"),
        tenantName: sql<string | null>`${tenants.name}`.as("directory_tenant_name"),
      })
      .from(directories)
      .leftJoin(tenants, eq(tenants.id, directories.tenantId))
      .where(eq(directories.id, sql`(${directoryIdOfToken})`))
      .limit(1),
    selectEventDeliveryHint(db),
    // After the reads, which see the values from before: the use, at most once a minute, live tokens only.
    db
      .update(directoryTokens)
      .set({ lastUsedAt: now })
      .where(and(tokenIsLive, or(isNull(directoryTokens.lastUsedAt), lte(directoryTokens.lastUsedAt, due)))),
    db
      .update(directories)
      .set({ lastRequestAt: now })
      .where(
        and(
          eq(
            directories.id,
            sql`(${db.select({ directoryId: directoryTokens.directoryId }).from(directoryTokens).where(tokenIsLive)})`,
          ),
          or(isNull(directories.lastRequestAt), lte(directories.lastRequestAt, due)),
        ),
      ),
  ]);
  const tokenRow = tokenRows[0];
  const directory = directoryRows[0];
  if (!tokenRow || !directory || !isTokenLive(tokenRow, now)) return null;
  const tenant =
    directory.scope === "tenant" && directory.tenantId && directory.tenantSlug && directory.tenantName
      ? { id: directory.tenantId, slug: directory.tenantSlug, name: directory.tenantName }
      : null;
  if (directory.scope === "tenant" && !tenant) return null;
  const caller = { id: directory.id, name: directory.name, scope: directory.scope, tenant };
  return {
    ...directoryActor(syncedDirectoryOf(caller)),
    directory: caller,
    tokenId: tokenRow.id,
    eventDelivery: readEventDeliveryHint(hintRows),
  };
}
