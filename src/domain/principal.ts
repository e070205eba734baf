// Who is calling: loads the user, their live memberships and their console permissions for a
// session cookie or an API token, in ONE batch keyed by the credential's hash (one D1 round trip,
// one query in the budget). Nothing is cached across requests, so deactivation, demotion,
// membership removal, group changes and expiry all take effect on the very next request.
import { and, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import { hashToken } from "../auth/crypto";
import { isSessionLive, sessionNeedsTouch, touchSession } from "../auth/session";
import type { Db } from "../db/client";
import { accessGroupMembers, accessGroupPermissions, apiTokens, memberships, sessions, tenants, users } from "../db/schema";
import { type LiveMembership, type Principal, resolvePermissions } from "./access";
import type { UserRow } from "./users";

type Credential = { kind: "session"; token: string } | { kind: "api_token"; token: string };

// API tokens record their last use at most once a minute.
const apiTokenTouchIntervalMs = 60_000;

function userIdOf(credential: Credential, hash: string): SQL {
  // A subquery keyed by the credential hash lets every read run in the same batch.
  return credential.kind === "session" ? (eq(sessions.id, hash) as SQL) : (eq(apiTokens.tokenHash, hash) as SQL);
}

function canUseAccount(user: UserRow): boolean {
  return Boolean(user.activatedAt && !user.deactivatedAt && !user.erasedAt && user.totpSecret);
}

export async function loadPrincipal(db: Db, credential: Credential, now: Date): Promise<Principal | null> {
  const hash = hashToken(credential.token);
  const credentialTable = credential.kind === "session" ? sessions : apiTokens;
  const credentialUserId = credential.kind === "session" ? sessions.userId : apiTokens.userId;
  // Drizzle maps D1 batch rows by column name, so no read in this batch may select two columns
  // of the same name: the credential and the user are read as two single-table selects.
  const userIdSubquery = db.select({ userId: credentialUserId }).from(credentialTable).where(userIdOf(credential, hash));
  const [credentialRows, userRows, membershipRows, permissionRows] = await db.batch([
    credential.kind === "session"
      ? db.select().from(sessions).where(eq(sessions.id, hash)).limit(1)
      : db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).limit(1),
    db
      .select()
      .from(users)
      .where(eq(users.id, sql`(${userIdSubquery})`))
      .limit(1),
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
      .selectDistinct({ permission: accessGroupPermissions.permission })
      .from(accessGroupPermissions)
      .innerJoin(accessGroupMembers, eq(accessGroupMembers.groupId, accessGroupPermissions.groupId))
      .where(eq(accessGroupMembers.userId, sql`(${userIdSubquery})`)),
  ]);
  const credentialRow = credentialRows[0];
  const user = userRows[0];
  if (!credentialRow || !user || !canUseAccount(user)) return null;
  let principalCredential: Principal["credential"];
  if (credential.kind === "session") {
    const session = credentialRow as typeof sessions.$inferSelect;
    if (!isSessionLive(session, now)) return null;
    if (sessionNeedsTouch(session, now)) await touchSession(db, session.id, now);
    principalCredential = { kind: "session", sessionId: session.id, authenticatedAt: session.authenticatedAt };
  } else {
    const token = credentialRow as typeof apiTokens.$inferSelect;
    if (token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= now.getTime())) return null;
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= apiTokenTouchIntervalMs) {
      await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, token.id));
    }
    principalCredential = { kind: "api_token", tokenId: token.id };
  }
  return {
    user: {
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      displayName: user.displayName,
      role: user.role,
      timeZone: user.timeZone,
    },
    credential: principalCredential,
    memberships: membershipRows as LiveMembership[],
    permissions: resolvePermissions(
      user.role,
      permissionRows.map((r) => r.permission),
    ),
  };
}
