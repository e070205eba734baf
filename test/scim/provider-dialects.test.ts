// Each identity provider's provisioning life, replayed from test/scim/fixtures as the provider
// documents its requests (the fixture names its sources), against the real app and a directory made
// as a SUPER_ADMIN makes one. After the steps that change a person, a checkpoint looks at what
// Gatehouse did: the invite, the role, the session that dies, the row kept for a relink.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { createApp } from "../../src/app";
import type { GlobalRole } from "../../src/db/schema";
import { setDirectoryGroupMapping } from "../../src/domain/directories/directory-group-mapping";
import { type Agent, summarizeResponse } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { superAdminActor } from "../helpers/directory-groups";
import { acceptInvite, createTestApp, createTestTenant, signInAs, testContext } from "../helpers/factories";
import { createTestGroup } from "../helpers/groups";
import { extractEmbeddedToken } from "../helpers/links";
import { type CreatedDirectory, createTestDirectory, findMismatches, ScimClient } from "../helpers/scim";
import { rawDb } from "../helpers/store";
import entraOptInFixture from "./fixtures/entra-aadoptscim062020.json";
import entraDefaultFixture from "./fixtures/entra-default.json";
import oktaFixture from "./fixtures/okta.json";

const checkpoints = [
  "pending-with-invite",
  "accept-invite-and-sign-in",
  "profile-updated",
  "map-group",
  "group-mapping-applied",
  "group-mapping-removed",
  "deactivated",
  "reactivated",
  "hidden-after-delete",
  "relinked",
] as const;
type Checkpoint = (typeof checkpoints)[number];

const fixtureSchema = z.strictObject({
  provider: z.string(),
  sources: z.array(z.url()).min(1),
  headers: z.record(z.string(), z.string()),
  steps: z.array(
    z.strictObject({
      name: z.string(),
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
      path: z.string().startsWith("/scim/v2/"),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      expect: z.strictObject({
        status: z.union([z.number().int(), z.array(z.number().int())]),
        location: z.boolean().optional(),
        body: z.unknown().optional(),
      }),
      absent: z.array(z.string()).optional(),
      capture: z.record(z.string(), z.string()).optional(),
      check: z.enum(checkpoints).optional(),
    }),
  ),
});
type Fixture = z.infer<typeof fixtureSchema>;

type App = ReturnType<typeof createApp>;
type DirectoryScope = { scope: "staff" } | { scope: "tenant"; tenantId: string };

/** What a replay knows between steps: the captured ids, and the person's session and API token once they have one. */
interface Replay {
  clock: TestClock;
  app: App;
  created: CreatedDirectory;
  scope: DirectoryScope;
  variables: Map<string, string>;
  scim: ScimClient;
  session?: Agent;
  api?: ApiClient;
  accessGroupId?: string;
}

function substitute<T>(value: T, variables: Map<string, string>): T {
  if (value === undefined) return value;
  const text = JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const found = variables.get(name);
    if (found === undefined) throw new Error(`{{${name}}} is used before a step captured it`);
    return found;
  });
  return JSON.parse(text) as T;
}

function readPath(body: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], body);
}

async function userRow(userId: string) {
  const row = await rawDb
    .prepare("SELECT id, email, first_name, last_name, role, activated_at, deactivated_at FROM users WHERE id = ?")
    .bind(userId)
    .first<{
      id: string;
      email: string;
      first_name: string;
      last_name: string;
      role: string;
      activated_at: number | null;
      deactivated_at: number | null;
    }>();
  if (!row) throw new Error(`no user ${userId}`);
  return row;
}

async function liveMembershipRole(userId: string, tenantId: string): Promise<string | null> {
  const row = await rawDb
    .prepare("SELECT role FROM memberships WHERE user_id = ? AND tenant_id = ? AND revoked_at IS NULL")
    .bind(userId, tenantId)
    .first<{ role: string }>();
  return row?.role ?? null;
}

async function isInAccessGroup(userId: string, groupId: string): Promise<boolean> {
  const row = await rawDb
    .prepare("SELECT 1 AS found FROM access_group_members WHERE user_id = ? AND group_id = ?")
    .bind(userId, groupId)
    .first();
  return row !== null;
}

async function directoryActions(userId: string, directoryId: string): Promise<string[]> {
  const { results } = await rawDb
    .prepare("SELECT action, actor_kind, actor_id FROM audit_events WHERE target_id = ? ORDER BY id")
    .bind(userId)
    .all<{ action: string; actor_kind: string; actor_id: string | null }>();
  return results
    .filter((row) => row.actor_kind === "service:scim_directory" && row.actor_id === directoryId)
    .map((row) => row.action);
}

function variable(replay: Replay, name: string): string {
  const value = replay.variables.get(name);
  if (!value) throw new Error(`no {{${name}}} captured yet`);
  return value;
}

const runCheckpoint: Record<Checkpoint, (replay: Replay) => Promise<void>> = {
  async "pending-with-invite"(replay) {
    const userId = variable(replay, "userId");
    const user = await userRow(userId);
    expect(user.activated_at, "a provisioned user waits for their setup link").toBeNull();
    expect(user.deactivated_at).toBeNull();
    if (replay.scope.scope === "tenant") {
      expect(user.role).toBe("CLIENT_USER");
      expect(await liveMembershipRole(userId, replay.scope.tenantId)).toBe("CLIENT_VIEWER");
      const { results } = await rawDb
        .prepare("SELECT tenant_id FROM memberships WHERE user_id = ?")
        .bind(userId)
        .all<{ tenant_id: string }>();
      expect(results.map((row) => row.tenant_id)).toEqual([replay.scope.tenantId]);
    } else {
      expect(user.role).toBe("OPERATOR");
    }
    const invite = await rawDb
      .prepare("SELECT to_address FROM outbox WHERE user_id = ? AND kind = 'invite'")
      .bind(userId)
      .first<{ to_address: string }>();
    expect(invite?.to_address).toBe(user.email);
    expect(await directoryActions(userId, replay.created.directory.id)).not.toEqual([]);
  },

  async "accept-invite-and-sign-in"(replay) {
    const userId = variable(replay, "userId");
    const user = await userRow(userId);
    const email = await rawDb
      .prepare("SELECT text_body FROM outbox WHERE user_id = ? AND kind = 'invite'")
      .bind(userId)
      .first<{ text_body: string }>();
    const setupUrl = /https?:\/\/\S+\/setup\/[A-Za-z0-9_-]{43}/.exec(email?.text_body ?? "")?.[0];
    if (!setupUrl) throw new Error(`no setup link in the invite: ${email?.text_body}`);
    const active = await acceptInvite(
      replay.clock,
      { id: user.id, email: user.email, role: user.role as GlobalRole, firstName: "Set", lastName: "Up" },
      extractEmbeddedToken(setupUrl),
    );
    replay.session = await signInAs(replay.app, replay.clock, active);
    replay.api = new ApiClient(replay.app, await createApiTokenFor(replay.session));
    expect((await replay.session.get("/api/v1/me")).status).toBe(200);
    expect((await replay.api.call("GET", "/api/v1/me")).status).toBe(200);
  },

  async "profile-updated"(replay) {
    const userId = variable(replay, "userId");
    const resource = await replay.scim.expectJson<{
      name: { givenName: string; familyName: string };
      emails: Array<{ value: string; primary?: boolean; type?: string }>;
    }>("GET", `/scim/v2/Users/${userId}`, undefined, 200);
    const user = await userRow(userId);
    expect(user.first_name).toBe(resource.name.givenName);
    expect(user.last_name).toBe(resource.name.familyName);
    const primary = resource.emails.find((email) => email.primary) ?? resource.emails.find((e) => e.type === "work");
    expect(user.email).toBe(primary?.value.toLowerCase());
  },

  async "map-group"(replay) {
    // As the directory page's form does it, before the directory adds anyone to the group.
    const groupId = variable(replay, "groupId");
    const admin = testContext(replay.clock, superAdminActor(replay.clock));
    if (replay.scope.scope === "tenant") {
      await setDirectoryGroupMapping(admin, groupId, { mappedRole: "CLIENT_ADMIN", accessGroupId: null });
    } else {
      const accessGroup = await createTestGroup(replay.clock, ["users:read"]);
      replay.accessGroupId = accessGroup.id;
      await setDirectoryGroupMapping(admin, groupId, { mappedRole: null, accessGroupId: accessGroup.id });
    }
  },

  async "group-mapping-applied"(replay) {
    const userId = variable(replay, "userId");
    if (replay.scope.scope === "tenant") {
      expect(await liveMembershipRole(userId, replay.scope.tenantId)).toBe("CLIENT_ADMIN");
    } else {
      expect(await isInAccessGroup(userId, replay.accessGroupId ?? "")).toBe(true);
    }
  },

  async "group-mapping-removed"(replay) {
    const userId = variable(replay, "userId");
    if (replay.scope.scope === "tenant") {
      expect(await liveMembershipRole(userId, replay.scope.tenantId)).toBe("CLIENT_VIEWER");
    } else {
      expect(await isInAccessGroup(userId, replay.accessGroupId ?? "")).toBe(false);
    }
  },

  async deactivated(replay) {
    const userId = variable(replay, "userId");
    expect((await userRow(userId)).deactivated_at).not.toBeNull();
    if (!replay.session || !replay.api) throw new Error("the person never signed in");
    const sessionAnswer = await replay.session.get("/api/v1/me");
    expect(sessionAnswer.status, await summarizeResponse(sessionAnswer)).toBe(401);
    const tokenAnswer = await replay.api.call("GET", "/api/v1/me");
    expect(tokenAnswer.status, await summarizeResponse(tokenAnswer)).toBe(401);
    const actions = await directoryActions(userId, replay.created.directory.id);
    expect(
      actions.some((action) => /deactivat/.test(action)),
      actions.join(", "),
    ).toBe(true);
  },

  async reactivated(replay) {
    const user = await userRow(variable(replay, "userId"));
    expect(user.deactivated_at).toBeNull();
    expect(user.activated_at, "reactivation keeps the password and second factor set up").not.toBeNull();
  },

  async "hidden-after-delete"(replay) {
    const userId = variable(replay, "userId");
    const user = await userRow(userId);
    expect(user.deactivated_at, "DELETE deactivates and keeps the row").not.toBeNull();
    const link = await rawDb
      .prepare("SELECT directory_id, deleted_at FROM directory_users WHERE user_id = ?")
      .bind(userId)
      .first<{ directory_id: string; deleted_at: number | null }>();
    expect(link?.directory_id).toBe(replay.created.directory.id);
    expect(link?.deleted_at).not.toBeNull();
  },

  async relinked(replay) {
    const userId = variable(replay, "userId");
    const user = await userRow(userId);
    expect(user.deactivated_at).toBeNull();
    const sameEmail = await rawDb
      .prepare("SELECT COUNT(*) AS count FROM users WHERE email = ?")
      .bind(user.email)
      .first<{ count: number }>();
    expect(sameEmail?.count).toBe(1);
    const link = await rawDb
      .prepare("SELECT deleted_at FROM directory_users WHERE user_id = ?")
      .bind(userId)
      .first<{ deleted_at: number | null }>();
    expect(link?.deleted_at).toBeNull();
    if (replay.scope.scope === "tenant") expect(await liveMembershipRole(userId, replay.scope.tenantId)).not.toBeNull();
  },
};

async function runStep(replay: Replay, fixture: Fixture, step: Fixture["steps"][number]): Promise<void> {
  const path = substitute(step.path, replay.variables);
  const body = substitute(step.body, replay.variables);
  const headers = { ...fixture.headers, ...step.headers };
  if (body === undefined) delete headers["content-type"];
  const response = await replay.scim.request(step.method, path, body, headers);
  const text = await response.text();
  const context = `${fixture.provider} — ${step.name}: ${step.method} ${path} answered ${response.status} ${text}`;
  const statuses = Array.isArray(step.expect.status) ? step.expect.status : [step.expect.status];
  expect(statuses, context).toContain(response.status);
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (text) expect(response.headers.get("content-type"), context).toMatch(/^application\/scim\+json/);
  if (step.expect.body !== undefined)
    expect(findMismatches(parsed, substitute(step.expect.body, replay.variables)), context).toEqual([]);
  for (const attribute of step.absent ?? []) expect(readPath(parsed, attribute), context).toBeUndefined();
  if (step.expect.location) {
    const resource = parsed as { id: string; meta: { location: string } };
    expect(resource.meta.location, context).toMatch(new RegExp(`/scim/v2/(Users|Groups)/${resource.id}$`));
    expect(response.headers.get("location"), context).toBe(resource.meta.location);
  }
  for (const [name, attribute] of Object.entries(step.capture ?? {})) {
    const value = readPath(parsed, attribute);
    if (typeof value !== "string" || value === "") throw new Error(`${context}: nothing to capture at ${attribute}`);
    replay.variables.set(name, value);
  }
  if (step.check) await runCheckpoint[step.check](replay);
}

async function replayFixture(raw: unknown, scope: "staff" | "tenant"): Promise<Replay> {
  const fixture = fixtureSchema.parse(raw);
  const clock = new TestClock();
  const app = createTestApp(clock);
  const directoryScope: DirectoryScope =
    scope === "staff" ? { scope } : { scope, tenantId: (await createTestTenant(clock, "Client")).id };
  const created = await createTestDirectory(clock, { name: fixture.provider, ...directoryScope });
  const replay: Replay = {
    clock,
    app,
    created,
    scope: directoryScope,
    variables: new Map(),
    scim: new ScimClient(app, created.token),
  };
  for (const step of fixture.steps) {
    clock.advanceSeconds(5);
    await runStep(replay, fixture, step);
  }
  return replay;
}

describe("provisioning as the identity providers send it", () => {
  it("hands out a gths_ token and a base URL ending in /scim/v2 for a new directory", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Client");
    const created = await createTestDirectory(clock, { name: "Client IdP", scope: "tenant", tenantId: tenant.id });
    expect(created.token).toMatch(/^gths_[0-9A-Za-z]{49}$/);
    expect(created.scimBaseUrl).toMatch(/^https?:\/\/[^/]+\/scim\/v2\/?$/);
    const stored = await rawDb
      .prepare("SELECT token_hash FROM directory_tokens WHERE directory_id = ?")
      .bind(created.directory.id)
      .first<{ token_hash: string }>();
    expect(stored?.token_hash).toBeTruthy();
    expect(stored?.token_hash).not.toContain(created.token);
  });

  it("replays Okta's provisioning life into a client directory", async () => {
    const replay = await replayFixture(oktaFixture, "tenant");
    expect(replay.variables.get("userId")).toBeTruthy();
  });

  it("replays Microsoft Entra's default dialect into the staff directory", async () => {
    const replay = await replayFixture(entraDefaultFixture, "staff");
    expect(replay.accessGroupId).toBeTruthy();
  });

  it("replays Microsoft Entra's aadOptscim062020 dialect into a client directory", async () => {
    const replay = await replayFixture(entraOptInFixture, "tenant");
    const directoryAudit = await rawDb
      .prepare(
        "SELECT COUNT(*) AS count FROM audit_events WHERE actor_kind = 'service:scim_directory' AND actor_id = ?",
      )
      .bind(replay.created.directory.id)
      .first<{ count: number }>();
    expect(directoryAudit?.count).toBeGreaterThan(0);
  });
});
