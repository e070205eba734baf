// The console home's "Needs your attention" (src/domain/attention.ts): pending invites, access that
// ends within 7 days (the soonest named), failed emails — each read only when the caller may see it.
import { describe, expect, it } from "vitest";
import { readAttention } from "../../src/domain/attention";
import { revokeMembership } from "../../src/domain/memberships/memberships";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestTenant,
  grantTestMembership,
  inviteTestUser,
  testContext,
} from "../helpers/factories";
import { rawDb } from "../helpers/store";

const hour = 3_600_000;
const day = 24 * hour;
const everything = { pendingInvites: true, expiringMemberships: true, failedEmails: true };

describe("what needs an administrator's attention", () => {
  it("counts pending invites, memberships ending within 7 days (soonest first) and failed emails", async () => {
    // A year of its own, so memberships other tests granted have long expired.
    const clock = new TestClock("2031-05-05T09:00:00Z");
    const before = await readAttention(testContext(clock), everything);
    const tenant = await createTestTenant(clock, "Attention Ltd");
    const now = clock.now().getTime();
    const plan = [
      { name: "in-3-days", expiresAt: new Date(now + 3 * day) },
      { name: "in-8-days", expiresAt: new Date(now + 8 * day) },
      { name: "in-2-hours", expiresAt: new Date(now + 2 * hour) },
      { name: "open-ended", expiresAt: null },
      { name: "in-1-day", expiresAt: new Date(now + day) },
      { name: "in-6-days", expiresAt: new Date(now + 6 * day) },
      { name: "revoked", expiresAt: new Date(now + day) },
    ];
    const invited: string[] = [];
    for (const entry of plan) {
      const { user } = await inviteTestUser(clock, { firstName: "Soon", lastName: entry.name });
      invited.push(user.id);
      const membership = await grantTestMembership(clock, {
        userId: user.id,
        tenantId: tenant.id,
        role: "OPERATOR_FULL",
        expiresAt: entry.expiresAt,
      });
      if (entry.name === "revoked") await revokeMembership(testContext(clock), membership.id);
    }
    await createActiveUser(clock, { role: "OPERATOR" });
    await rawDb.prepare("UPDATE outbox SET status = 'failed' WHERE user_id = ?").bind(invited[0]).run();

    const after = await readAttention(testContext(clock), everything);

    expect(after.pendingInvites).toBe((before.pendingInvites ?? 0) + plan.length);
    expect(after.failedEmails).toBe((before.failedEmails ?? 0) + 1);
    expect(after.expiringMemberships?.count).toBe((before.expiringMemberships?.count ?? 0) + 4);
    expect(after.expiringMemberships?.soonest.map((row) => [row.userName, row.tenantName])).toEqual([
      ["Soon in-2-hours", "Attention Ltd"],
      ["Soon in-1-day", "Attention Ltd"],
      ["Soon in-3-days", "Attention Ltd"],
    ]);
  });

  it("reads only the parts the caller may see, and nothing at all when none", async () => {
    const clock = new TestClock("2031-06-06T09:00:00Z");
    await inviteTestUser(clock);

    expect(
      await readAttention(testContext(clock), {
        pendingInvites: true,
        expiringMemberships: false,
        failedEmails: false,
      }),
    ).toEqual({ pendingInvites: expect.any(Number), expiringMemberships: null, failedEmails: null });
    expect(
      await readAttention(testContext(clock), {
        pendingInvites: false,
        expiringMemberships: false,
        failedEmails: false,
      }),
    ).toEqual({ pendingInvites: null, expiringMemberships: null, failedEmails: null });
  });
});
