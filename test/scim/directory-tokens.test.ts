// A directory token is the only way into /scim/v2 (docs/SCIM.md): a missing, malformed or foreign
// credential, a revoked token and a replaced one past its 24-hour overlap all get the SCIM 401, on
// the very next request (nothing is cached).
import { describe, expect, it } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, signInAs, uniqueEmail } from "../helpers/factories";
import { createTestDirectory, expectScimError, ScimClient, type ScimError } from "../helpers/scim";
import { env, rawDb } from "../helpers/store";

const clock = new TestClock();
const app = createTestApp(clock);

async function createClientDirectory(on: TestClock, name: string) {
  const tenant = await createTestTenant(on, name);
  return createTestDirectory(on, { name, scope: "tenant", tenantId: tenant.id });
}

describe("directory tokens", () => {
  async function unauthorizedBody(authorization: string | null): Promise<ScimError> {
    const response = await app.request(
      "http://127.0.0.1:8787/scim/v2/Users",
      { headers: authorization === null ? {} : { authorization } },
      env,
    );
    return expectScimError(response, 401);
  }

  it("refuses a missing, malformed or foreign credential with the SCIM 401", async () => {
    const superAdmin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const personal = await createApiTokenFor(await signInAs(app, clock, superAdmin));
    expect((await new ApiClient(app, personal).call("GET", "/api/v1/me")).status).toBe(200);
    const genuine = (await createClientDirectory(clock, "Genuine")).token;
    const wrongChecksum = `${genuine.slice(0, -1)}${genuine.endsWith("A") ? "B" : "A"}`;
    for (const authorization of [
      null,
      "Bearer",
      "Bearer gths_short",
      `Bearer ${wrongChecksum}`,
      `Bearer ${genuine.replace("gths_", "gthp_")}`,
      `Bearer ${personal}`,
      `Basic ${btoa(`scim:${genuine}`)}`,
      `bearer  ${genuine}x`,
    ]) {
      const body = await unauthorizedBody(authorization);
      expect(body.detail ?? "").not.toContain(genuine);
    }
  });

  it("refuses a revoked token with the SCIM 401 on the next request", async () => {
    const created = await createClientDirectory(clock, "Revoked");
    const scim = new ScimClient(app, created.token);
    expect((await scim.request("GET", "/scim/v2/Users")).status).toBe(200);
    // Revoked as the directory page revokes it (its form has its own tests).
    await rawDb
      .prepare("UPDATE directory_tokens SET revoked_at = ? WHERE directory_id = ?")
      .bind(clock.now().getTime(), created.directory.id)
      .run();
    await expectScimError(await scim.request("GET", "/scim/v2/Users"), 401);
    await expectScimError(await scim.request("POST", "/scim/v2/Users", { userName: uniqueEmail() }), 401);
  });

  it("keeps a replaced token working for its 24-hour overlap and refuses it after", async () => {
    const local = new TestClock();
    const localApp = createTestApp(local);
    const created = await createClientDirectory(local, "Rotated");
    const scim = new ScimClient(localApp, created.token);
    // A rotation sets the old token's end to rotation + 24 h (src/db/schema.ts directory_tokens.expires_at).
    await rawDb
      .prepare("UPDATE directory_tokens SET expires_at = ? WHERE directory_id = ?")
      .bind(local.now().getTime() + 24 * 3600 * 1000, created.directory.id)
      .run();
    local.advanceSeconds(23 * 3600);
    expect((await scim.request("GET", "/scim/v2/Users")).status).toBe(200);
    local.advanceSeconds(3600 + 1);
    await expectScimError(await scim.request("GET", "/scim/v2/Users"), 401);
  });
});
