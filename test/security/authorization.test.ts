// Runs every route of the app for a fixture user of every role and state against the checked-in
// table in route-access-table.ts. A route without a row fails the test: adding a route means
// deciding, in that table, who may use it.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { createDirectory } from "../../src/domain/directories/directories";
import { postTenantUpdate } from "../../src/domain/tenants/tenant-updates";
import { deactivateUser } from "../../src/domain/users/user-lifecycle";
import { Agent } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantTestMembership,
  signInAs,
  testContext,
} from "../helpers/factories";
import { type Persona, personas, type RouteRow, routeAccessTable } from "./route-access-table";

async function buildWorld() {
  const clock = new TestClock("2026-11-23T12:00:00Z");
  const app = createTestApp(clock);
  const tenant = await createTestTenant(clock, "Authz");
  const users = {
    sa: await createActiveUser(clock, { role: "SUPER_ADMIN" }),
    full: await createActiveUser(clock, { role: "OPERATOR" }),
    ro: await createActiveUser(clock, { role: "OPERATOR" }),
    con: await createActiveUser(clock, { role: "CONTRACTOR" }),
    exp: await createActiveUser(clock, { role: "CONTRACTOR" }),
    cadm: await createActiveUser(clock, { role: "CLIENT_USER" }),
    cview: await createActiveUser(clock, { role: "CLIENT_USER" }),
    off: await createActiveUser(clock, { role: "OPERATOR" }),
  };
  await grantTestMembership(clock, { userId: users.full.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
  await grantTestMembership(clock, { userId: users.ro.id, tenantId: tenant.id, role: "OPERATOR_READONLY" });
  await grantTestMembership(clock, {
    userId: users.con.id,
    tenantId: tenant.id,
    role: "OPERATOR_FULL",
    expiresAt: new Date("2026-12-31T00:00:00Z"),
  });
  await grantTestMembership(clock, {
    userId: users.exp.id,
    tenantId: tenant.id,
    role: "OPERATOR_FULL",
    expiresAt: new Date("2026-11-23T12:30:00Z"),
  });
  await grantTestMembership(clock, { userId: users.off.id, tenantId: tenant.id, role: "OPERATOR_FULL" });
  await grantTestMembership(clock, { userId: users.cadm.id, tenantId: tenant.id, role: "CLIENT_ADMIN" });
  const viewerMembership = await grantTestMembership(clock, {
    userId: users.cview.id,
    tenantId: tenant.id,
    role: "CLIENT_VIEWER",
  });
  const update = await postTenantUpdate(testContext(clock), tenant, { title: "Fixture update", body: "Body" });
  const message = await env.DB.prepare("SELECT id FROM outbox ORDER BY created_at LIMIT 1").first<{ id: string }>();
  const directory = await createDirectory(testContext(clock), { scope: "tenant", name: "Authz", tenantId: tenant.id });
  const directoryGroupId = "dgrp_authz";
  await env.DB.prepare(
    "INSERT INTO directory_groups (id, directory_id, display_name, created_at, updated_at) VALUES (?, ?, 'Authz group', ?, ?)",
  )
    .bind(directoryGroupId, directory.directory.id, clock.now().getTime(), clock.now().getTime())
    .run();
  clock.set("2026-11-23T12:30:01Z");
  const agents = {} as Record<Persona, Agent>;
  for (const persona of personas) {
    agents[persona] =
      persona === "anon" ? new Agent(app) : await signInAs(app, clock, users[persona as Exclude<Persona, "anon">]);
  }
  await deactivateUser(testContext(clock), users.off.id);
  const placeholders: Record<string, string> = {
    slug: tenant.slug,
    tenantId: tenant.id,
    userId: users.cview.id,
    membershipId: viewerMembership.id,
    updateId: update.id,
    messageId: message?.id ?? "missing",
    directoryId: directory.directory.id,
    directoryGroupId,
    directoryTokenId: directory.token.id,
    missing: "x_missing",
  };
  return { app, agents, placeholders };
}

function fill(path: string, placeholders: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = placeholders[name];
    if (value === undefined) throw new Error(`no placeholder ${name}`);
    return value;
  });
}

function send(agent: Agent, row: RouteRow, path: string): Promise<Response> {
  if (row.method === "GET") return agent.get(path);
  if (path.startsWith("/api/") || path.startsWith("/scim/"))
    return agent.json(row.method, path, row.method === "DELETE" ? undefined : (row.body ?? {}));
  return agent.post(path, (row.body ?? {}) as Record<string, string>);
}

describe("authorization across every route", () => {
  it("has a row in the access table for every route the app serves", () => {
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path}`),
    );
    const listed = new Set(routeAccessTable.map((row) => `${row.method} ${row.route}`));
    expect(
      [...served].filter((route) => !listed.has(route)),
      "routes without a row in route-access-table.ts",
    ).toEqual([]);
    expect(
      [...listed].filter((route) => !served.has(route)),
      "rows for routes that no longer exist",
    ).toEqual([]);
  });

  it("answers every route for every role and state exactly as the table says", async () => {
    const { agents, placeholders } = await buildWorld();
    const mismatches: string[] = [];
    // Signing out ends the persona's session, so it runs last.
    const rows = [...routeAccessTable].sort((a, b) => Number(a.route === "/logout") - Number(b.route === "/logout"));
    for (const row of rows) {
      const path = fill(row.path, placeholders);
      for (const persona of personas) {
        const response = await send(agents[persona], row, path);
        if (response.status !== row.expect[persona]) {
          mismatches.push(
            `${row.method} ${path} as ${persona}: expected ${row.expect[persona]}, got ${response.status}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 180_000);
});
