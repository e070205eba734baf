// The /scim/v2/Users domain on both stores: provisioning, the filter compiled to SQL, the page and
// the relink after a delete, called as the directory (the route tests in test/scim/ cover HTTP).
import { describe, expect, it } from "vitest";
import { createDbFromEnv } from "../../../src/db/connect";
import { createDirectory } from "../../../src/domain/directories/directories";
import type { DirectoryContext } from "../../../src/domain/scim/scim-caller";
import { loadDirectoryCaller } from "../../../src/domain/scim/scim-caller";
import { createScimUser } from "../../../src/domain/scim/scim-provisioning";
import { deleteScimUser, patchScimUser } from "../../../src/domain/scim/scim-user-writes";
import { getScimUser, listScimUsers } from "../../../src/domain/scim/scim-users";
import { TestClock } from "../../helpers/clock";
import { createTestTenant, testContext } from "../../helpers/factories";
import { env, rawDb } from "../../helpers/store";

const clock = new TestClock("2026-12-01T09:00:00Z");

async function directoryContext(): Promise<DirectoryContext> {
  const tenant = await createTestTenant(clock, "Store");
  const created = await createDirectory(testContext(clock), {
    scope: "tenant",
    name: "Store Okta",
    tenantId: tenant.id,
  });
  const caller = await loadDirectoryCaller(createDbFromEnv(env), created.secret, clock.now());
  if (!caller) throw new Error("the new directory's token was refused");
  return { ...testContext(clock), actor: caller };
}

const userDocument = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  name: { givenName: "Sam", familyName: "Store" },
  ...extra,
});

describe("SCIM users on the store", () => {
  it("provisions, finds by a compiled filter, pages, and relinks the same id after a delete", async () => {
    const ctx = await directoryContext();
    const first = await createScimUser(ctx, userDocument("Sam.One@Example.test", { externalId: "e-1" }));
    const later = { ...ctx, now: new Date(ctx.now.getTime() + 60_000) };
    const second = await createScimUser(later, userDocument("sam.two@example.test", { title: "Lead" }));
    const found = await listScimUsers(ctx, {
      filter: 'userName eq "SAM.ONE@example.test" or title eq "lead"',
      startIndex: 1,
      count: 10,
    });
    expect(found.totalResults).toBe(2);
    expect(found.resources.map((user) => user.id)).toEqual([first.id, second.id]);
    const page = await listScimUsers(ctx, { startIndex: 2, count: 1 });
    expect(page).toMatchObject({ totalResults: 2, startIndex: 2 });
    expect(page.resources.map((user) => user.id)).toEqual([second.id]);
    const off = await patchScimUser(ctx, String(first.id), {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(off.active).toBe(false);
    await deleteScimUser(ctx, String(second.id));
    await expect(getScimUser(ctx, String(second.id))).rejects.toMatchObject({ code: "NOT_FOUND" });
    const relinked = await createScimUser(ctx, userDocument("sam.two@example.test"));
    expect(relinked).toMatchObject({ id: second.id, active: true });
    await expect(createScimUser(ctx, userDocument("SAM.TWO@example.test"))).rejects.toMatchObject({
      code: "SCIM_UNIQUENESS",
    });
    const link = await rawDb
      .prepare("SELECT user_name_key, deleted_at FROM directory_users WHERE user_id = ?")
      .bind(second.id)
      .first();
    expect(link).toEqual({ user_name_key: "sam.two@example.test", deleted_at: null });
  });
});
