// Directories, their tokens and the users they hold, for the tests of directory groups: rows written
// directly (a directory is a fixture here; creating one has its own tests), users through the real
// invite code, then linked to the directory as SCIM would.
import { hashToken } from "../../src/auth/crypto";
import { generateSecretToken } from "../../src/auth/token-format";
import type { GlobalRole } from "../../src/db/schema";
import type { Actor } from "../../src/domain/context";
import { directoryActor, type SyncedDirectory } from "../../src/domain/directories/directory-sync";
import type { DirectoryCaller } from "../../src/domain/scim/scim-caller";
import { origin } from "./agent";
import type { TestClock } from "./clock";
import { inviteTestUser, testContext, uniqueEmail } from "./factories";
import { env, rawDb } from "./store";

export interface TestDirectory extends SyncedDirectory {
  token: string;
}

function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** A client directory of the tenant, or the staff directory (one per database: found again when it exists). */
export async function createTestDirectory(
  clock: TestClock,
  scope: { tenantId: string } | "staff",
  name = scope === "staff" ? "Staff Okta" : "Client Entra",
): Promise<TestDirectory> {
  const tenantId = scope === "staff" ? null : scope.tenantId;
  const existing =
    scope === "staff"
      ? await rawDb
          .prepare("SELECT id, name FROM directories WHERE scope = 'staff'")
          .first<{ id: string; name: string }>()
      : null;
  const id = existing?.id ?? newId("dir");
  const token = generateSecretToken("directoryToken");
  const at = clock.now().getTime();
  await rawDb.batch([
    ...(existing
      ? []
      : [
          rawDb
            .prepare(
              "INSERT INTO directories (id, name, scope, tenant_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(id, name, scope === "staff" ? "staff" : "tenant", tenantId, at, at),
        ]),
    rawDb
      .prepare("INSERT INTO directory_tokens (id, directory_id, token_hash, created_at) VALUES (?, ?, ?, ?)")
      .bind(newId("dtok"), id, hashToken(token), at),
  ]);
  return { id, name: existing?.name ?? name, scope: scope === "staff" ? "staff" : "tenant", tenantId, token };
}

/** Links the user to the directory as a SCIM create (or an adoption) would. */
export async function linkToDirectory(clock: TestClock, directoryId: string, userId: string, userName = uniqueEmail()) {
  const at = clock.now().getTime();
  await rawDb
    .prepare(
      `INSERT INTO directory_users (user_id, directory_id, user_name, user_name_key, external_id, attributes, created_at, updated_at)
       VALUES (?, ?, ?, ?, NULL, '{}', ?, ?)`,
    )
    .bind(userId, directoryId, userName, userName.toLowerCase(), at, at)
    .run();
}

/** A pending user invited by hand and linked to the directory: a CLIENT_USER of the tenant (CLIENT_VIEWER) or staff. */
export async function createDirectoryUser(
  clock: TestClock,
  directory: TestDirectory,
  role: GlobalRole = directory.tenantId ? "CLIENT_USER" : "OPERATOR",
) {
  const memberships = directory.tenantId
    ? [{ tenantId: directory.tenantId, role: "CLIENT_VIEWER" as const, expiresAt: null }]
    : [];
  const { user } = await inviteTestUser(clock, { role, memberships });
  await linkToDirectory(clock, directory.id, user.id, user.email);
  return user;
}

export function scimHeaders(directory: TestDirectory, body = false): Record<string, string> {
  return {
    authorization: `Bearer ${directory.token}`,
    ...(body ? { "content-type": "application/scim+json" } : {}),
  };
}

type App = ReturnType<typeof import("../../src/app").createApp>;

/** One SCIM request as the directory, against /scim/v2. */
export function scimRequest(app: App, directory: TestDirectory, method: string, path: string, body?: unknown) {
  return app.request(
    `${origin}/scim/v2${path}`,
    {
      method,
      headers: scimHeaders(directory, body !== undefined),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    env,
  );
}

export const groupSchemaUrnForTests = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const patchOpUrnForTests = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A SUPER_ADMIN acting in the domain (the console's mapping form calls setDirectoryGroupMapping as one). */
export function superAdminActor(clock: TestClock, role: GlobalRole = "SUPER_ADMIN"): Actor {
  return {
    kind: "user",
    principal: {
      user: {
        id: "usr_super_admin_actor",
        email: "super.admin@example.test",
        firstName: "Sam",
        lastName: "Super",
        displayName: "Sam Super",
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
      permissions: new Set(),
    },
  };
}

/** The domain context of a SCIM request from this directory (what directoryContext(c) builds). */
export function directoryTestContext(clock: TestClock, directory: TestDirectory) {
  const caller: DirectoryCaller = {
    ...directoryActor(directory),
    directory: {
      id: directory.id,
      name: directory.name,
      scope: directory.scope,
      tenant: directory.tenantId ? { id: directory.tenantId, slug: "tenant", name: "Tenant" } : null,
    },
    tokenId: "dtok_test",
  };
  return { ...testContext(clock, caller), actor: caller };
}
