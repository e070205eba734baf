// Test data through the real domain code: users are invited and complete setup exactly as the
// product does it, so no test depends on a hand-written row.
import { createApp } from "../../src/app";
import { createDbFromEnv } from "../../src/db/connect";
import type { GlobalRole, MembershipRole } from "../../src/db/schema";
import type { Permission, Principal } from "../../src/domain/access";
import type { Actor, DomainContext } from "../../src/domain/context";
import { inviteUser } from "../../src/domain/invites/invites";
import { choosePassword, completeSetup, findSetupState } from "../../src/domain/invites/setup";
import { grantMembership } from "../../src/domain/memberships/memberships";
import { createTenant } from "../../src/domain/tenants/tenants";
import type { InviteInput } from "../../src/domain/users/users";
import { readConfig } from "../../src/env";
import type { AppOptions } from "../../src/http/request-context";
import { Agent, summarizeResponse } from "./agent";
import type { TestClock } from "./clock";
import { extractEmbeddedToken } from "./links";
import { env, rawDb } from "./store";
import { totpCode } from "./totp";

let counter = 0;

export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}.${counter}.${crypto.randomUUID().slice(0, 8)}@example.test`;
}

/**
 * A client address of its own (IPv6 documentation range): sign-in failures count per address, and
 * every test clock starts at the same instant, so tests that fail sign-ins must not share one.
 */
export function uniqueAddress(): string {
  return `2001:db8::${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;
}

export const testPassword = "correct horse battery staple";

/** A signed-in principal made up for domain tests that only need someone acting with this role. */
export function testPrincipal(clock: TestClock, role: GlobalRole, permissions: Permission[] = []): Principal {
  const name = role.toLowerCase();
  return {
    user: {
      id: `usr_${name}_actor`,
      email: `${name}.actor@example.test`,
      firstName: "Test",
      lastName: role,
      displayName: `Test ${role}`,
      role,
      timeZone: "UTC",
      slackId: null,
      createdAt: clock.now(),
      lastLoginAt: null,
    },
    credential: {
      kind: "session",
      sessionId: "s",
      authenticatedAt: clock.now(),
      signInMethod: "password_totp",
      passkeyEnrolmentRequired: false,
    },
    memberships: [],
    permissions: new Set(permissions),
  };
}

export function testContext(clock: TestClock, actor: Actor = { kind: "system" }): DomainContext {
  return {
    db: createDbFromEnv(env),
    kv: env.KV,
    now: clock.now(),
    config: readConfig(env),
    actor,
    ip: "203.0.113.7",
    requestId: "test",
  };
}

/** The app on the test clock; options such as clientAddress replace the production defaults. */
export function createTestApp(clock: TestClock, options: Partial<AppOptions> = {}) {
  return createApp({ clock: clock.now, ...options });
}

export async function inviteTestUser(clock: TestClock, input: Partial<InviteInput> = {}, actor?: Actor) {
  const result = await inviteUser(testContext(clock, actor), {
    email: input.email ?? uniqueEmail(),
    firstName: input.firstName ?? "Test",
    lastName: input.lastName ?? "Person",
    role: input.role ?? "OPERATOR",
    slackId: input.slackId ?? null,
    memberships: input.memberships ?? [],
  });
  return { ...result, token: extractEmbeddedToken(result.setupUrl) };
}

export interface ActiveTestUser {
  id: string;
  email: string;
  role: GlobalRole;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
}

/** Invites a user and completes setup through the domain (password + TOTP). */
export async function createActiveUser(
  clock: TestClock,
  input: Partial<InviteInput> = {},
  actor?: Actor,
): Promise<ActiveTestUser> {
  const invited = await inviteTestUser(clock, input, actor);
  return acceptInvite(clock, invited.user, invited.token);
}

/**
 * Completes setup with the token of a setup link (password + TOTP), as the invitee would, whoever
 * sent the invite: a person, or a directory (the link then comes from the outbox).
 */
export async function acceptInvite(
  clock: TestClock,
  user: { id: string; email: string; role: GlobalRole; firstName: string; lastName: string },
  setupToken: string,
): Promise<ActiveTestUser> {
  const ctx = testContext(clock);
  const state = await findSetupState(ctx, setupToken);
  if (!state) throw new Error("setup link of a fresh invite is not valid");
  const totpSecret = await choosePassword(ctx, state, {
    displayName: `${user.firstName} ${user.lastName}`,
    password: testPassword,
    passwordConfirmation: testPassword,
  });
  const refreshed = await findSetupState(ctx, setupToken);
  if (!refreshed) throw new Error("setup state vanished");
  const completed = await completeSetup(ctx, refreshed, totpCode(totpSecret, clock.now()), {
    ip: null,
    userAgent: null,
  });
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    password: testPassword,
    totpSecret,
    recoveryCodes: completed.recoveryCodes,
  };
}

/**
 * Signs in through the pages as a person would. Moves the clock one TOTP step forward first:
 * the step used at setup (or a previous sign-in) is never accepted twice.
 */
export async function signInAs(
  app: ReturnType<typeof createApp>,
  clock: TestClock,
  user: ActiveTestUser,
): Promise<Agent> {
  clock.advanceSeconds(30);
  const agent = new Agent(app);
  const passwordStep = await agent.post("/login", { email: user.email, password: user.password });
  if (passwordStep.status !== 303) throw new Error(`password step failed: ${await summarizeResponse(passwordStep)}`);
  const codeStep = await agent.post("/login/verify", { code: totpCode(user.totpSecret, clock.now()) });
  if (codeStep.status !== 303 || !agent.sessionCookie())
    throw new Error(`code step failed: ${await summarizeResponse(codeStep)}`);
  return agent;
}

export async function createTestTenant(clock: TestClock, name = "Tenant") {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${crypto.randomUUID().slice(0, 8)}`;
  return createTenant(testContext(clock), { name, slug, description: "" });
}

export async function grantTestMembership(
  clock: TestClock,
  input: { userId: string; tenantId: string; role: MembershipRole; expiresAt?: Date | null },
) {
  return grantMembership(testContext(clock), { ...input, expiresAt: input.expiresAt ?? null });
}

/** Puts a user into a new access group holding exactly `permissions` (fixture; groups have their own tests). */
/** The permissions the user's access groups grant, as loadPrincipal reads them (for principals built by hand). */
export async function readGroupPermissions(userId: string): Promise<Permission[]> {
  const { results } = await rawDb
    .prepare(
      "SELECT DISTINCT gp.permission FROM access_group_members AS gm JOIN access_group_permissions AS gp ON gp.group_id = gm.group_id WHERE gm.user_id = ?",
    )
    .bind(userId)
    .all<{ permission: Permission }>();
  return results.map((row) => row.permission);
}

export async function grantPermissionsThroughGroup(userId: string, permissions: string[]) {
  const groupId = `grp_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await rawDb.batch([
    rawDb
      .prepare("INSERT INTO access_groups (id, name, description, created_at, updated_at) VALUES (?, ?, '', 0, 0)")
      .bind(groupId, groupId),
    ...permissions.map((permission) =>
      rawDb
        .prepare("INSERT INTO access_group_permissions (group_id, permission) VALUES (?, ?)")
        .bind(groupId, permission),
    ),
    rawDb
      .prepare("INSERT INTO access_group_members (group_id, user_id, added_at) VALUES (?, ?, 0)")
      .bind(groupId, userId),
  ]);
  return groupId;
}
