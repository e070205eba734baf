import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { queueExpiryNotices, selectDueMemberships } from "../../src/jobs/expiry-notices";
import { sweepExpiredMemberships } from "../../src/jobs/expiry-sweep";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestTenant, inviteTestUser, testContext } from "../helpers/factories";
import { insertTestMembership, insertTestMemberships } from "../helpers/memberships";
import { rawDb } from "../helpers/store";

const dayMs = 86_400_000;

interface NoticeMail {
  to_address: string;
  subject: string;
  text_body: string;
  dedupe_key: string;
  user_id: string;
}

async function noticeMails(membershipId: string): Promise<NoticeMail[]> {
  const rows = await rawDb
    .prepare("SELECT * FROM outbox WHERE kind = 'expiry_notice' AND dedupe_key LIKE ? ORDER BY dedupe_key")
    .bind(`expiry:${membershipId}:%`)
    .all<NoticeMail>();
  return rows.results;
}

/** A contractor's membership granted by an active admin, expiring `inMs` after the clock's now. */
async function seedMembership(clock: TestClock, inMs: number, grantorId?: string | null) {
  const grantor = grantorId === undefined ? await createActiveUser(clock, { role: "SUPER_ADMIN" }) : null;
  const { user } = await inviteTestUser(clock, { role: "CONTRACTOR", firstName: "Casey", lastName: "Contractor" });
  const tenant = await createTestTenant(clock, "Globex");
  const id = await insertTestMembership(clock, {
    userId: user.id,
    tenantId: tenant.id,
    expiresAt: new Date(clock.now().getTime() + inMs),
    createdBy: grantorId === undefined ? (grantor?.id ?? null) : grantorId,
  });
  return { id, member: user, grantor, tenant };
}

/** The notices recorded for a member's memberships, and the emails queued to each recipient. */
async function countNoticesOf(member: { id: string }, grantor: { id: string }) {
  const records = await rawDb
    .prepare(
      "SELECT count(*) AS n, count(DISTINCT n.membership_id) AS memberships FROM expiry_notices n JOIN memberships m ON m.id = n.membership_id WHERE m.user_id = ?",
    )
    .bind(member.id)
    .first<{ n: number; memberships: number }>();
  const mails = async (userId: string, subjectLike = "%") =>
    (
      await rawDb
        .prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'expiry_notice' AND user_id = ? AND subject LIKE ?")
        .bind(userId, subjectLike)
        .first<{ n: number }>()
    )?.n;
  return {
    records: records?.n,
    memberships: records?.memberships,
    memberMails: await mails(member.id),
    grantorMails: await mails(grantor.id),
    endedMails: await mails(member.id, "%has ended"),
  };
}

function setExpiry(id: string, expiresAt: number) {
  return rawDb.prepare("UPDATE memberships SET expires_at = ? WHERE id = ?").bind(expiresAt, id).run();
}

describe("expiry notices", () => {
  it("queues a 7-day notice to the member and to the grantor, once however often it runs", async () => {
    // Each test starts on its own day: memberships of earlier tests stay out of its window.
    const clock = new TestClock("2026-01-10T09:00:00Z");
    const { id, member, grantor } = await seedMembership(clock, 7 * dayMs);

    await queueExpiryNotices(testContext(clock));
    await queueExpiryNotices(testContext(clock));
    clock.advanceSeconds(300);
    await queueExpiryNotices(testContext(clock));

    const mails = await noticeMails(id);
    expect(mails.map((mail) => [mail.to_address, mail.user_id])).toEqual([
      [grantor?.email, grantor?.id],
      [member.email, member.id],
    ]);
    expect(mails[1]?.subject).toBe("Your access to Globex expires in 7 days");
    expect(mails[1]?.text_body).toContain(
      "Your access to Globex (Read-only) expires in 7 days, on 17 Jan 2026, 09:00 UTC.",
    );
    expect(mails[0]?.text_body).toContain(
      `The access you granted Casey Contractor (${member.email}) to Globex (Read-only) expires in 7 days`,
    );
    const records = await rawDb
      .prepare("SELECT days_before FROM expiry_notices WHERE membership_id = ?")
      .bind(id)
      .all();
    expect(records.results).toEqual([{ days_before: 7 }]);
  });

  it("queues the 1-day notice a day before, without repeating the 7-day one", async () => {
    const clock = new TestClock("2026-02-10T09:00:00Z");
    const { id } = await seedMembership(clock, 7 * dayMs);
    await queueExpiryNotices(testContext(clock));

    clock.advanceSeconds(5 * 86_400);
    await queueExpiryNotices(testContext(clock));
    expect(await noticeMails(id)).toHaveLength(2);

    clock.advanceSeconds(86_400);
    await queueExpiryNotices(testContext(clock));
    await queueExpiryNotices(testContext(clock));

    const mails = await noticeMails(id);
    expect(mails).toHaveLength(4);
    expect(mails.filter((mail) => mail.dedupe_key.endsWith(":1:member"))[0]?.subject).toBe(
      "Your access to Globex expires in 1 day",
    );
  });

  it("sends only the 1-day notice for a membership that starts within a day of its expiry, worded with the real time left", async () => {
    const clock = new TestClock("2026-03-10T09:00:00Z");
    const { id } = await seedMembership(clock, 5 * 3_600_000);

    await queueExpiryNotices(testContext(clock));
    clock.advanceSeconds(3600);
    await queueExpiryNotices(testContext(clock));

    const mails = await noticeMails(id);
    expect(mails.map((mail) => mail.dedupe_key.split(":").slice(3).join(":"))).toEqual(["1:grantor", "1:member"]);
    expect(mails[1]?.subject).toBe("Your access to Globex expires in 5 hours");
  });

  it("sends nothing for a membership removed before its notice, and nothing more after expiry once the 1-day notice went out", async () => {
    const clock = new TestClock("2026-04-10T09:00:00Z");
    const { id } = await seedMembership(clock, 6 * dayMs);
    await rawDb
      .prepare("UPDATE memberships SET revoked_at = ?, revoke_reason = 'removed' WHERE id = ?")
      .bind(clock.now().getTime(), id)
      .run();

    await queueExpiryNotices(testContext(clock));
    expect(await noticeMails(id)).toHaveLength(0);

    const notified = await seedMembership(clock, 10 * 3_600_000);
    await queueExpiryNotices(testContext(clock));
    clock.advanceSeconds(86_400);
    await sweepExpiredMemberships(testContext(clock));
    await queueExpiryNotices(testContext(clock));
    expect((await noticeMails(notified.id)).map((mail) => mail.subject)).toEqual([
      "Access of Casey Contractor to Globex expires in 10 hours",
      "Your access to Globex expires in 10 hours",
    ]);
  });

  it("tells the member and the grantor that access ended when its expiry passed before any notice, once", async () => {
    const clock = new TestClock("2026-04-20T09:00:00Z");
    const { id } = await seedMembership(clock, 60_000);
    clock.advanceSeconds(300);
    // The sweep runs first in a cron run: the notice must survive the revocation.
    await sweepExpiredMemberships(testContext(clock));
    await queueExpiryNotices(testContext(clock));
    await queueExpiryNotices(testContext(clock));

    const mails = await noticeMails(id);
    expect(mails.map((mail) => mail.dedupe_key.split(":").slice(3).join(":"))).toEqual(["1:grantor", "1:member"]);
    expect(mails[1]?.subject).toBe("Your access to Globex has ended");
    expect(mails[1]?.text_body).toContain("Your access to Globex (Read-only) ended on 20 Apr 2026, 09:01 UTC.");
    expect(mails[1]?.text_body).toContain("could not be sent before");
    expect(mails[0]?.subject).toBe("Access of Casey Contractor to Globex has ended");
    expect(mails[0]?.text_body).toMatch(
      /The access you granted Casey Contractor \(\S+\) to Globex \(Read-only\) ended on 20 Apr 2026, 09:01 UTC\./,
    );
  });

  it("sends no late notice for an expiry more than a week old, nor for a membership a new grant replaced", async () => {
    const clock = new TestClock("2026-04-28T09:00:00Z");
    const old = await seedMembership(clock, 60_000);
    const replaced = await seedMembership(clock, 8 * dayMs);
    clock.advanceSeconds(8 * 86_400 + 120);
    // What a new grant does with an expired, not yet swept membership (domain/memberships/memberships.ts).
    await rawDb
      .prepare("UPDATE memberships SET revoked_at = ?, revoke_reason = 'expired' WHERE id = ?")
      .bind(clock.now().getTime(), replaced.id)
      .run();
    await insertTestMembership(clock, {
      userId: replaced.member.id,
      tenantId: replaced.tenant.id,
      expiresAt: null,
      createdBy: replaced.grantor?.id ?? null,
    });

    await queueExpiryNotices(testContext(clock));

    expect(await noticeMails(old.id)).toHaveLength(0);
    expect(await noticeMails(replaced.id)).toHaveLength(0);
  });

  it("re-arms the notices when the membership is extended", async () => {
    const clock = new TestClock("2026-05-10T09:00:00Z");
    const { id } = await seedMembership(clock, 7 * dayMs);
    await queueExpiryNotices(testContext(clock));
    expect(await noticeMails(id)).toHaveLength(2);

    const extendedTo = clock.now().getTime() + 37 * dayMs;
    await setExpiry(id, extendedTo);
    clock.advanceSeconds(6 * 86_400);
    await queueExpiryNotices(testContext(clock));
    expect(await noticeMails(id)).toHaveLength(2);

    clock.set(new Date(extendedTo - 7 * dayMs));
    await queueExpiryNotices(testContext(clock));
    const mails = await noticeMails(id);
    expect(mails).toHaveLength(4);
    expect(mails.filter((mail) => mail.dedupe_key.startsWith(`expiry:${id}:${extendedTo}:7:`))).toHaveLength(2);
  });

  it("queues nothing for a membership extended between the read and the write", async () => {
    const clock = new TestClock("2026-06-10T09:00:00Z");
    const { id } = await seedMembership(clock, 7 * dayMs);
    const ctx = testContext(clock);
    // The extension lands just before the job's batch: the job read the old expiry.
    const racingDb = new Proxy(ctx.db, {
      get(target, property, receiver) {
        if (property !== "batch") return Reflect.get(target, property, receiver);
        return async (...args: Parameters<Db["batch"]>) => {
          await setExpiry(id, clock.now().getTime() + 90 * dayMs);
          return target.batch(...args);
        };
      },
    });

    const result = await queueExpiryNotices({ ...ctx, db: racingDb });

    expect(result).toEqual({ memberships: 0, emails: 0, complete: true });
    expect(await noticeMails(id)).toHaveLength(0);
  });

  it("queues each notice once when two runs overlap", async () => {
    const clock = new TestClock("2026-07-10T09:00:00Z");
    const seeded = [await seedMembership(clock, 3 * dayMs), await seedMembership(clock, 20 * 3_600_000)];

    const [a, b] = await Promise.all([queueExpiryNotices(testContext(clock)), queueExpiryNotices(testContext(clock))]);

    expect(a.emails + b.emails).toBe(4);
    for (const { id } of seeded) expect(await noticeMails(id)).toHaveLength(2);
  });

  it("writes to the grantor only when they exist, are active and are not the member", async () => {
    const clock = new TestClock("2026-08-10T09:00:00Z");
    const noGrantor = await seedMembership(clock, 2 * dayMs, null);
    const self = await inviteTestUser(clock, { role: "CONTRACTOR" });
    const tenant = await createTestTenant(clock, "Acme Ltd");
    const selfGranted = await insertTestMembership(clock, {
      userId: self.user.id,
      tenantId: tenant.id,
      expiresAt: new Date(clock.now().getTime() + 2 * dayMs),
      createdBy: self.user.id,
    });
    const pendingGrantor = await inviteTestUser(clock, { role: "OPERATOR" });
    const withPendingGrantor = await seedMembership(clock, 2 * dayMs, pendingGrantor.user.id);
    const deactivatedMember = await seedMembership(clock, 2 * dayMs);
    await rawDb
      .prepare("UPDATE users SET deactivated_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), deactivatedMember.member.id)
      .run();

    await queueExpiryNotices(testContext(clock));

    expect((await noticeMails(noGrantor.id)).map((mail) => mail.to_address)).toEqual([noGrantor.member.email]);
    expect((await noticeMails(selfGranted)).map((mail) => mail.to_address)).toEqual([self.user.email]);
    expect((await noticeMails(withPendingGrantor.id)).map((mail) => mail.to_address)).toEqual([
      withPendingGrantor.member.email,
    ]);
    expect((await noticeMails(deactivatedMember.id)).map((mail) => mail.to_address)).toEqual([
      deactivatedMember.grantor?.email,
    ]);
  });

  it("queues the notices of all 300 memberships expiring 100 s ahead in one run", async () => {
    const clock = new TestClock("2026-09-20T09:00:00Z");
    const { member, grantor } = await insertTestMemberships(clock, 300, 100_000);
    const deadline = new Date(clock.now().getTime() + 20_000);

    const result = await queueExpiryNotices(testContext(clock), { deadline, readClock: () => clock.now() });

    expect(result).toEqual({ memberships: 300, emails: 600, complete: true });
    expect(await countNoticesOf(member, grantor)).toEqual({
      records: 300,
      memberships: 300,
      memberMails: 300,
      grantorMails: 300,
      endedMails: 0,
    });
    const mail = await rawDb
      .prepare("SELECT subject, text_body FROM outbox WHERE kind = 'expiry_notice' AND user_id = ? LIMIT 1")
      .bind(member.id)
      .first<{ subject: string; text_body: string }>();
    expect(mail?.text_body).toContain("expires within the hour, on 20 Sep 2026, 09:01 UTC.");
  });

  it("starts no round after its deadline, and the next run, after the sweep, tells the rest truthfully that access ended", async () => {
    const clock = new TestClock("2026-10-10T09:00:00Z");
    const { member, grantor } = await insertTestMemberships(clock, 300, 100_000);
    const deadline = new Date(clock.now().getTime() + 20_000);
    // Each round takes 10 s of wall time: rounds end at +10 s and +20 s, and no third one starts.
    let rounds = 0;
    const readClock = () => new Date(clock.now().getTime() + 10_000 * ++rounds);

    const first = await queueExpiryNotices(testContext(clock), { deadline, readClock });
    expect(first).toEqual({ memberships: 50, emails: 100, complete: false });

    clock.advanceSeconds(300);
    await sweepExpiredMemberships(testContext(clock));
    const next = await queueExpiryNotices(testContext(clock), {
      deadline: new Date(clock.now().getTime() + 20_000),
      readClock: () => clock.now(),
    });

    expect(next).toEqual({ memberships: 250, emails: 500, complete: true });
    expect(await countNoticesOf(member, grantor)).toEqual({
      records: 300,
      memberships: 300,
      memberMails: 300,
      grantorMails: 300,
      endedMails: 250,
    });
  });

  it("reads due memberships through the two expiry indexes, never the whole table", async () => {
    const clock = new TestClock("2026-12-10T09:00:00Z");
    const { sql, params } = selectDueMemberships(testContext(clock)).toSQL();
    const plan = await rawDb
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join(" | ");
    expect(details).toMatch(/SEARCH memberships USING INDEX memberships_live_expiry_idx \(/);
    expect(details).toMatch(/SEARCH memberships USING INDEX memberships_expired_expiry_idx \(/);
    expect(details).not.toMatch(/SCAN memberships/);
  });
});
