// Fixtures shared by the budget rows of test/budget/route-budgets-*.ts: callers of each kind, a
// tenant with its people, repeated form fields and API clients. Everything here runs in a row's
// `prepare`, before the counted request, so none of it shows in the counts.
import { env } from "cloudflare:test";
import type { GlobalRole, MembershipRole } from "../../src/db/schema";
import type { Permission } from "../../src/domain/access";
import { addGroupMembers } from "../../src/domain/groups/group-members";
import { revokeMembership } from "../../src/domain/memberships/memberships";
import { postTenantUpdate } from "../../src/domain/tenants/tenant-updates";
import type { TenantRow } from "../../src/domain/tenants/tenants";
import { deactivateUser } from "../../src/domain/users/user-lifecycle";
import type { Agent } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import {
  type ActiveTestUser,
  createActiveUser,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  signInAs,
  testContext,
} from "../helpers/factories";
import { createTestGroup } from "../helpers/groups";
import type { BudgetFixture, MeasuredRequest } from "./route-budgets";

export interface SignedIn {
  agent: Agent;
  user: ActiveTestUser;
}

/** A fresh active user of the role, signed in through the pages. */
export async function signedInWith(fixture: BudgetFixture, options: { role?: GlobalRole } = {}): Promise<SignedIn> {
  const user = await createActiveUser(fixture.clock, { role: options.role ?? "SUPER_ADMIN" });
  return { agent: await signInAs(fixture.app, fixture.clock, user), user };
}

/** An API client with a personal API token (Bearer), as curl would call, for a fresh user. */
export async function apiCaller(
  fixture: BudgetFixture,
  options: { role?: GlobalRole } = {},
): Promise<SignedIn & { api: ApiClient }> {
  const signedIn = await signedInWith(fixture, options);
  return { ...signedIn, api: new ApiClient(fixture.app, await createApiTokenFor(signedIn.agent)) };
}

/** An active user of the role with a live membership in the tenant. */
export async function createMember(
  fixture: BudgetFixture,
  tenantId: string,
  role: MembershipRole,
  options: { globalRole?: GlobalRole; expiresAt?: Date | null } = {},
) {
  const globalRole = options.globalRole ?? (role.startsWith("CLIENT_") ? "CLIENT_USER" : "OPERATOR");
  const user = await createActiveUser(fixture.clock, { role: globalRole });
  const membership = await grantTestMembership(fixture.clock, {
    userId: user.id,
    tenantId,
    role,
    expiresAt: options.expiresAt ?? null,
  });
  return { user, membership };
}

/** A CLIENT_USER whose one membership, in the tenant, was revoked: a former portal user of the company. */
export async function createFormerClient(fixture: BudgetFixture, tenantId: string) {
  const { user, membership } = await createMember(fixture, tenantId, "CLIENT_VIEWER");
  await revokeMembership(testContext(fixture.clock), membership.id);
  return user;
}

/** A pending CLIENT_USER invited into the tenant (their membership is created with the invite). */
export async function invitePendingClient(fixture: BudgetFixture, tenantId: string) {
  const invited = await inviteTestUser(fixture.clock, {
    role: "CLIENT_USER",
    memberships: [{ tenantId, role: "CLIENT_VIEWER", expiresAt: null }],
  });
  const row = await env.DB.prepare("SELECT id FROM memberships WHERE user_id = ? AND revoked_at IS NULL")
    .bind(invited.user.id)
    .first<{ id: string }>();
  if (!row) throw new Error("the invite created no membership");
  return { user: invited.user, membershipId: row.id };
}

/**
 * A tenant as people use it, and larger than a page: a few updates, a pending client user
 * (invited, setup not finished), and 120 active client users and 110 operators as plain rows
 * (no setup, so it stays fast). Routes that read a tenant's people must page them.
 */
export async function createPopulatedTenant(fixture: BudgetFixture, name = "Populated") {
  const tenant: TenantRow = await createTestTenant(fixture.clock, name);
  const ctx = testContext(fixture.clock);
  const updates = [];
  for (const title of ["Welcome", "Maintenance window", "New contact"]) {
    updates.push(await postTenantUpdate(ctx, tenant, { title, body: `${title}: details for the client.` }));
  }
  const pending = await invitePendingClient(fixture, tenant.id);
  const [viewer] = await addPlainMembers(fixture, tenant.id, 120, "clients");
  await addPlainMembers(fixture, tenant.id, 110, "staff");
  if (!viewer) throw new Error("no plain client was added");
  return { tenant, updates, viewer, pending };
}

/** A group holding `permissions` with `memberCount` fresh OPERATOR members. */
export async function createGroupWithMembers(fixture: BudgetFixture, permissions: Permission[], memberCount: number) {
  const group = await createTestGroup(fixture.clock, permissions);
  const members: ActiveTestUser[] = [];
  for (let index = 0; index < memberCount; index++)
    members.push(await createActiveUser(fixture.clock, { role: "OPERATOR" }));
  if (members.length > 0) {
    await addGroupMembers(
      testContext(fixture.clock),
      group.id,
      members.map((member) => member.id),
    );
  }
  return { group, members };
}

/** A deactivated account (deactivated by the system), for reactivation and erasure. */
export async function createDeactivatedUser(fixture: BudgetFixture, role: GlobalRole = "OPERATOR") {
  const user = await createActiveUser(fixture.clock, { role });
  await deactivateUser(testContext(fixture.clock), user.id);
  return user;
}

/** Reads the whole body inside the measured request, so a streamed response's queries are counted too. */
export function readingWholeBody(send: MeasuredRequest): MeasuredRequest {
  return async () => {
    const response = await send();
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

/**
 * `count` more people in the tenant, written as plain rows (no setup, so it stays fast): client
 * users with CLIENT_VIEWER, or operators with OPERATOR_READONLY. Makes a tenant larger than a page.
 */
export async function addPlainMembers(
  fixture: BudgetFixture,
  tenantId: string,
  count: number,
  kind: "clients" | "staff" = "clients",
) {
  const now = fixture.clock.now().getTime();
  const batchId = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const added = Array.from({ length: count }, (_, index) => ({
    userId: `usr_plain_${batchId}_${index}`,
    membershipId: `mbr_plain_${batchId}_${index}`,
  }));
  const statements = added.map(({ userId, membershipId }, index) => {
    return [
      env.DB.prepare(
        `INSERT INTO users (id, email, first_name, last_name, display_name, role, activated_at, created_at, updated_at)
         VALUES (?, ?, 'Plain', ?, ?, ?, ?, ?, ?)`,
      ).bind(
        userId,
        `plain.${batchId}.${index}@example.test`,
        `Person ${index}`,
        `Plain Person ${index}`,
        kind === "clients" ? "CLIENT_USER" : "OPERATOR",
        now,
        now,
        now,
      ),
      env.DB.prepare(
        "INSERT INTO memberships (id, user_id, tenant_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).bind(membershipId, userId, tenantId, kind === "clients" ? "CLIENT_VIEWER" : "OPERATOR_READONLY", now, now),
    ];
  });
  await env.DB.batch(statements.flat());
  return added;
}
