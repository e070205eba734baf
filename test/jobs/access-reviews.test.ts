import { describe, expect, it } from "vitest";
import { generateId } from "../../src/auth/crypto";
import type { LiveMembership, Principal } from "../../src/domain/access";
import type { Actor } from "../../src/domain/context";
import { createDirectory } from "../../src/domain/directories/directories";
import { revokeMembership } from "../../src/domain/memberships/memberships";
import { createCampaign, createCampaignSchema, stopCampaign } from "../../src/domain/reviews/review-campaigns";
import { decideReviewItems } from "../../src/domain/reviews/review-decisions";
import { openDueRuns, openRun } from "../../src/domain/reviews/review-runs";
import { deactivateUser } from "../../src/domain/users/user-lifecycle";
import { runAccessReviews } from "../../src/jobs/access-reviews";
import { TestClock } from "../helpers/clock";
import {
  type ActiveTestUser,
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  signInAs,
  testContext,
  testPrincipal,
} from "../helpers/factories";
import { insertTestMembership, readMembership } from "../helpers/memberships";
import { rawDb } from "../helpers/store";

const dayMs = 86_400_000;

interface ItemRow {
  id: string;
  membership_id: string;
  user_id: string;
  tenant_id: string;
  member_name: string;
  member_email: string;
  membership_kind: string;
  role: string;
  granted_by: string | null;
  recommend_revoke: number;
  reviewer_key: string;
  client_may_advise: number;
  status: string;
  decision_source: string | null;
  decided_at: number | null;
  flag: string | null;
}

interface RunRow {
  id: string;
  due_at: number;
  opened_at: number;
  deadline_at: number;
  item_count: number;
  closed_at: number | null;
  client_say_on_staff: string;
}

async function runsOf(campaignId: string): Promise<RunRow[]> {
  const rows = await rawDb
    .prepare("SELECT * FROM review_runs WHERE campaign_id = ? ORDER BY due_at")
    .bind(campaignId)
    .all<RunRow>();
  return rows.results;
}

async function onlyRunOf(campaignId: string): Promise<RunRow> {
  const runs = await runsOf(campaignId);
  expect(runs).toHaveLength(1);
  return runs[0] as RunRow;
}

async function itemsOf(runId: string): Promise<ItemRow[]> {
  const rows = await rawDb.prepare("SELECT * FROM review_items WHERE run_id = ?").bind(runId).all<ItemRow>();
  return rows.results;
}

function itemFor(items: ItemRow[], membershipId: string): ItemRow {
  const item = items.find((row) => row.membership_id === membershipId);
  if (!item) throw new Error(`no item for membership ${membershipId}: ${JSON.stringify(items)}`);
  return item;
}

async function remindersOf(runId: string): Promise<string[]> {
  const rows = await rawDb
    .prepare("SELECT dedupe_key FROM outbox WHERE substr(dedupe_key, 1, ?) = ? ORDER BY dedupe_key")
    .bind(`review:${runId}:`.length, `review:${runId}:`)
    .all<{ dedupe_key: string }>();
  return rows.results.map((row) => row.dedupe_key).filter((key) => !key.includes(":no-admin:"));
}

async function eventsOf(action: string, targetId: string) {
  const rows = await rawDb
    .prepare("SELECT * FROM audit_events WHERE action = ? AND target_id = ? ORDER BY id")
    .bind(action, targetId)
    .all<Record<string, unknown>>();
  return rows.results;
}

async function setLastLogin(userId: string, at: Date | null) {
  await rawDb
    .prepare("UPDATE users SET last_login_at = ? WHERE id = ?")
    .bind(at?.getTime() ?? null, userId)
    .run();
}

/** The acting person as a signed-in principal with the live memberships given. */
function principalOf(clock: TestClock, user: ActiveTestUser, memberships: LiveMembership[] = []): Actor {
  // Operators here act as the world's grantor, whose access group may end memberships.
  const base = testPrincipal(
    clock,
    user.role,
    user.role === "OPERATOR" ? ["memberships:create", "memberships:delete"] : [],
  );
  const principal: Principal = { ...base, user: { ...base.user, id: user.id, email: user.email }, memberships };
  return { kind: "user", principal };
}

interface World {
  tenant: { id: string; slug: string; name: string };
  superAdmin: ActiveTestUser;
  grantor: ActiveTestUser;
  clientAdmin: ActiveTestUser;
  viewer: ActiveTestUser;
  staff: ActiveTestUser;
  memberships: { clientAdmin: string; viewer: string; staff: string; ungranted: string };
}

/**
 * A tenant with its sole client admin, a client viewer, a contractor granted by an operator and an
 * operator granted by nobody; the viewer last signed in 40 days ago.
 */
async function createWorld(clock: TestClock): Promise<World> {
  const tenant = await createTestTenant(clock, "Acme Corp");
  const superAdmin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  const grantor = await createActiveUser(clock, { role: "OPERATOR" });
  // The grantor may still end memberships, so reviews what they granted (access.ts#grantorReviewPermission).
  await grantPermissionsThroughGroup(grantor.id, ["memberships:create", "memberships:delete"]);
  const clientAdmin = await createActiveUser(clock, { role: "CLIENT_USER" });
  const viewer = await createActiveUser(clock, { role: "CLIENT_USER" });
  const staff = await createActiveUser(clock, { role: "CONTRACTOR" });
  const other = await createActiveUser(clock, { role: "OPERATOR" });
  const memberships = {
    clientAdmin: await insertTestMembership(clock, {
      userId: clientAdmin.id,
      tenantId: tenant.id,
      role: "CLIENT_ADMIN",
      expiresAt: null,
    }),
    viewer: await insertTestMembership(clock, {
      userId: viewer.id,
      tenantId: tenant.id,
      role: "CLIENT_VIEWER",
      expiresAt: null,
    }),
    staff: await insertTestMembership(clock, {
      userId: staff.id,
      tenantId: tenant.id,
      role: "OPERATOR_READONLY",
      expiresAt: new Date(clock.now().getTime() + 300 * dayMs),
      createdBy: grantor.id,
    }),
    ungranted: await insertTestMembership(clock, {
      userId: other.id,
      tenantId: tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: null,
    }),
  };
  for (const user of [superAdmin, grantor, clientAdmin, staff, other]) await setLastLogin(user.id, clock.now());
  await setLastLogin(viewer.id, new Date(clock.now().getTime() - 40 * dayMs));
  return { tenant, superAdmin, grantor, clientAdmin, viewer, staff, memberships };
}

async function createTestCampaign(clock: TestClock, tenantIds: string[], settings: Record<string, unknown> = {}) {
  return createCampaign(
    testContext(clock),
    createCampaignSchema.parse({
      name: "Quarterly review",
      allTenants: false,
      tenantIds,
      cadence: "quarterly",
      ...settings,
    }),
  );
}

describe("access reviews job", () => {
  it("opens a due campaign once, with one item per live membership in scope, its snapshot and its reviewer", async () => {
    const clock = new TestClock("2027-01-04T09:00:00Z");
    const world = await createWorld(clock);
    const elsewhere = await createTestTenant(clock, "Elsewhere Ltd");
    await insertTestMembership(clock, {
      userId: world.viewer.id,
      tenantId: elsewhere.id,
      role: "CLIENT_VIEWER",
      expiresAt: null,
    });
    const expired = await insertTestMembership(clock, {
      userId: world.grantor.id,
      tenantId: world.tenant.id,
      role: "OPERATOR_FULL",
      expiresAt: new Date(clock.now().getTime() - 1),
    });
    const campaign = await createTestCampaign(clock, [world.tenant.id]);

    const first = await runAccessReviews(testContext(clock));
    const again = await runAccessReviews(testContext(clock));

    expect(first.opened).toBeGreaterThanOrEqual(1);
    const run = await onlyRunOf(campaign.id);
    expect(run).toMatchObject({
      due_at: clock.now().getTime(),
      opened_at: clock.now().getTime(),
      deadline_at: clock.now().getTime() + 14 * dayMs,
      item_count: 4,
      closed_at: null,
    });
    const items = await itemsOf(run.id);
    expect(items).toHaveLength(4);
    expect(items.map((item) => item.membership_id)).not.toContain(expired);
    expect(itemFor(items, world.memberships.viewer)).toMatchObject({
      user_id: world.viewer.id,
      member_email: world.viewer.email,
      membership_kind: "client",
      role: "CLIENT_VIEWER",
      recommend_revoke: 1,
      reviewer_key: "client_admins",
      client_may_advise: 0,
      status: "pending",
    });
    // The sole client admin does not review their own access: the Super admins do.
    expect(itemFor(items, world.memberships.clientAdmin)).toMatchObject({
      reviewer_key: "super_admins",
      recommend_revoke: 0,
    });
    expect(itemFor(items, world.memberships.staff)).toMatchObject({
      membership_kind: "staff",
      granted_by: world.grantor.id,
      reviewer_key: `user:${world.grantor.id}`,
    });
    expect(itemFor(items, world.memberships.ungranted).reviewer_key).toBe("super_admins");
    const campaignRow = await rawDb
      .prepare("SELECT next_run_at FROM review_campaigns WHERE id = ?")
      .bind(campaign.id)
      .first<{ next_run_at: number }>();
    expect(campaignRow?.next_run_at).toBe(Date.parse("2027-04-04T09:00:00Z"));
    const opened = await eventsOf("access_review.opened", run.id);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ actor_kind: "service:access_review", actor_id: campaign.id });
    expect(JSON.parse(String(opened[0]?.details))).toMatchObject({ campaignId: campaign.id, itemCount: 4 });
    expect(again.opened).toBe(0);
    expect(await itemsOf(run.id)).toHaveLength(4);
  });

  it("gives staff items to the client admins when their say is binding, and lets them advise when advisory", async () => {
    const clock = new TestClock("2027-01-05T09:00:00Z");
    const world = await createWorld(clock);
    const binding = await createTestCampaign(clock, [world.tenant.id], { clientSayOnStaff: "binding" });
    const advisory = await createTestCampaign(clock, [world.tenant.id], { clientSayOnStaff: "advisory" });
    const staffOnly = await createTestCampaign(clock, [world.tenant.id], { membershipKinds: "staff" });

    await runAccessReviews(testContext(clock));

    const bindingItems = await itemsOf((await onlyRunOf(binding.id)).id);
    expect(itemFor(bindingItems, world.memberships.staff)).toMatchObject({
      reviewer_key: "client_admins",
      client_may_advise: 0,
    });
    expect(itemFor(bindingItems, world.memberships.clientAdmin).reviewer_key).toBe("super_admins");
    const advisoryItems = await itemsOf((await onlyRunOf(advisory.id)).id);
    expect(itemFor(advisoryItems, world.memberships.staff)).toMatchObject({
      reviewer_key: `user:${world.grantor.id}`,
      client_may_advise: 1,
    });
    expect(itemFor(advisoryItems, world.memberships.viewer).client_may_advise).toBe(0);
    const staffItems = await itemsOf((await onlyRunOf(staffOnly.id)).id);
    expect(staffItems.map((item) => item.membership_id).sort()).toEqual(
      [world.memberships.staff, world.memberships.ungranted].sort(),
    );
  });

  it("leaves out memberships the tenant's own SCIM directory holds, not those of the staff directory", async () => {
    const clock = new TestClock("2027-01-06T09:00:00Z");
    const world = await createWorld(clock);
    const directory = await createDirectory(testContext(clock), {
      scope: "tenant",
      name: "Acme Entra",
      tenantId: world.tenant.id,
    });
    const staffDirectory = await rawDb
      .prepare("SELECT id FROM directories WHERE scope = 'staff'")
      .first<{ id: string }>();
    const link = (userId: string, directoryId: string, deletedAt: number | null) =>
      rawDb
        .prepare(
          "INSERT INTO directory_users (user_id, directory_id, user_name, user_name_key, attributes, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)",
        )
        .bind(userId, directoryId, userId, userId, clock.now().getTime(), clock.now().getTime(), deletedAt)
        .run();
    await link(world.viewer.id, directory.directory.id, null);
    // Deleted from the directory: no longer held, so reviewed by hand again.
    await link(world.clientAdmin.id, directory.directory.id, clock.now().getTime());
    if (staffDirectory) await link(world.staff.id, staffDirectory.id, null);
    const campaign = await createTestCampaign(clock, [world.tenant.id]);

    await runAccessReviews(testContext(clock));

    const items = await itemsOf((await onlyRunOf(campaign.id)).id);
    expect(items.map((item) => item.membership_id).sort()).toEqual(
      [world.memberships.clientAdmin, world.memberships.staff, world.memberships.ungranted].sort(),
    );
  });

  it("reminds each reviewer at the start, 7 days and 1 day before the deadline, once each, and nobody with nothing pending", async () => {
    const clock = new TestClock("2027-02-01T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id]);
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);
    const key = (user: ActiveTestUser, stage: string) => `review:${run.id}:${user.id}:${stage}`;
    const reminders = async () =>
      (await remindersOf(run.id)).filter((k) =>
        [world.grantor, world.clientAdmin, world.superAdmin].some((u) => k.includes(u.id)),
      );

    expect(await reminders()).toEqual(
      [key(world.clientAdmin, "start"), key(world.grantor, "start"), key(world.superAdmin, "start")].sort(),
    );
    const email = await rawDb
      .prepare("SELECT subject, text_body, kind FROM outbox WHERE dedupe_key = ?")
      .bind(key(world.clientAdmin, "start"))
      .first<{ subject: string; text_body: string; kind: string }>();
    expect(email?.kind).toBe("access_review_reminder");
    expect(email?.subject).toContain("1 person's access to review");
    expect(email?.text_body).toContain(`/portal/${world.tenant.slug}/reviews`);
    // Nobody reviews themselves: the member of an item gets no reminder for it.
    expect((await remindersOf(run.id)).some((k) => k.includes(world.viewer.id))).toBe(false);

    // The grantor decides their one item: no more reminders for them.
    const decided = await decideReviewItems(testContext(clock, principalOf(clock, world.grantor)), {
      itemIds: [itemFor(await itemsOf(run.id), world.memberships.staff).id],
      decision: "keep",
      justification: "Still on the Acme project",
    });
    expect(decided.decided).toHaveLength(1);

    clock.set(new Date(run.deadline_at - 7 * dayMs));
    await runAccessReviews(testContext(clock));
    await runAccessReviews(testContext(clock));
    expect(await reminders()).toEqual(
      [
        key(world.clientAdmin, "start"),
        key(world.clientAdmin, "7d"),
        key(world.grantor, "start"),
        key(world.superAdmin, "start"),
        key(world.superAdmin, "7d"),
      ].sort(),
    );

    clock.set(new Date(run.deadline_at - dayMs + 60_000));
    await runAccessReviews(testContext(clock));
    expect((await reminders()).filter((k) => k.endsWith(":1d"))).toEqual(
      [key(world.clientAdmin, "1d"), key(world.superAdmin, "1d")].sort(),
    );

    // Past the deadline everything is decided: no reminder goes out after the finish.
    clock.set(new Date(run.deadline_at + 60_000));
    await runAccessReviews(testContext(clock));
    clock.set(new Date(run.deadline_at + 2 * dayMs));
    await runAccessReviews(testContext(clock));
    expect(await reminders()).toHaveLength(7);
  });

  it("sends only the latest stage after a skipped cron, never the stale one", async () => {
    const clock = new TestClock("2027-02-02T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id]);
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);

    // No cron between the opening and a day before the deadline.
    clock.set(new Date(run.deadline_at - dayMs + 1));
    await runAccessReviews(testContext(clock));

    const mine = (await remindersOf(run.id)).filter((k) => k.includes(world.clientAdmin.id));
    expect(mine).toEqual([
      `review:${run.id}:${world.clientAdmin.id}:1d`,
      `review:${run.id}:${world.clientAdmin.id}:start`,
    ]);
  });

  it("escapes the campaign's and the tenant's names in the reminder and the Super admins' email", async () => {
    const clock = new TestClock("2027-02-03T09:00:00Z");
    const hostile = `<img src=x onerror=alert(1)> "Q" & 'R'`;
    const world = await createWorld(clock);
    await rawDb.prepare("UPDATE tenants SET name = ? WHERE id = ?").bind(hostile, world.tenant.id).run();
    const campaign = await createTestCampaign(clock, [world.tenant.id], { name: hostile, membershipKinds: "client" });
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);
    clock.set(new Date(run.deadline_at));
    await runAccessReviews(testContext(clock));

    const mails = await rawDb
      .prepare("SELECT kind, subject, text_body, html_body FROM outbox WHERE dedupe_key IN (?, ?)")
      .bind(
        `review:${run.id}:${world.clientAdmin.id}:start`,
        `review:${run.id}:no-admin:${world.tenant.id}:${world.superAdmin.id}`,
      )
      .all<{ kind: string; subject: string; text_body: string; html_body: string }>();
    expect(mails.results.map((mail) => mail.kind).sort()).toEqual([
      "access_review_no_client_admin",
      "access_review_reminder",
    ]);
    for (const mail of mails.results) {
      expect(mail.text_body).toContain(hostile);
      expect(mail.html_body).not.toContain("<img");
      expect(mail.html_body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    }
  });

  it("revokes what is pending at the deadline as the campaign, closes the run, and the member loses access on the next request", async () => {
    const clock = new TestClock("2027-03-01T09:00:00Z");
    const app = createTestApp(clock);
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id]);
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);
    const items = await itemsOf(run.id);
    const liveMembership: LiveMembership = {
      id: world.memberships.clientAdmin,
      tenantId: world.tenant.id,
      tenantSlug: world.tenant.slug,
      tenantName: world.tenant.name,
      role: "CLIENT_ADMIN",
      expiresAt: null,
    };
    // Partial decisions: the client admin keeps the viewer, a Super admin revokes the operator.
    await decideReviewItems(testContext(clock, principalOf(clock, world.clientAdmin, [liveMembership])), {
      itemIds: [itemFor(items, world.memberships.viewer).id],
      decision: "keep",
      justification: "Runs our reporting",
    });
    await decideReviewItems(testContext(clock, principalOf(clock, world.superAdmin)), {
      itemIds: [itemFor(items, world.memberships.ungranted).id],
      decision: "revoke",
      justification: null,
    });
    clock.set(new Date(run.deadline_at - 5 * 60_000));
    const agent = await signInAs(app, clock, world.staff);
    const before = await agent.json("GET", "/api/v1/me");
    expect(((await before.json()) as { memberships: unknown[] }).memberships).toHaveLength(1);

    clock.set(new Date(run.deadline_at));
    const result = await runAccessReviews(testContext(clock));
    const repeated = await runAccessReviews(testContext(clock));

    expect(result.revokedAtDeadline).toBeGreaterThanOrEqual(2);
    expect(repeated.revokedAtDeadline).toBe(0);
    const after = await itemsOf(run.id);
    expect(itemFor(after, world.memberships.viewer)).toMatchObject({ status: "kept", decision_source: "reviewer" });
    expect(itemFor(after, world.memberships.ungranted)).toMatchObject({
      status: "revoked",
      decision_source: "reviewer",
    });
    for (const membershipId of [world.memberships.staff, world.memberships.clientAdmin]) {
      expect(itemFor(after, membershipId)).toMatchObject({
        status: "revoked",
        decision_source: "deadline",
        decided_at: run.deadline_at,
      });
      expect(await readMembership(membershipId)).toMatchObject({
        revoked_at: run.deadline_at,
        revoke_reason: "removed",
      });
      const events = await eventsOf("membership.revoked", membershipId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actor_kind: "service:access_review", actor_id: campaign.id });
      expect(JSON.parse(String(events[0]?.details))).toMatchObject({
        reviewItemId: itemFor(after, membershipId).id,
        runId: run.id,
        decidedBy: null,
        source: "deadline",
      });
    }
    const membershipRow = await rawDb
      .prepare("SELECT revoked_by FROM memberships WHERE id = ?")
      .bind(world.memberships.staff)
      .first<{ revoked_by: string | null }>();
    expect(membershipRow?.revoked_by).toBeNull();
    expect((await readMembership(world.memberships.viewer))?.revoked_at).toBeNull();
    const closed = await rawDb.prepare("SELECT closed_at FROM review_runs WHERE id = ?").bind(run.id).first();
    expect(closed).toEqual({ closed_at: run.deadline_at });
    const closing = await eventsOf("access_review.closed", run.id);
    expect(closing).toHaveLength(1);
    expect(JSON.parse(String(closing[0]?.details))).toEqual({
      kept: 1,
      revoked: 1,
      endedElsewhere: 0,
      keptAtDeadline: 0,
      revokedAtDeadline: 2,
    });
    const now = await agent.json("GET", "/api/v1/me");
    expect(((await now.json()) as { memberships: unknown[] }).memberships).toEqual([]);
  });

  it("flags the last client admin revoked at the deadline and tells every active Super admin once", async () => {
    const clock = new TestClock("2027-03-02T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id], { membershipKinds: "client" });
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);

    clock.set(new Date(run.deadline_at + 5 * 60_000));
    await runAccessReviews(testContext(clock));
    await runAccessReviews(testContext(clock));

    const items = await itemsOf(run.id);
    expect(itemFor(items, world.memberships.clientAdmin)).toMatchObject({
      status: "revoked",
      flag: "last_client_admin",
    });
    expect(itemFor(items, world.memberships.viewer)).toMatchObject({ status: "revoked", flag: null });
    const left = await eventsOf("access_review.tenant_left_without_admin", world.tenant.id);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ actor_kind: "service:access_review", tenant_id: world.tenant.id });
    const admins = await rawDb
      .prepare(
        "SELECT id FROM users WHERE role = 'SUPER_ADMIN' AND activated_at IS NOT NULL AND deactivated_at IS NULL AND erased_at IS NULL",
      )
      .all<{ id: string }>();
    const emails = await rawDb
      .prepare("SELECT dedupe_key, kind FROM outbox WHERE substr(dedupe_key, 1, ?) = ?")
      .bind(`review:${run.id}:no-admin:`.length, `review:${run.id}:no-admin:`)
      .all<{ dedupe_key: string; kind: string }>();
    expect(emails.results.map((row) => row.dedupe_key).sort()).toEqual(
      admins.results.map((admin) => `review:${run.id}:no-admin:${world.tenant.id}:${admin.id}`).sort(),
    );
    expect(emails.results.every((row) => row.kind === "access_review_no_client_admin")).toBe(true);
  });

  it("keeps and flags what is pending at a keep_flag deadline, without touching the memberships", async () => {
    const clock = new TestClock("2027-03-03T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id], { deadlineAction: "keep_flag" });
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);

    clock.set(new Date(run.deadline_at));
    const result = await runAccessReviews(testContext(clock));
    await runAccessReviews(testContext(clock));

    expect(result.keptAtDeadline).toBeGreaterThanOrEqual(4);
    const items = await itemsOf(run.id);
    for (const item of items) {
      expect(item).toMatchObject({ status: "kept", decision_source: "deadline", flag: "kept_at_deadline" });
      expect((await readMembership(item.membership_id))?.revoked_at).toBeNull();
      const events = await eventsOf("access_review.kept_at_deadline", item.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actor_kind: "service:access_review", actor_id: campaign.id });
    }
    const closing = await eventsOf("access_review.closed", run.id);
    expect(JSON.parse(String(closing[0]?.details))).toMatchObject({ keptAtDeadline: 4, revokedAtDeadline: 0 });
  });

  it("closes items whose membership ended elsewhere, and the run early once nothing is pending", async () => {
    const clock = new TestClock("2027-03-04T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id], { membershipKinds: "staff" });
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);
    const items = await itemsOf(run.id);

    clock.advanceSeconds(3600);
    await revokeMembership(testContext(clock), world.memberships.ungranted);
    await rawDb
      .prepare("UPDATE memberships SET expires_at = ? WHERE id = ?")
      .bind(clock.now().getTime(), world.memberships.staff)
      .run();
    clock.advanceSeconds(300);
    await runAccessReviews(testContext(clock));

    const after = await itemsOf(run.id);
    for (const item of items) {
      expect(itemFor(after, item.membership_id)).toMatchObject({
        status: "ended_elsewhere",
        decision_source: "membership_ended",
        decided_at: clock.now().getTime(),
      });
      expect(await eventsOf("membership.revoked", item.membership_id)).toHaveLength(
        item.membership_id === world.memberships.ungranted ? 1 : 0,
      );
    }
    const closed = await rawDb.prepare("SELECT closed_at FROM review_runs WHERE id = ?").bind(run.id).first();
    expect(closed).toEqual({ closed_at: clock.now().getTime() });
    expect(JSON.parse(String((await eventsOf("access_review.closed", run.id))[0]?.details))).toMatchObject({
      endedElsewhere: 2,
    });
  });

  it("hands the items of a reviewer who left to the Super admins while the review runs, once", async () => {
    const clock = new TestClock("2027-03-05T09:00:00Z");
    const world = await createWorld(clock);
    const secondAdmin = await createActiveUser(clock, { role: "CLIENT_USER" });
    await insertTestMembership(clock, {
      userId: secondAdmin.id,
      tenantId: world.tenant.id,
      role: "CLIENT_ADMIN",
      expiresAt: null,
    });
    const campaign = await createTestCampaign(clock, [world.tenant.id]);
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);
    const opened = await itemsOf(run.id);
    expect(itemFor(opened, world.memberships.staff).reviewer_key).toBe(`user:${world.grantor.id}`);
    expect(itemFor(opened, world.memberships.viewer).reviewer_key).toBe("client_admins");
    expect(itemFor(opened, world.memberships.clientAdmin).reviewer_key).toBe("client_admins");

    // The grantor is deactivated and the second client admin loses their membership: the viewer's
    // item still has the first client admin, the first client admin's own item has nobody left.
    clock.advanceSeconds(3600);
    await deactivateUser(testContext(clock), world.grantor.id);
    await rawDb
      .prepare("UPDATE memberships SET revoked_at = ?, revoke_reason = 'removed' WHERE user_id = ? AND tenant_id = ?")
      .bind(clock.now().getTime(), secondAdmin.id, world.tenant.id)
      .run();
    clock.advanceSeconds(300);
    const first = await runAccessReviews(testContext(clock));
    const again = await runAccessReviews(testContext(clock));

    const after = await itemsOf(run.id);
    expect(itemFor(after, world.memberships.staff).reviewer_key).toBe("super_admins");
    expect(itemFor(after, world.memberships.clientAdmin).reviewer_key).toBe("super_admins");
    expect(itemFor(after, world.memberships.viewer).reviewer_key).toBe("client_admins");
    expect(first.handedOver).toBe(2);
    expect(again.handedOver).toBe(0);
    const superAdmin = testContext(clock, principalOf(clock, world.superAdmin));
    const decided = await decideReviewItems(superAdmin, {
      itemIds: [itemFor(after, world.memberships.staff).id],
      decision: "keep",
      justification: "Still on the account.",
    });
    expect(decided.decided).toHaveLength(1);
  });

  it("ends an item elsewhere when its membership's role changed or the tenant's directory took the member over", async () => {
    const clock = new TestClock("2027-03-06T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id]);
    await runAccessReviews(testContext(clock));
    const run = await onlyRunOf(campaign.id);
    const items = await itemsOf(run.id);

    clock.advanceSeconds(3600);
    await rawDb
      .prepare("UPDATE memberships SET role = 'OPERATOR_FULL' WHERE id = ?")
      .bind(world.memberships.staff)
      .run();
    const directory = await createDirectory(testContext(clock), {
      scope: "tenant",
      tenantId: world.tenant.id,
      name: "Acme Okta",
    });
    await rawDb
      .prepare(
        "INSERT INTO directory_users (user_id, directory_id, user_name, user_name_key, attributes, created_at, updated_at) VALUES (?, ?, 'v', 'v', '{}', 0, 0)",
      )
      .bind(world.viewer.id, directory.directory.id)
      .run();
    // A reviewer's keep before the cron runs certifies nothing: the access is no longer what was asked about.
    const kept = await decideReviewItems(testContext(clock, principalOf(clock, world.grantor)), {
      itemIds: [itemFor(items, world.memberships.staff).id],
      decision: "keep",
      justification: "Still needed.",
    });
    expect(kept.decided).toEqual([]);
    expect(kept.endedElsewhere.map((item) => item.id)).toEqual([itemFor(items, world.memberships.staff).id]);
    await runAccessReviews(testContext(clock));

    const after = await itemsOf(run.id);
    expect(itemFor(after, world.memberships.staff)).toMatchObject({ status: "ended_elsewhere" });
    expect(itemFor(after, world.memberships.viewer)).toMatchObject({ status: "ended_elsewhere" });
    expect(itemFor(after, world.memberships.clientAdmin).status).toBe("pending");
  });

  it("opens one run for the latest scheduled time after skipped periods, and never two for one time", async () => {
    const clock = new TestClock("2027-04-01T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id], { durationDays: 1 });
    await runAccessReviews(testContext(clock));

    // The cron stops for seven months: two quarters are due, one run opens, for the later one.
    clock.set("2027-11-02T10:00:00Z");
    await Promise.all([runAccessReviews(testContext(clock)), runAccessReviews(testContext(clock))]);
    await runAccessReviews(testContext(clock));

    const runs = await runsOf(campaign.id);
    expect(runs.map((run) => new Date(run.due_at).toISOString())).toEqual([
      "2027-04-01T09:00:00.000Z",
      "2027-10-01T09:00:00.000Z",
    ]);
    const campaignRow = await rawDb
      .prepare("SELECT next_run_at FROM review_campaigns WHERE id = ?")
      .bind(campaign.id)
      .first<{ next_run_at: number }>();
    expect(campaignRow?.next_run_at).toBe(Date.parse("2028-01-01T09:00:00Z"));
    expect(await eventsOf("access_review.opened", (runs[1] as RunRow).id)).toHaveLength(1);
    // The first run ended at its deadline, once: its pending items were revoked a single time.
    expect(await eventsOf("membership.revoked", world.memberships.viewer)).toHaveLength(1);
    expect(await eventsOf("access_review.closed", (runs[0] as RunRow).id)).toHaveLength(1);
  });

  it("starts the next scheduled run now for a Super admin, once, and refuses anyone else or a stopped schedule", async () => {
    const clock = new TestClock("2027-05-01T09:00:00Z");
    const world = await createWorld(clock);
    const campaign = await createTestCampaign(clock, [world.tenant.id], {
      startsAt: "2027-06-01T09:00:00Z",
      membershipKinds: "client",
    });
    const superAdmin = testContext(clock, principalOf(clock, world.superAdmin));

    await expect(openRun(testContext(clock, principalOf(clock, world.grantor)), campaign.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const run = await openRun(superAdmin, campaign.id);
    await expect(openRun(superAdmin, "rvc_unknown")).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A second click while that review is open would open the next quarter's too: refused.
    await expect(openRun(superAdmin, campaign.id)).rejects.toMatchObject({
      code: "STATE_CONFLICT",
      detail: expect.stringContaining("still open"),
    });

    expect(run).toMatchObject({ dueAt: new Date("2027-06-01T09:00:00Z"), openedAt: clock.now(), itemCount: 2 });
    const opened = await eventsOf("access_review.opened", run.id);
    expect(opened[0]).toMatchObject({ actor_kind: "user", actor_id: world.superAdmin.id });
    // The cron at the scheduled time finds that run already open: the schedule moved past it.
    clock.set("2027-06-01T09:00:00Z");
    await runAccessReviews(testContext(clock));
    expect((await runsOf(campaign.id)).map((row) => row.id)).toEqual([run.id]);
    const stopped = await createTestCampaign(clock, [world.tenant.id], { cadence: "once" });
    await stopCampaign(testContext(clock), stopped.id);
    await expect(openRun(superAdmin, stopped.id)).rejects.toMatchObject({ code: "STATE_CONFLICT" });
  });

  it("opens a run of 10,000 items in bounded time and revokes them at the deadline in bounded rounds", async () => {
    const clock = new TestClock("2028-06-01T09:00:00Z");
    const tenant = await createTestTenant(clock, "Big Client");
    const admin = await createActiveUser(clock, { role: "CLIENT_USER" });
    await insertTestMembership(clock, { userId: admin.id, tenantId: tenant.id, role: "CLIENT_ADMIN", expiresAt: null });
    const count = 10_000;
    const at = clock.now().getTime();
    const userRows: string[] = [];
    const membershipRows: string[] = [];
    for (let index = 0; index < count; index++) {
      const userId = generateId("usr");
      userRows.push(
        `('${userId}', '${userId}@example.test', 'Bulk', 'Member', 'Bulk Member ${index}', 'CLIENT_USER', ${at}, ${at}, ${at})`,
      );
      membershipRows.push(`('${generateId("mbr")}', '${userId}', '${tenant.id}', 'CLIENT_VIEWER', ${at}, ${at})`);
    }
    const chunks = (rows: string[], head: string) =>
      Array.from({ length: Math.ceil(rows.length / 400) }, (_, chunk) =>
        rawDb.prepare(`${head} VALUES ${rows.slice(chunk * 400, chunk * 400 + 400).join(",")}`),
      );
    await rawDb.batch([
      ...chunks(
        userRows,
        "INSERT INTO users (id, email, first_name, last_name, display_name, role, created_at, updated_at, activated_at)",
      ),
      ...chunks(membershipRows, "INSERT INTO memberships (id, user_id, tenant_id, role, created_at, updated_at)"),
    ]);
    const campaign = await createTestCampaign(clock, [tenant.id], { cadence: "once" });

    const started = performance.now();
    await openDueRuns(testContext(clock));
    const openingMs = performance.now() - started;

    const run = await onlyRunOf(campaign.id);
    expect(run.item_count).toBe(count + 1);
    const keys = await rawDb
      .prepare("SELECT reviewer_key, count(*) AS n FROM review_items WHERE run_id = ? GROUP BY reviewer_key")
      .bind(run.id)
      .all<{ reviewer_key: string; n: number }>();
    expect(keys.results.sort((a, b) => a.n - b.n)).toEqual([
      { reviewer_key: "super_admins", n: 1 },
      { reviewer_key: "client_admins", n: count },
    ]);
    const firstCronStarted = performance.now();
    const reminded = await runAccessReviews(testContext(clock));
    const firstCronMs = performance.now() - firstCronStarted;
    const adminReminder = await rawDb
      .prepare("SELECT subject FROM outbox WHERE dedupe_key = ?")
      .bind(`review:${run.id}:${admin.id}:start`)
      .first<{ subject: string }>();
    expect(adminReminder?.subject).toContain("10,000 people's access to review");

    clock.set(new Date(run.deadline_at));
    const deadlineStarted = performance.now();
    const result = await runAccessReviews(testContext(clock));
    const deadlineMs = performance.now() - deadlineStarted;

    expect(result.revokedAtDeadline).toBeGreaterThanOrEqual(count + 1);
    expect(result.complete).toBe(true);
    const still = await rawDb
      .prepare("SELECT count(*) AS n FROM review_items WHERE run_id = ? AND status = 'pending'")
      .bind(run.id)
      .first<{ n: number }>();
    expect(still?.n).toBe(0);
    console.log(
      `access reviews, ${count + 1} items: opening ${Math.round(openingMs)} ms, first cron (reminders) ${Math.round(firstCronMs)} ms, deadline cron ${Math.round(deadlineMs)} ms`,
    );
    expect(reminded.reminders).toBeGreaterThanOrEqual(1);
    expect(openingMs).toBeLessThan(10_000);
    // Every round is bound to its own 500 ids: a statement that re-read all items revoked so far took 12 minutes here.
    expect(deadlineMs).toBeLessThan(60_000);
  }, 120_000);
});
