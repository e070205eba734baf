// Memberships as plain rows, for the jobs' tests: the sweep and the notices must see memberships
// that have already expired, which the memberships domain API refuses to grant.
import { generateId } from "../../src/auth/crypto";
import { createDbFromEnv } from "../../src/db/connect";
import { type MembershipRole, memberships } from "../../src/db/schema";
import type { TestClock } from "./clock";
import { createActiveUser, inviteTestUser } from "./factories";
import { env, rawDb } from "./store";

export async function insertTestMembership(
  clock: TestClock,
  input: { userId: string; tenantId: string; expiresAt: Date | null; role?: MembershipRole; createdBy?: string | null },
) {
  const id = generateId("mbr");
  await createDbFromEnv(env)
    .insert(memberships)
    .values({
      id,
      userId: input.userId,
      tenantId: input.tenantId,
      role: input.role ?? "OPERATOR_READONLY",
      expiresAt: input.expiresAt,
      createdAt: clock.now(),
      createdBy: input.createdBy ?? null,
      updatedAt: clock.now(),
    });
  return id;
}

/**
 * `count` memberships of one contractor (Casey Contractor), one tenant each, granted by an active
 * SUPER_ADMIN and expiring `inMs` after now: one batch of plain rows, for backlogs of notices.
 */
export async function insertTestMemberships(clock: TestClock, count: number, inMs: number) {
  const grantor = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const { user: member } = await inviteTestUser(clock, {
    role: "CONTRACTOR",
    firstName: "Casey",
    lastName: "Contractor",
  });
  const now = clock.now().getTime();
  const statements = Array.from({ length: count }, (_, index) => {
    const tenantId = generateId("ten");
    return [
      rawDb
        .prepare("INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .bind(tenantId, `Tenant ${index}`, `t-${tenantId.slice(4, 30)}`, now, now),
      rawDb
        .prepare(
          "INSERT INTO memberships (id, user_id, tenant_id, role, expires_at, created_at, created_by, updated_at) VALUES (?, ?, ?, 'OPERATOR_READONLY', ?, ?, ?, ?)",
        )
        .bind(generateId("mbr"), member.id, tenantId, now + inMs, now, grantor.id, now),
    ];
  });
  await rawDb.batch(statements.flat());
  return { member, grantor };
}

export interface MembershipState {
  revoked_at: number | null;
  revoke_reason: string | null;
  expires_at: number | null;
}

export async function readMembership(id: string): Promise<MembershipState | null> {
  return rawDb
    .prepare("SELECT revoked_at, revoke_reason, expires_at FROM memberships WHERE id = ?")
    .bind(id)
    .first<MembershipState>();
}

export async function countExpiryAuditEvents(membershipId: string): Promise<number> {
  const row = await rawDb
    .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'membership.expired' AND target_id = ?")
    .bind(membershipId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
