// A directory token is the only way into /scim/v2 (docs/SCIM.md): a missing, malformed or foreign
// credential, a revoked token and a replaced one past its 24-hour overlap all get the SCIM 401, on
// the very next request (nothing is cached).
import { describe, expect, it } from "vitest";
import { revokeDirectoryToken, rotateDirectoryToken } from "../../src/domain/directories/directories";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  signInAs,
  testContext,
  uniqueEmail,
} from "../helpers/factories";
import { createTestDirectory, expectScimError, ScimClient, type ScimError } from "../helpers/scim";
import { env } from "../helpers/store";

const clock = new TestClock();
const app = createTestApp(clock);

async function createClientDirectory(on: TestClock, name: string) {
  const tenant = await createTestTenant(on, name);
  return createTestDirectory(on, { name, scope: "tenant", tenantId: tenant.id });
}

describe("directory tokens", () => {
  async function unauthorizedBody(authorization: string | null): Promise<ScimError> {
    const response = await app.request(
      "http://localhost:8787/scim/v2/Users",
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
    await revokeDirectoryToken(testContext(clock), created.directory.id, created.tokenId);
    await expectScimError(await scim.request("GET", "/scim/v2/Users"), 401);
    await expectScimError(await scim.request("POST", "/scim/v2/Users", { userName: uniqueEmail() }), 401);
  });

  it("keeps a replaced token working for its 24-hour overlap and refuses it after", async () => {
    const local = new TestClock();
    const localApp = createTestApp(local);
    const created = await createClientDirectory(local, "Rotated");
    const scim = new ScimClient(localApp, created.token);
    const rotated = await rotateDirectoryToken(testContext(local), created.directory.id);
    const replacement = new ScimClient(localApp, rotated.secret);
    local.advanceSeconds(23 * 3600);
    expect((await scim.request("GET", "/scim/v2/Users")).status).toBe(200);
    local.advanceSeconds(3600);
    await expectScimError(await scim.request("GET", "/scim/v2/Users"), 401);
    expect((await replacement.request("GET", "/scim/v2/Users")).status).toBe(200);
  });
});
