import { expect, it, describe as suite } from "vitest";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, grantTestMembership, signInAs, uniqueEmail } from "../helpers/factories";

async function world() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const tenant = await createTestTenant(clock, "Api Co");
  const other = await createTestTenant(clock, "Api Other");
  const people = {
    full: await createActiveUser(clock, { role: "OPERATOR" }),
    readonly: await createActiveUser(clock, { role: "OPERATOR" }),
    clientAdmin: await createActiveUser(clock, { role: "CLIENT_USER" }),
    viewer: await createActiveUser(clock, { role: "CLIENT_USER" }),
  };
  await grantTestMembership(clock, { userId: people.full.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
  await grantTestMembership(clock, { userId: people.readonly.id, tenantId: tenant.id, role: "OPERATOR_READONLY" });
  await grantTestMembership(clock, { userId: people.clientAdmin.id, tenantId: tenant.id, role: "CLIENT_ADMIN" });
  await grantTestMembership(clock, { userId: people.viewer.id, tenantId: tenant.id, role: "CLIENT_VIEWER" });
  const api = async (user: keyof typeof people) => new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, people[user])));
  return { clock, tenant, other, people, api };
}

suite("/api/v1/tenants/{id}/updates and /members", () => {
  it("lets members read, OPERATOR_FULL write, and hides other tenants with 404", async () => {
    const w = await world();
    const full = await w.api("full");
    const posted = await full.expectJson<{ update: { id: string; title: string } }>(
      "POST",
      `/api/v1/tenants/${w.tenant.id}/updates`,
      { title: "Hello", body: "World" },
      201,
    );
    const viewer = await w.api("viewer");
    const list = await viewer.expectJson<{ items: Array<{ title: string; author: { name: string } }> }>(
      "GET",
      `/api/v1/tenants/${w.tenant.id}/updates`,
      undefined,
      200,
    );
    expect(list.items.map((u) => u.title)).toEqual(["Hello"]);
    expect((await viewer.call("POST", `/api/v1/tenants/${w.tenant.id}/updates`, { title: "x", body: "y" })).status).toBe(403);
    const readonly = await w.api("readonly");
    expect(
      (await readonly.call("PATCH", `/api/v1/tenants/${w.tenant.id}/updates/${posted.update.id}`, { title: "x", body: "y" })).status,
    ).toBe(403);
    expect((await viewer.call("GET", `/api/v1/tenants/${w.other.id}/updates`)).status).toBe(404);
    expect((await full.call("GET", `/api/v1/tenants/${w.other.id}/members`)).status).toBe(404);
    expect(
      (await full.call("PATCH", `/api/v1/tenants/${w.tenant.id}/updates/${posted.update.id}`, { title: "Hi", body: "There" })).status,
    ).toBe(200);
    expect((await full.call("DELETE", `/api/v1/tenants/${w.tenant.id}/updates/${posted.update.id}`)).status).toBe(204);
  });

  it("lets a client admin invite and remove portal users, never staff roles", async () => {
    const w = await world();
    const clientAdmin = await w.api("clientAdmin");
    const created = await clientAdmin.expectJson<{ outcome: string; setupUrl: string; user: { role: string } }>(
      "POST",
      `/api/v1/tenants/${w.tenant.id}/members`,
      { email: uniqueEmail("apiclient"), firstName: "Api", lastName: "Client", role: "CLIENT_VIEWER" },
      201,
    );
    expect(created).toMatchObject({ outcome: "created", user: { role: "CLIENT_USER" } });
    expect(
      (
        await clientAdmin.call("POST", `/api/v1/tenants/${w.tenant.id}/members`, {
          email: uniqueEmail(),
          firstName: "A",
          lastName: "B",
          role: "OPERATOR_FULL",
        })
      ).status,
    ).toBe(400);
    const members = await clientAdmin.expectJson<{ items: Array<{ membershipId: string; email: string; role: string }> }>(
      "GET",
      `/api/v1/tenants/${w.tenant.id}/members`,
      undefined,
      200,
    );
    const viewerRow = members.items.find((m) => m.email === w.people.viewer.email);
    const staffRow = members.items.find((m) => m.email === w.people.full.email);
    expect((await clientAdmin.call("DELETE", `/api/v1/tenants/${w.tenant.id}/members/${staffRow?.membershipId}`)).status).toBe(404);
    expect((await clientAdmin.call("DELETE", `/api/v1/tenants/${w.tenant.id}/members/${viewerRow?.membershipId}`)).status).toBe(204);
    const viewer = await w.api("readonly");
    expect(
      (
        await viewer.call("POST", `/api/v1/tenants/${w.tenant.id}/members`, {
          email: uniqueEmail(),
          firstName: "A",
          lastName: "B",
          role: "CLIENT_VIEWER",
        })
      ).status,
    ).toBe(403);
  });

  it("pages a tenant's people by name, at most `limit` per page", async () => {
    const w = await world();
    const full = await w.api("full");
    type MembersPage = { items: Array<{ email: string; name: string }>; nextCursor: string | null };
    const first = await full.expectJson<MembersPage>("GET", `/api/v1/tenants/${w.tenant.id}/members?limit=3`, undefined, 200);
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await full.expectJson<MembersPage>(
      "GET",
      `/api/v1/tenants/${w.tenant.id}/members?limit=3&cursor=${first.nextCursor}`,
      undefined,
      200,
    );
    expect(second.nextCursor).toBeNull();
    const emails = [...first.items, ...second.items].map((person) => person.email);
    expect(emails.sort()).toEqual(
      Object.values(w.people)
        .map((person) => person.email)
        .sort(),
    );
    const names = [...first.items, ...second.items].map((person) => person.name);
    expect(names).toEqual([...names].sort());
    expect((await full.call("GET", `/api/v1/tenants/${w.tenant.id}/members?limit=101`)).status).toBe(400);
  });
});
