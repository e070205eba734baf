// Who is calling: loads the user, their live memberships and their console permissions for a
// session cookie or an API token, in ONE batch keyed by the credential's hash (one D1 round trip,
// one query in the budget). Nothing is cached across requests, so deactivation, demotion,
// membership removal, group changes and expiry all take effect on the very next request.
import { and, eq, exists, gt, isNotNull, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { hashToken } from "../auth/crypto";
import { isSessionLive, sessionIdleTimeoutSeconds, sessionTouchIntervalSeconds } from "../auth/session";
import type { Db } from "../db/client";
import { apiTokens, memberships, passkeys, sessions, tenants, users } from "../db/schema";
import { type LiveMembership, type Principal, resolvePermissions } from "./access";
import { selectUserWithPermissions } from "./users/permissions-of";
import { identityOf, type UserRow } from "./users/users";
import { readEventDeliveryHint, selectEventDeliveryHint } from "./webhooks/webhook-dispatch";

type Credential = { kind: "session"; token: string } | { kind: "api_token"; token: string };

// API tokens record their last use at most once a minute.
const apiTokenTouchIntervalMs = 60_000;

function userIdOf(credential: Credential, hash: string): SQL {
  // A subquery keyed by the credential hash lets every read run in the same batch.
  return credential.kind === "session" ? (eq(sessions.id, hash) as SQL) : (eq(apiTokens.tokenHash, hash) as SQL);
}

/** Activated, not deactivated or erased, and holding a second factor (after a two-factor reset it holds none). */
function canUseAccount(user: UserRow, hasPasskey: boolean): boolean {
  return Boolean(user.activatedAt && !user.deactivatedAt && !user.erasedAt && (user.totpSecret || hasPasskey));
}

/** The user's usable passkeys (not those of an unfinished setup); `userId` may be a subquery. */
function usablePasskeyOf(userId: SQL | typeof users.id) {
  return and(eq(passkeys.userId, userId), isNull(passkeys.pendingSetupTokenHash));
}

/**
 * Records the credential's use at most once a minute, only while it is live and its account
 * usable (the same rules as the checks below). A conditional write placed after the reads of the
 * same batch, which see the values from before it: loading the caller stays one query, touch or not.
 */
function recordUseIfDue(db: Db, credential: Credential, hash: string, now: Date) {
  const nowMs = now.getTime();
  const accountUsable = (userId: typeof sessions.userId | typeof apiTokens.userId) =>
    exists(
      db
        .select({ one: sql`1` })
        .from(users)
        .where(
          and(
            eq(users.id, userId),
            isNotNull(users.activatedAt),
            isNull(users.deactivatedAt),
            isNull(users.erasedAt),
            or(
              isNotNull(users.totpSecret),
              exists(db.select({ one: sql`1` }).from(passkeys).where(usablePasskeyOf(users.id))),
            ),
          ),
        ),
    );
  if (credential.kind === "session") {
    return db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(sessions.id, hash),
          lte(sessions.lastSeenAt, new Date(nowMs - sessionTouchIntervalSeconds * 1000)),
          gt(sessions.lastSeenAt, new Date(nowMs - sessionIdleTimeoutSeconds * 1000)),
          gt(sessions.expiresAt, now),
          accountUsable(sessions.userId),
        ),
      );
  }
  return db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiTokens.tokenHash, hash),
        or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, new Date(nowMs - apiTokenTouchIntervalMs))),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        accountUsable(apiTokens.userId),
      ),
    );
}

export async function loadPrincipal(db: Db, credential: Credential, now: Date): Promise<Principal | null> {
  const hash = hashToken(credential.token);
  const credentialTable = credential.kind === "session" ? sessions : apiTokens;
  const credentialUserId = credential.kind === "session" ? sessions.userId : apiTokens.userId;
  // Drizzle maps D1 batch rows by column name, so no read in this batch may select two columns
  // of the same name: the credential and the user are read as two single-table selects.
  const userIdSubquery = db
    .select({ userId: credentialUserId })
    .from(credentialTable)
    .where(userIdOf(credential, hash));
  const [credentialRows, userRows, permissionRows, membershipRows, passkeyRows, hintRows] = await db.batch([
    credential.kind === "session"
      ? db.select().from(sessions).where(eq(sessions.id, hash)).limit(1)
      : db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).limit(1),
    ...selectUserWithPermissions(db, sql`(${userIdSubquery})`),
    db
      .select({
        id: memberships.id,
        tenantId: memberships.tenantId,
        tenantSlug: tenants.slug,
        tenantName: tenants.name,
        role: memberships.role,
        expiresAt: memberships.expiresAt,
      })
      .from(memberships)
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(
        and(
          eq(memberships.userId, sql`(${userIdSubquery})`),
          isNull(memberships.revokedAt),
          or(isNull(memberships.expiresAt), gt(memberships.expiresAt, now)),
        ),
      )
      .orderBy(tenants.name),
    db
      .select({ id: passkeys.id })
      .from(passkeys)
      .where(usablePasskeyOf(sql`(${userIdSubquery})`))
      .limit(1),
    selectEventDeliveryHint(db),
    recordUseIfDue(db, credential, hash, now),
  ]);
  const credentialRow = credentialRows[0];
  const user = userRows[0];
  if (!credentialRow || !user || !canUseAccount(user, passkeyRows.length > 0)) return null;
  let principalCredential: Principal["credential"];
  if (credential.kind === "session") {
    const session = credentialRow as typeof sessions.$inferSelect;
    if (!isSessionLive(session, now)) return null;
    principalCredential = {
      kind: "session",
      sessionId: session.id,
      authenticatedAt: session.authenticatedAt,
      signInMethod: session.signInMethod,
      passkeyEnrolmentRequired: session.passkeyEnrolmentRequired,
    };
  } else {
    const token = credentialRow as typeof apiTokens.$inferSelect;
    if (token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= now.getTime())) return null;
    principalCredential = { kind: "api_token", tokenId: token.id };
  }
  return {
    user: {
      ...identityOf(user),
      timeZone: user.timeZone,
      slackId: user.slackId,
      createdAt: user.createdAt,
      lastLoginAt: user.lastLoginAt,
    },
    credential: principalCredential,
    memberships: membershipRows as LiveMembership[],
    permissions: resolvePermissions(
      user.role,
      permissionRows.map((r) => r.permission),
    ),
    eventDelivery: readEventDeliveryHint(hintRows),
  };
}
