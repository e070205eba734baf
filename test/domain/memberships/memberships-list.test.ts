import { describe, expect, it } from "vitest";
import { revokeMembership } from "../../../src/domain/memberships/memberships";
import {
  type ListMembershipsQuery,
  listMemberships,
  type MembershipsPageQuery,
  selectMembershipsPage,
} from "../../../src/domain/memberships/memberships-read";
import { tenantIdOf } from "../../../src/domain/tenants/tenants";
import { TestClock } from "../../helpers/clock";
import { createTestTenant, grantTestMembership, inviteTestUser, testContext } from "../../helpers/factories";
import { rawDb } from "../../helpers/store";

const day = 86_400_000;

async function seedTenantWithMixedExpiries(clock: TestClock) {
  const tenant = await createTestTenant(clock, "Paged");
  const now = clock.now().getTime();
  // Granted in a shuffled order, so creation order cannot pass for expiry order.
  const plan: Array<{ name: string; expiresAt: Date | null }> = [
    { name: "open-b", expiresAt: null },
    { name: "in-20-days", expiresAt: new Date(now + 20 * day) },
    { name: "in-1-day", expiresAt: new Date(now + day) },
    { name: "open-a", expiresAt: null },
    { name: "in-3-days", expiresAt: new Date(now + 3 * day) },
    { name: "in-2-hours", expiresAt: new Date(now + 2 * 3_600_000) },
    { name: "revoked", expiresAt: new Date(now + 5 * day) },
  ];
  const ids = new Map<string, string>();
  for (const entry of plan) {
    const { user } = await inviteTestUser(clock, { lastName: entry.name, role: "OPERATOR" });
    const membership = await grantTestMembership(clock, {
      userId: user.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: entry.expiresAt,
    });
    ids.set(entry.name, membership.id);
  }
  await revokeMembership(testContext(clock), ids.get("revoked") as string);
  return { tenant, ids };
}

async function readAllPages(clock: TestClock, query: Omit<ListMembershipsQuery, "limit" | "cursor">, limit: number) {
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listMemberships(testContext(clock), { ...query, limit, ...(cursor ? { cursor } : {}) });
    names.push(...page.items.map((row) => row.userName.replace(/^Test /, "")));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor && pages < 20);
  return names;
}

describe("membership lists", () => {
  it("page soonest expiry first and open-ended last, each live membership once, skipping expired and revoked ones", async () => {
    const clock = new TestClock();
    const { tenant } = await seedTenantWithMixedExpiries(clock);
    // Three hours on, the two-hour membership has expired although no sweep has revoked it.
    clock.advanceSeconds(3 * 3600);
    const names = await readAllPages(clock, { tenantId: tenant.id }, 2);
    const openEnded = names.slice(3).sort();
    expect(names.slice(0, 3)).toEqual(["in-1-day", "in-3-days", "in-20-days"]);
    expect(openEnded).toEqual(["open-a", "open-b"]);
    // Open-ended rows share the sort key: the id breaks the tie, so paging across them loses none.
    expect(await readAllPages(clock, { tenantId: tenant.id }, 1)).toEqual(names);
    expect(await readAllPages(clock, { tenantId: tenant.id, expiringWithinDays: 7 }, 1)).toEqual([
      "in-1-day",
      "in-3-days",
    ]);
  });

  it("read a page in index order whatever the filter: no query sorts every membership", async () => {
    const clock = new TestClock();
    const { tenant } = await seedTenantWithMixedExpiries(clock);
    const firstPage = await listMemberships(testContext(clock), { limit: 1 });
    const cursor = firstPage.nextCursor ?? undefined;
    expect(cursor).toBeDefined();
    const shapes: Array<[string, MembershipsPageQuery, string]> = [
      ["every tenant", { limit: 50 }, "memberships_live_sort_idx"],
      ["every tenant, next page", { limit: 50, cursor }, "memberships_live_sort_idx"],
      ["expiring within 7 days", { limit: 50, expiringWithinDays: 7 }, "memberships_live_sort_idx"],
      ["one tenant", { limit: 50, tenantId: tenant.id }, "memberships_tenant_live_sort_idx"],
      ["one tenant, next page", { limit: 50, tenantId: tenant.id, cursor }, "memberships_tenant_live_sort_idx"],
      [
        "one tenant by slug (its settings page)",
        { limit: 50, tenantId: tenantIdOf({ slug: tenant.slug }) },
        "memberships_tenant_live_sort_idx",
      ],
    ];
    for (const [shape, query, index] of shapes) {
      const { sql, params } = selectMembershipsPage(testContext(clock), query).toSQL();
      const plan = await rawDb
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const details = plan.results.map((row) => row.detail).join(" | ");
      expect(details, shape).toMatch(new RegExp(`SEARCH memberships USING INDEX ${index} \\(`));
      expect(details, shape).not.toMatch(/TEMP B-TREE/);
    }
  });
});
