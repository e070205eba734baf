// GET /api/v1/users/:id/factors: a user's sign-in factors for administrators (docs/API.md): the
// shape, nothing that could sign anyone in, and who may read it (users:read, as the Security tab).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Agent } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, grantPermissionsThroughGroup, signInAs } from "../helpers/factories";
import { registerTestPasskey, requirePasskeysFor } from "../helpers/passkeys";

async function setup() {
  const clock = new TestClock();
  const app = createTestApp(clock);
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const token = await createApiTokenFor(await signInAs(app, clock, admin));
  return { clock, app, api: new ApiClient(app, token) };
}

async function apiAs(setupResult: Awaited<ReturnType<typeof setup>>, permissions: string[]) {
  const { clock, app } = setupResult;
  const operator = await createActiveUser(clock, { role: "OPERATOR" });
  if (permissions.length > 0) await grantPermissionsThroughGroup(operator.id, permissions);
  return new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, operator)));
}

describe("GET /api/v1/users/:id/factors", () => {
  it("sums up the authenticator app, each passkey, the recovery codes left and the policy", async () => {
    const context = await setup();
    const { clock, api } = context;
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    const laptop = await registerTestPasskey(clock, user, { name: "Work laptop" });
    clock.advanceSeconds(60);
    const yubikey = await registerTestPasskey(clock, user, { name: "YubiKey" });
    // A passkey of an unfinished setup signs nobody in: it is not listed.
    await registerTestPasskey(clock, user, { name: "Half added", pendingSetupTokenHash: "unfinished" });
    const usedAt = new Date(clock.now().getTime() + 5_000);
    await env.DB.prepare("UPDATE passkeys SET last_used_at = ? WHERE id = ?").bind(usedAt.getTime(), laptop.id).run();
    await env.DB.prepare(
      "UPDATE recovery_codes SET used_at = ? WHERE id IN (SELECT id FROM recovery_codes WHERE user_id = ? LIMIT 3)",
    )
      .bind(clock.now().getTime(), user.id)
      .run();
    await requirePasskeysFor(clock, ["OPERATOR"]);

    const body = await api.expectJson("GET", `/api/v1/users/${user.id}/factors`, undefined, 200);
    const stored = await env.DB.prepare("SELECT id, created_at FROM passkeys WHERE user_id = ? ORDER BY created_at")
      .bind(user.id)
      .all<{ id: string; created_at: number }>();
    expect(body).toEqual({
      authenticatorApp: { enrolled: true },
      passkeys: [
        {
          id: laptop.id,
          name: "Work laptop",
          createdAt: new Date(stored.results[0]?.created_at ?? 0).toISOString(),
          lastUsedAt: usedAt.toISOString(),
        },
        {
          id: yubikey.id,
          name: "YubiKey",
          createdAt: new Date(stored.results[1]?.created_at ?? 0).toISOString(),
          lastUsedAt: null,
        },
      ],
      recoveryCodesRemaining: 7,
      passkeyRequired: true,
    });
    await env.DB.prepare("DELETE FROM passkey_required_roles").run();
  });

  it("never carries a secret, a public key or a credential id", async () => {
    const { clock, api } = await setup();
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    await registerTestPasskey(clock, user, { name: "Phone" });
    const response = await api.call("GET", `/api/v1/users/${user.id}/factors`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const row = await env.DB.prepare(
      "SELECT p.credential_id, p.public_key, p.aaguid, u.totp_secret FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.user_id = ?",
    )
      .bind(user.id)
      .first<Record<string, string>>();
    for (const secret of [row?.credential_id, row?.public_key, row?.totp_secret, user.totpSecret])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/publicKey|credentialId|signCount|aaguid|secret|codeHash/i);
    expect(JSON.parse(text)).toMatchObject({ authenticatorApp: { enrolled: true }, passkeyRequired: false });
  });

  it("is read with users:read, like the Security tab; without it 403, unknown or erased users 404, no token 401", async () => {
    const context = await setup();
    const { clock, app, api } = context;
    const user = await createActiveUser(clock, { role: "CONTRACTOR" });
    const path = `/api/v1/users/${user.id}/factors`;
    expect((await (await apiAs(context, ["users:read"])).call("GET", path)).status).toBe(200);
    expect((await (await apiAs(context, ["memberships:read", "audit:read"])).call("GET", path)).status).toBe(403);
    expect((await new Agent(app).get(path)).status).toBe(401);
    expect((await api.call("GET", "/api/v1/users/usr_missing/factors")).status).toBe(404);

    const client = await createActiveUser(clock, { role: "CLIENT_USER" });
    const clientApi = new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, client)));
    expect((await clientApi.call("GET", path)).status).toBe(403);
    // A person does not read even their own factors here: /account shows them.
    expect((await clientApi.call("GET", `/api/v1/users/${client.id}/factors`)).status).toBe(403);

    await env.DB.prepare("UPDATE users SET deactivated_at = ?, erased_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), clock.now().getTime(), user.id)
      .run();
    expect((await api.call("GET", path)).status).toBe(404);
  });
});
