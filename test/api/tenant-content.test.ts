import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { revokeMembership } from "../../src/domain/memberships/memberships";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  signInAs,
  testContext,
  uniqueEmail,
} from "../helpers/factories";
import { createCountingTestApp, QueryLog } from "../helpers/query-log";

async function world(options: { log?: QueryLog } = {}) {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = options.log ? createCountingTestApp(clock, options.log) : createTestApp(clock);
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
  const api = async (user: keyof typeof people) =>
    new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, people[user])));
  return { clock, tenant, other, people, api };
}

type World = Awaited<ReturnType<typeof world>>;

/** A pending CLIENT_USER with one CLIENT_VIEWER membership in each tenant given, revoked when asked. */
async function createClientUser(w: World, memberships: Array<{ tenantId: string; revoked?: boolean }>) {
  const { user } = await inviteTestUser(w.clock, { role: "CLIENT_USER" });
  for (const membership of memberships) {
    const granted = await grantTestMembership(w.clock, {
      userId: user.id,
      tenantId: membership.tenantId,
      role: "CLIENT_VIEWER",
    });
    if (membership.revoked) await revokeMembership(testContext(w.clock), granted.id);
  }
  return user;
}

const inviteBody = (email: string) => ({ email, firstName: "Ina", lastName: "Vitee", role: "CLIENT_ADMIN" });

/** The problem body without the request id, which differs on every request. */
async function readProblem(response: Response) {
  const { requestId: _requestId, ...problem } = await response.json<Record<string, unknown>>();
  return { status: response.status, problem };
}

describe("/api/v1/tenants/{id}/updates and /members", () => {
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
    expect(
      (await viewer.call("POST", `/api/v1/tenants/${w.tenant.id}/updates`, { title: "x", body: "y" })).status,
    ).toBe(403);
    const readonly = await w.api("readonly");
    expect(
      (
        await readonly.call("PATCH", `/api/v1/tenants/${w.tenant.id}/updates/${posted.update.id}`, {
          title: "x",
          body: "y",
        })
      ).status,
    ).toBe(403);
    expect((await viewer.call("GET", `/api/v1/tenants/${w.other.id}/updates`)).status).toBe(404);
    expect((await full.call("GET", `/api/v1/tenants/${w.other.id}/members`)).status).toBe(404);
    expect(
      (
        await full.call("PATCH", `/api/v1/tenants/${w.tenant.id}/updates/${posted.update.id}`, {
          title: "Hi",
          body: "There",
        })
      ).status,
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
    const members = await clientAdmin.expectJson<{
      items: Array<{ membershipId: string; email: string; role: string }>;
    }>("GET", `/api/v1/tenants/${w.tenant.id}/members`, undefined, 200);
    const viewerRow = members.items.find((m) => m.email === w.people.viewer.email);
    const staffRow = members.items.find((m) => m.email === w.people.full.email);
    expect(
      (await clientAdmin.call("DELETE", `/api/v1/tenants/${w.tenant.id}/members/${staffRow?.membershipId}`)).status,
    ).toBe(404);
    expect(
      (await clientAdmin.call("DELETE", `/api/v1/tenants/${w.tenant.id}/members/${viewerRow?.membershipId}`)).status,
    ).toBe(204);
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
    const first = await full.expectJson<MembersPage>(
      "GET",
      `/api/v1/tenants/${w.tenant.id}/members?limit=3`,
      undefined,
      200,
    );
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

  it("refuses a client user of another company with the same neutral 409 as a staff email, grants nothing and audits it", async () => {
    const w = await world();
    const clientAdmin = await w.api("clientAdmin");
    const otherCompany = await createClientUser(w, [{ tenantId: w.other.id }]);
    const formerlyElsewhere = await createClientUser(w, [{ tenantId: w.other.id, revoked: true }]);
    const deactivated = await createClientUser(w, [{ tenantId: w.tenant.id }]);
    await env.DB.prepare("UPDATE users SET deactivated_at = 1 WHERE id = ?").bind(deactivated.id).run();
    const answers = new Set<string>();
    for (const person of [otherCompany, formerlyElsewhere, w.people.full, deactivated]) {
      const answer = await readProblem(
        await clientAdmin.call("POST", `/api/v1/tenants/${w.tenant.id}/members`, inviteBody(person.email)),
      );
      expect(answer.status, JSON.stringify(answer)).toBe(409);
      answers.add(JSON.stringify(answer));
    }
    expect(answers.size, [...answers].join("\n")).toBe(1);
    const memberships = await env.DB.prepare("SELECT tenant_id, revoked_at FROM memberships WHERE user_id = ?")
      .bind(otherCompany.id)
      .all();
    expect(memberships.results).toEqual([{ tenant_id: w.other.id, revoked_at: null }]);
    const audit = await env.DB.prepare(
      "SELECT tenant_id, actor_id, details FROM audit_events WHERE action = 'invite.refused' AND target_id = ?",
    )
      .bind(otherCompany.id)
      .all<{ tenant_id: string; actor_id: string; details: string }>();
    expect(audit.results.map((row) => ({ ...row, details: JSON.parse(row.details) }))).toEqual([
      {
        tenant_id: w.tenant.id,
        actor_id: w.people.clientAdmin.id,
        details: { reason: "membership_elsewhere", requestedRole: "CLIENT_ADMIN" },
      },
    ]);
  });

  it("answers a new email, a former colleague and every refusal after the same number of queries", async () => {
    const log = new QueryLog();
    const w = await world({ log });
    const clientAdmin = await w.api("clientAdmin");
    const deactivated = await createClientUser(w, [{ tenantId: w.tenant.id }]);
    await env.DB.prepare("UPDATE users SET deactivated_at = 1 WHERE id = ?").bind(deactivated.id).run();
    const cases = {
      created: { email: uniqueEmail("new"), status: 201 },
      added: { email: (await createClientUser(w, [{ tenantId: w.tenant.id, revoked: true }])).email, status: 200 },
      "refused: staff": { email: w.people.full.email, status: 409 },
      "refused: another company's client user": {
        email: (await createClientUser(w, [{ tenantId: w.other.id }])).email,
        status: 409,
      },
      "refused: deactivated": { email: deactivated.email, status: 409 },
    };
    const counts: Record<string, number> = {};
    for (const [outcome, { email, status }] of Object.entries(cases)) {
      log.reset();
      const response = await clientAdmin.call("POST", `/api/v1/tenants/${w.tenant.id}/members`, inviteBody(email));
      expect(response.status, `${outcome}: ${await response.text()}`).toBe(status);
      counts[outcome] = log.count;
    }
    expect(new Set(Object.values(counts)).size, JSON.stringify(counts)).toBe(1);
  });
});
