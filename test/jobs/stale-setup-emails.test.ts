// No stale invite (docs/JOBS.md "No stale setup link"): a setup-link email whose link was replaced,
// used or revoked before delivery is marked superseded and never sent, on both stores.
import { beforeEach, describe, expect, it } from "vitest";
import { regenerateSetupLink } from "../../src/domain/invites/setup-links";
import { findInviteDelivery } from "../../src/domain/outbox";
import { deactivateUser } from "../../src/domain/users/user-lifecycle";
import { resetTwoFactor } from "../../src/domain/users/user-security";
import { deliverOutbox } from "../../src/jobs/deliver-outbox";
import type { EmailProvider, OutgoingEmail } from "../../src/jobs/email-providers";
import { TestClock } from "../helpers/clock";
import { createActiveUser, inviteTestUser, testContext } from "../helpers/factories";
import { rawDb } from "../helpers/store";

function recordingProvider() {
  const sent: OutgoingEmail[] = [];
  const provider: EmailProvider = {
    name: "log",
    async send(message) {
      sent.push(message);
    },
  };
  return { provider, sent };
}

interface SetupEmailRow {
  kind: string;
  status: string;
  text_body: string;
}

async function readSetupEmails(userId: string): Promise<SetupEmailRow[]> {
  const { results } = await rawDb
    .prepare("SELECT kind, status, text_body FROM outbox WHERE user_id = ? ORDER BY created_at, kind")
    .bind(userId)
    .all<SetupEmailRow>();
  return results;
}

async function deliverAll(clock: TestClock) {
  const { provider, sent } = recordingProvider();
  await deliverOutbox(testContext(clock), provider, { limit: 100 });
  return sent;
}

describe("no stale setup link is ever sent", () => {
  beforeEach(async () => {
    // Storage is shared by the tests of this file: deliver what earlier tests left due.
    await deliverAll(new TestClock("2099-01-01T00:00:00Z"));
  });

  it("a new setup link supersedes the invite still queued: only the new email goes out, with the working link", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    clock.advanceSeconds(60);
    const renewed = await regenerateSetupLink(testContext(clock), invited.user.id);

    expect((await readSetupEmails(invited.user.id)).map((row) => [row.kind, row.status])).toEqual([
      ["invite", "superseded"],
      ["invite_resent", "pending"],
    ]);
    const sent = (await deliverAll(clock)).filter((message) => message.to === invited.user.email);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain(renewed.setupUrl);
    expect(sent[0]?.text).not.toContain(invited.setupUrl);
    expect((await readSetupEmails(invited.user.id)).map((row) => row.status)).toEqual(["superseded", "sent"]);
    expect(await findInviteDelivery(testContext(clock), invited.user.id)).toMatchObject({
      kind: "invite_resent",
      status: "sent",
    });
  });

  it("the invite of a user who completed setup before delivery is superseded and not sent", async () => {
    const clock = new TestClock();
    const active = await createActiveUser(clock, { role: "SUPER_ADMIN" });

    expect((await readSetupEmails(active.id)).map((row) => [row.kind, row.status])).toEqual([["invite", "superseded"]]);
    const sent = await deliverAll(clock);
    expect(sent.filter((message) => message.to === active.email)).toEqual([]);
    expect(await findInviteDelivery(testContext(clock), active.id)).toMatchObject({ status: "superseded" });
  });

  it("deactivating a pending user supersedes their queued invite", async () => {
    const clock = new TestClock();
    const invited = await inviteTestUser(clock);
    await deactivateUser(testContext(clock), invited.user.id);

    expect((await readSetupEmails(invited.user.id)).map((row) => row.status)).toEqual(["superseded"]);
    const sent = await deliverAll(clock);
    expect(sent.filter((message) => message.to === invited.user.email)).toEqual([]);
  });

  it("a second two-factor reset supersedes the reset email queued by the first", async () => {
    const clock = new TestClock();
    const active = await createActiveUser(clock);
    await resetTwoFactor(testContext(clock), active.id);
    clock.advanceSeconds(60);
    const second = await resetTwoFactor(testContext(clock), active.id);

    const rows = await readSetupEmails(active.id);
    expect(rows.map((row) => [row.kind, row.status])).toEqual([
      ["invite", "superseded"],
      ["two_factor_reset", "superseded"],
      ["two_factor_reset", "pending"],
    ]);
    const sent = (await deliverAll(clock)).filter((message) => message.to === active.email);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain(second.setupUrl);
  });

  it("delivery re-checks the link itself: a due email whose link changed behind the outbox's back is not sent", async () => {
    const clock = new TestClock();
    const replaced = await inviteTestUser(clock);
    const deactivated = await inviteTestUser(clock);
    const stranded = await inviteTestUser(clock);
    const current = await inviteTestUser(clock);
    // A link changed by a write that did not mark the outbox; a user deactivated the same way; and a
    // message a dead run left `sending`, whose lease has run out, for a user whose link has changed.
    await rawDb
      .prepare("UPDATE users SET setup_token_hash = 'replaced-' || id WHERE id IN (?, ?)")
      .bind(replaced.user.id, stranded.user.id)
      .run();
    await rawDb
      .prepare("UPDATE users SET deactivated_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), deactivated.user.id)
      .run();
    await rawDb
      .prepare("UPDATE outbox SET status = 'sending', attempts = 1, next_attempt_at = ? WHERE user_id = ?")
      .bind(clock.now().getTime() - 1000, stranded.user.id)
      .run();

    const sent = await deliverAll(clock);
    const recipients = sent.map((message) => message.to);
    expect(recipients).toContain(current.user.email);
    for (const user of [replaced, deactivated, stranded]) {
      expect(recipients).not.toContain(user.user.email);
      expect((await readSetupEmails(user.user.id)).map((row) => row.status)).toEqual(["superseded"]);
    }
    expect((await readSetupEmails(current.user.id)).map((row) => row.status)).toEqual(["sent"]);
  });
});
