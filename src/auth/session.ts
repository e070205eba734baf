// Sessions: a random 32-byte token in a __Host- cookie, stored as its SHA-256. Idle timeout 30
// minutes, absolute lifetime 12 hours. Validation reads the session together with the user, their
// live memberships and their permissions in one batch keyed by the token hash, so status, role,
// memberships and groups are current on every request (see domain/principal.ts).
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "../db/client";
import { type SignInMethod, sessions } from "../db/schema";
import { generateToken, hashToken } from "./crypto";

export const sessionIdleTimeoutSeconds = 30 * 60;
export const sessionAbsoluteLifetimeSeconds = 12 * 60 * 60;
// last_seen_at is written at most once a minute per session, not on every request (the
// conditional write rides in the caller's read batch: domain/principal.ts).
export const sessionTouchIntervalSeconds = 60;
export const recentSignInWindowSeconds = 15 * 60;

export interface NewSession {
  token: string;
  id: string;
  expiresAt: Date;
}

export function prepareSession(now: Date): NewSession {
  const token = generateToken();
  return { token, id: hashToken(token), expiresAt: new Date(now.getTime() + sessionAbsoluteLifetimeSeconds * 1000) };
}

/** How the session was signed in, and whether the role's policy first wants a passkey (docs/PASSKEYS.md). */
export interface SessionProof {
  signInMethod: SignInMethod;
  passkeyEnrolmentRequired: boolean;
}

export function insertSession(
  db: Db,
  session: NewSession,
  userId: string,
  now: Date,
  client: { ip: string | null; userAgent: string | null },
  proof: SessionProof,
) {
  return db.insert(sessions).values({
    id: session.id,
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: session.expiresAt,
    authenticatedAt: now,
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 300) ?? null,
    signInMethod: proof.signInMethod,
    passkeyEnrolmentRequired: proof.passkeyEnrolmentRequired,
  });
}

export function isSessionLive(session: { lastSeenAt: Date; expiresAt: Date }, now: Date): boolean {
  return (
    session.expiresAt.getTime() > now.getTime() &&
    now.getTime() - session.lastSeenAt.getTime() < sessionIdleTimeoutSeconds * 1000
  );
}

export function hasRecentSignIn(session: { authenticatedAt: Date }, now: Date): boolean {
  return now.getTime() - session.authenticatedAt.getTime() <= recentSignInWindowSeconds * 1000;
}

export function deleteSession(db: Db, sessionId: string) {
  return db.delete(sessions).where(eq(sessions.id, sessionId));
}

export function deleteUserSessions(db: Db, userId: string) {
  return db.delete(sessions).where(eq(sessions.userId, userId));
}

export function deleteOtherUserSessions(db: Db, userId: string, keepSessionId: string) {
  return db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)));
}
