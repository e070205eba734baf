// Recording expiry is written once (membership-expiry.ts) and called by the sweep and by a grant
// that takes an unswept expired membership's place: both must leave the same row and the same event.
import { describe, expect, it } from "vitest";
import { selectExpiredMembershipIds } from "../../../src/domain/memberships/membership-expiry";
import { grantMembership } from "../../../src/domain/memberships/memberships";
import { sweepExpiredMemberships } from "../../../src/jobs/expiry-sweep";
import { TestClock } from "../../helpers/clock";
import { createTestTenant, inviteTestUser, testContext } from "../../helpers/factories";
import { insertTestMembership, readMembership } from "../../helpers/memberships";
import { rawDb } from "../../helpers/store";

function readExpiryEvent(membershipId: string) {
  return rawDb
    .prepare("SELECT * FROM audit_events WHERE action = 'membership.expired' AND target_id = ?")
    .bind(membershipId)
    .first<Record<string, unknown>>();
}

async function explain(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
  const { sql, params } = query.toSQL();
  const plan = await rawDb
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return plan.results.map((row) => row.detail).join(" | ");
}

describe("recording a membership's expiry", () => {
  it("writes the same revocation and the same system event from a new grant as from the sweep", async () => {
    const clock = new TestClock("2027-03-01T09:00:00Z");
    const { user } = await inviteTestUser(clock, { role: "OPERATOR" });
    const [tenantA, tenantB] = [await createTestTenant(clock, "Acme Ltd"), await createTestTenant(clock, "Acme Ltd")];
    // Milliseconds that are not a whole second: the event must render them exactly.
    const expiresAt = new Date(clock.now().getTime() + 60_000 + 7);
    const byGrant = await insertTestMembership(clock, { userId: user.id, tenantId: tenantA.id, expiresAt });
    const bySweep = await insertTestMembership(clock, { userId: user.id, tenantId: tenantB.id, expiresAt });
    clock.advanceSeconds(120);

    await grantMembership(testContext(clock), {
      userId: user.id,
      tenantId: tenantA.id,
      role: "OPERATOR_FULL",
      expiresAt: null,
    });
    const swept = await sweepExpiredMemberships(testContext(clock));

    expect(swept.revoked).toBe(1);
    const revoked = { revoked_at: clock.now().getTime(), revoke_reason: "expired", expires_at: expiresAt.getTime() };
    expect(await readMembership(byGrant)).toEqual(revoked);
    expect(await readMembership(bySweep)).toEqual(revoked);
    const [grantEvent, sweepEvent] = [await readExpiryEvent(byGrant), await readExpiryEvent(bySweep)];
    const common = {
      at: clock.now().getTime(),
      actor_id: null,
      actor_name: "Gatehouse (system)",
      actor_email: null,
      target_type: "membership",
      ip: null,
      request_id: "test",
    };
    expect(grantEvent).toMatchObject({
      ...common,
      target_label: `${user.email} in ${tenantA.slug}`,
      tenant_id: tenantA.id,
    });
    expect(sweepEvent).toMatchObject({
      ...common,
      target_label: `${user.email} in ${tenantB.slug}`,
      tenant_id: tenantB.id,
    });
    const details = { userId: user.id, role: "OPERATOR_READONLY", expiresAt: expiresAt.toISOString() };
    expect(JSON.parse(String(grantEvent?.details))).toEqual(details);
    expect(JSON.parse(String(sweepEvent?.details))).toEqual(details);
  });

  it("reads the sweep's round through the live-expiry index and a grant's through the user and tenant", async () => {
    const ctx = testContext(new TestClock("2027-03-01T09:00:00Z"));

    const sweepPlan = await explain(selectExpiredMembershipIds(ctx, { oldest: 500 }));
    const grantPlan = await explain(selectExpiredMembershipIds(ctx, { userId: "usr_x", tenantId: "ten_x" }));

    expect(sweepPlan).toMatch(/SEARCH memberships USING INDEX memberships_live_expiry_idx \(/);
    expect(grantPlan).toMatch(/SEARCH memberships USING INDEX memberships_(live_user_tenant_unique|user_idx) \(/);
    expect(`${sweepPlan} | ${grantPlan}`).not.toMatch(/SCAN memberships/);
  });
});
