// A reviewer's decisions and a client's advice (review-decisions.ts), and the listing of what a person
// may review (review-items-read.ts), against runs and items seeded as rows: who reviews what is
// review-reviewers.ts's rule (test/jobs/access-reviews.test.ts); here the reviewer keys are given.
import { describe, expect, it } from "vitest";
import { generateId } from "../../../src/auth/crypto";
import { createDbFromEnv } from "../../../src/db/connect";
import { type GlobalRole, type MembershipRole, reviewItems, reviewRuns } from "../../../src/db/schema";
import { authorize, type Principal } from "../../../src/domain/access";
import type { Actor } from "../../../src/domain/context";
import { createCampaign, createCampaignSchema } from "../../../src/domain/reviews/review-campaigns";
import {
  adviseReviewItem,
  decideItemsSchema,
  decideReviewItem,
  decideReviewItems,
} from "../../../src/domain/reviews/review-decisions";
import {
  listOpenRunsFor,
  listReviewItems,
  type ReviewAccess,
  readReviewItem,
  readRunPage,
  readRunProgress,
  selectOpenRunsFor,
  selectReviewItemsPage,
} from "../../../src/domain/reviews/review-items-read";
import { campaignActor, revokeReviewItemsStatements } from "../../../src/domain/reviews/review-revocation";
import { TestClock } from "../../helpers/clock";
import { superAdminActor } from "../../helpers/directory-groups";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  inviteTestUser,
  readGroupPermissions,
  signInAs,
  testContext,
  testPrincipal,
} from "../../helpers/factories";
import { insertTestMembership, readMembership } from "../../helpers/memberships";
import { env, rawDb } from "../../helpers/store";

type Run = { id: string; campaignId: string; name: string };

async function seedRun(clock: TestClock, settings: { justificationRequired?: boolean } = {}): Promise<Run> {
  const ctx = testContext(clock, superAdminActor(clock));
  const campaign = await createCampaign(
    ctx,
    createCampaignSchema.parse({ name: "Q1 access review", allTenants: true, cadence: "quarterly" }),
  );
  const run = {
    id: generateId("rvr"),
    campaignId: campaign.id,
    dueAt: clock.now(),
    openedAt: clock.now(),
    deadlineAt: new Date(clock.now().getTime() + 14 * 86_400_000),
    name: "Q1 access review",
    membershipKinds: "both" as const,
    clientSayOnStaff: "advisory" as const,
    justificationRequired: settings.justificationRequired ?? true,
    deadlineAction: "revoke" as const,
    inactiveAfterDays: 30,
    itemCount: 0,
    closedAt: null,
  };
  await createDbFromEnv(env).insert(reviewRuns).values(run);
  return run;
}

/** A live membership (the member's own in the tenant, or a new one) and its pending item in the run, reviewed by `reviewerKey`. */
async function seedItem(
  clock: TestClock,
  run: Run,
  userId: string,
  tenantId: string,
  role: MembershipRole,
  reviewerKey: string,
  options: { expiresAt?: Date; clientMayAdvise?: boolean } = {},
) {
  const member = { userId, tenantId, role, expiresAt: options.expiresAt ?? null };
  const clientMayAdvise = options.clientMayAdvise ?? false;
  const existing = await rawDb
    .prepare("SELECT id FROM memberships WHERE user_id = ? AND tenant_id = ? AND revoked_at IS NULL")
    .bind(userId, tenantId)
    .first<{ id: string }>();
  const membershipId = existing?.id ?? (await insertTestMembership(clock, member));
  const id = generateId("rvi");
  await createDbFromEnv(env)
    .insert(reviewItems)
    .values({
      id,
      runId: run.id,
      tenantId: member.tenantId,
      membershipId,
      userId: member.userId,
      memberName: "Member",
      memberEmail: "member@example.test",
      membershipKind: member.role.startsWith("CLIENT") ? "client" : "staff",
      role: member.role,
      expiresAt: member.expiresAt,
      grantedBy: null,
      memberLastLoginAt: null,
      recommendRevoke: false,
      reviewerKey,
      clientMayAdvise,
      status: "pending",
    });
  return { id, membershipId };
}

/** The person as loadPrincipal would see them: their user row and their live memberships. */
async function principalOf(clock: TestClock, userId: string): Promise<Principal> {
  const user = await rawDb
    .prepare("SELECT email, first_name, last_name, display_name, role FROM users WHERE id = ?")
    .bind(userId)
    .first<{ email: string; first_name: string; last_name: string; display_name: string; role: GlobalRole }>();
  if (!user) throw new Error(`no user ${userId}`);
  const { results } = await rawDb
    .prepare(
      `SELECT m.id, m.tenant_id, t.slug, t.name, m.role FROM memberships AS m JOIN tenants AS t ON t.id = m.tenant_id
       WHERE m.user_id = ? AND m.revoked_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?)`,
    )
    .bind(userId, clock.now().getTime())
    .all<{ id: string; tenant_id: string; slug: string; name: string; role: MembershipRole }>();
  const base = testPrincipal(clock, user.role, await readGroupPermissions(userId));
  const names = { firstName: user.first_name, lastName: user.last_name, displayName: user.display_name };
  return {
    ...base,
    user: { ...base.user, id: userId, email: user.email, ...names },
    memberships: results.map((m) => ({
      id: m.id,
      tenantId: m.tenant_id,
      tenantSlug: m.slug,
      tenantName: m.name,
      role: m.role,
      expiresAt: null,
    })),
  };
}

async function actorOf(clock: TestClock, userId: string): Promise<Actor> {
  return { kind: "user", principal: await principalOf(clock, userId) };
}

async function invite(clock: TestClock, role: GlobalRole) {
  return (await inviteTestUser(clock, { role })).user.id;
}

async function readItem(id: string) {
  return rawDb
    .prepare(
      "SELECT status, decision_source, decided_by, decided_at, justification, flag, advice, advised_by FROM review_items WHERE id = ?",
    )
    .bind(id)
    .first<Record<string, unknown>>();
}

async function eventsAbout(targetId: string) {
  const { results } = await rawDb
    .prepare(
      "SELECT action, actor_kind, actor_id, tenant_id, details FROM audit_events WHERE target_id = ? ORDER BY id",
    )
    .bind(targetId)
    .all<{ action: string; actor_kind: string; actor_id: string | null; tenant_id: string; details: string }>();
  return results.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

/** Two tenants, each with a client admin; a Super admin; an operator who granted staff access. */
async function world(clock: TestClock, settings: { justificationRequired?: boolean } = {}) {
  const [acme, globex] = [await createTestTenant(clock, "Acme"), await createTestTenant(clock, "Globex")];
  const [acmeAdmin, globexAdmin, superAdmin, grantor, otherOperator] = [
    await invite(clock, "CLIENT_USER"),
    await invite(clock, "CLIENT_USER"),
    await invite(clock, "SUPER_ADMIN"),
    await invite(clock, "OPERATOR"),
    await invite(clock, "OPERATOR"),
  ];
  // The grantor may still end memberships, so reviews what they granted (access.ts#grantorReviewPermission).
  await grantPermissionsThroughGroup(grantor, ["memberships:create", "memberships:delete"]);
  await insertTestMembership(clock, { userId: acmeAdmin, tenantId: acme.id, role: "CLIENT_ADMIN", expiresAt: null });
  await insertTestMembership(clock, {
    userId: globexAdmin,
    tenantId: globex.id,
    role: "CLIENT_ADMIN",
    expiresAt: null,
  });
  const run = await seedRun(clock, settings);
  return { acme, globex, acmeAdmin, globexAdmin, superAdmin, grantor, otherOperator, run };
}

const keep = (itemIds: string[], justification?: string) =>
  decideItemsSchema.parse({ itemIds, decision: "keep", ...(justification ? { justification } : {}) });
const revoke = (itemIds: string[]) => decideItemsSchema.parse({ itemIds, decision: "revoke" });

describe("deciding review items", () => {
  it("lets a client admin decide only their own tenant's items, and a keep never extends the expiry", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const expiresAt = new Date("2027-06-30T00:00:00Z");
    const viewer = await invite(clock, "CLIENT_USER");
    const ours = await seedItem(clock, w.run, viewer, w.acme.id, "CLIENT_VIEWER", "client_admins", { expiresAt });
    const theirs = await seedItem(clock, w.run, viewer, w.globex.id, "CLIENT_VIEWER", "client_admins");
    const ctx = testContext(clock, await actorOf(clock, w.acmeAdmin));

    const result = await decideReviewItems(ctx, keep([ours.id, theirs.id], "Still runs our payroll."));

    expect(result.decided.map((item) => item.id)).toEqual([ours.id]);
    expect(result.skipped).toEqual([{ id: theirs.id, reason: "not_found", detail: "No such review item." }]);
    expect(await readItem(ours.id)).toMatchObject({
      status: "kept",
      decision_source: "reviewer",
      decided_by: w.acmeAdmin,
      decided_at: clock.now().getTime(),
      justification: "Still runs our payroll.",
    });
    expect(await readItem(theirs.id)).toMatchObject({ status: "pending", decided_by: null });
    expect(await readMembership(ours.membershipId)).toEqual({
      revoked_at: null,
      revoke_reason: null,
      expires_at: expiresAt.getTime(),
    });
    const [event, ...more] = await eventsAbout(ours.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      action: "access_review.item_decided",
      actor_kind: "user",
      actor_id: w.acmeAdmin,
      tenant_id: w.acme.id,
    });
    expect(event?.details).toEqual({
      runId: w.run.id,
      membershipId: ours.membershipId,
      userId: viewer,
      decision: "keep",
      justification: "Still runs our payroll.",
    });
  });

  it("lets nobody decide their own item, not even a Super admin", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const own = await seedItem(clock, w.run, w.superAdmin, w.acme.id, "OPERATOR_FULL", "super_admins");
    const adminsOwn = await seedItem(clock, w.run, w.acmeAdmin, w.acme.id, "CLIENT_ADMIN", "client_admins");

    const bySelf = await decideReviewItems(
      testContext(clock, await actorOf(clock, w.superAdmin)),
      keep([own.id], "Me."),
    );
    const byAdmin = testContext(clock, await actorOf(clock, w.acmeAdmin));

    expect(bySelf.skipped).toEqual([{ id: own.id, reason: "forbidden", detail: "This item is not yours to decide." }]);
    await expect(
      decideReviewItem(byAdmin, adminsOwn.id, { decision: "keep", justification: "Me." }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await readItem(own.id)).toMatchObject({ status: "pending" });
    expect(await readItem(adminsOwn.id)).toMatchObject({ status: "pending" });
  });

  it("lets the named staff reviewer decide, and no other operator", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const contractor = await invite(clock, "CONTRACTOR");
    const item = await seedItem(clock, w.run, contractor, w.acme.id, "OPERATOR_READONLY", `user:${w.grantor}`);

    const byOther = await decideReviewItems(
      testContext(clock, await actorOf(clock, w.otherOperator)),
      keep([item.id], "Fine."),
    );
    const byGrantor = await decideReviewItems(
      testContext(clock, await actorOf(clock, w.grantor)),
      keep([item.id], "Fine."),
    );

    expect(byOther.skipped.map((skip) => skip.reason)).toEqual(["not_found"]);
    expect(byGrantor.decided.map((decided) => decided.decidedBy)).toEqual([w.grantor]);
  });

  it("lets a grantor review only while they may still end memberships", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const contractor = await invite(clock, "CONTRACTOR");
    const item = await seedItem(clock, w.run, contractor, w.acme.id, "OPERATOR_READONLY", `user:${w.otherOperator}`);

    // otherOperator granted it but holds no access group: they may no longer end memberships.
    const refused = await decideReviewItems(
      testContext(clock, await actorOf(clock, w.otherOperator)),
      keep([item.id], "Fine."),
    );

    expect(refused.skipped.map((skip) => skip.reason)).toEqual(["not_found"]);
    expect(await readItem(item.id)).toMatchObject({ status: "pending" });
  });

  it("asks for a justification to keep when the run wants one, and takes a keep without one otherwise", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const strict = await world(clock);
    const viewer = await invite(clock, "CLIENT_USER");
    const item = await seedItem(clock, strict.run, viewer, strict.acme.id, "CLIENT_VIEWER", "client_admins");
    const ctx = testContext(clock, await actorOf(clock, strict.acmeAdmin));

    await expect(decideReviewItems(ctx, keep([item.id]))).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fieldErrors: [{ field: "justification" }],
    });
    expect(
      decideItemsSchema.safeParse({ itemIds: [item.id], decision: "keep", justification: "x".repeat(1001) }).success,
    ).toBe(false);
    const blank = ["", "  ", null].map((justification) =>
      decideItemsSchema.parse({ itemIds: [item.id], decision: "keep", justification }),
    );
    expect(blank.map((input) => input.justification)).toEqual([null, null, null]);
    const lax = await world(clock, { justificationRequired: false });
    const laxItem = await seedItem(clock, lax.run, viewer, lax.acme.id, "CLIENT_VIEWER", "client_admins");
    const kept = await decideReviewItems(testContext(clock, await actorOf(clock, lax.acmeAdmin)), keep([laxItem.id]));
    expect(kept.decided.map((decided) => [decided.status, decided.justification])).toEqual([["kept", null]]);
  });

  it("revokes as if removed by hand, by the campaign, while the decision is the reviewer's", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const operator = await invite(clock, "OPERATOR");
    const item = await seedItem(clock, w.run, operator, w.acme.id, "OPERATOR_FULL", "super_admins");

    const decided = await decideReviewItem(testContext(clock, await actorOf(clock, w.superAdmin)), item.id, {
      decision: "revoke",
      justification: null,
    });

    expect(decided).toMatchObject({
      status: "revoked",
      decisionSource: "reviewer",
      decidedBy: w.superAdmin,
      flag: null,
    });
    expect(await readMembership(item.membershipId)).toMatchObject({
      revoked_at: clock.now().getTime(),
      revoke_reason: "removed",
    });
    const revokedBy = await rawDb
      .prepare("SELECT revoked_by FROM memberships WHERE id = ?")
      .bind(item.membershipId)
      .first();
    expect(revokedBy).toEqual({ revoked_by: null });
    const [membershipEvent] = await eventsAbout(item.membershipId);
    expect(membershipEvent).toMatchObject({
      action: "membership.revoked",
      actor_kind: "service:access_review",
      actor_id: w.run.campaignId,
    });
    expect(membershipEvent?.details).toEqual({
      userId: operator,
      role: "OPERATOR_FULL",
      reviewItemId: item.id,
      runId: w.run.id,
      decidedBy: w.superAdmin,
      source: "reviewer",
    });
    expect(await eventsAbout(item.id)).toMatchObject([
      {
        action: "access_review.item_decided",
        actor_kind: "user",
        actor_id: w.superAdmin,
        details: { decision: "revoke", justification: null },
      },
    ]);
  });

  it("refuses the campaign on another run's items", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const other = await seedRun(clock);
    const viewer = await invite(clock, "CLIENT_USER");
    const item = await seedItem(clock, other, viewer, w.acme.id, "CLIENT_VIEWER", "client_admins");
    const facts = {
      runId: other.id,
      tenantId: w.acme.id,
      userId: viewer,
      reviewerKey: "client_admins",
      clientMayAdvise: false,
    };

    expect(authorize(campaignActor(w.run), { kind: "review-item", item: facts, access: "decide" })).toEqual({
      allowed: false,
      status: 403,
    });
    expect(authorize(campaignActor(other), { kind: "review-item", item: facts, access: "decide" })).toEqual({
      allowed: true,
    });
    expect(() =>
      revokeReviewItemsStatements(
        { ...testContext(clock), actor: campaignActor(w.run) },
        { runId: other.id, itemIds: [item.id], source: "reviewer", decidedBy: null },
      ),
    ).toThrow(/campaign/);
    expect(await readItem(item.id)).toMatchObject({ status: "pending" });
  });

  it("reports an item that is no longer pending as a conflict, and decides the rest of a bulk", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const [a, b] = [await invite(clock, "CLIENT_USER"), await invite(clock, "CLIENT_USER")];
    const first = await seedItem(clock, w.run, a, w.acme.id, "CLIENT_VIEWER", "client_admins");
    const second = await seedItem(clock, w.run, b, w.acme.id, "CLIENT_VIEWER", "client_admins");
    const ctx = testContext(clock, await actorOf(clock, w.acmeAdmin));
    await decideReviewItem(ctx, first.id, { decision: "keep", justification: "Needed." });

    await expect(decideReviewItem(ctx, first.id, { decision: "revoke", justification: null })).rejects.toMatchObject({
      code: "STATE_CONFLICT",
    });
    const bulk = await decideReviewItems(ctx, revoke([first.id, second.id]));

    expect(bulk.decided.map((item) => item.id)).toEqual([second.id]);
    expect(bulk.skipped).toEqual([{ id: first.id, reason: "not_pending", detail: "This item was already decided." }]);
    expect(await readItem(first.id)).toMatchObject({ status: "kept" });
    expect(await readMembership(first.membershipId)).toMatchObject({ revoked_at: null });
  });

  it("refuses decisions and advice once the deadline has passed, before the cron has run", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const member = await invite(clock, "CLIENT_USER");
    const item = await seedItem(clock, w.run, member, w.acme.id, "CLIENT_VIEWER", "client_admins");
    clock.advanceSeconds(14 * 86_400);
    const ctx = testContext(clock, await actorOf(clock, w.acmeAdmin));

    await expect(decideReviewItem(ctx, item.id, { decision: "keep", justification: "Needed." })).rejects.toMatchObject({
      code: "STATE_CONFLICT",
    });
    const bulk = await decideReviewItems(ctx, revoke([item.id]));

    expect(bulk.decided).toEqual([]);
    expect(bulk.skipped).toEqual([
      {
        id: item.id,
        reason: "deadline_passed",
        detail: "The review's deadline has passed: what was still pending is handled as the review says.",
      },
    ]);
    expect(await readItem(item.id)).toMatchObject({ status: "pending" });
    expect(await readMembership(item.membershipId)).toMatchObject({ revoked_at: null });
  });

  it("revokes in bulk across two runs, each run's campaign acting for its own items", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const other = await seedRun(clock);
    const [a, b] = [await invite(clock, "CLIENT_USER"), await invite(clock, "CLIENT_USER")];
    const first = await seedItem(clock, w.run, a, w.acme.id, "CLIENT_VIEWER", "client_admins");
    const second = await seedItem(clock, other, b, w.acme.id, "CLIENT_VIEWER", "client_admins");

    const result = await decideReviewItems(
      testContext(clock, await actorOf(clock, w.acmeAdmin)),
      revoke([first.id, second.id]),
    );

    expect(result.decided.map((item) => [item.id, item.status]).sort()).toEqual(
      [
        [first.id, "revoked"],
        [second.id, "revoked"],
      ].sort(),
    );
    const actors = [
      (await eventsAbout(first.membershipId))[0]?.actor_id,
      (await eventsAbout(second.membershipId))[0]?.actor_id,
    ];
    expect(actors).toEqual([w.run.campaignId, other.campaignId]);
  });

  it("closes an item whose membership ended meanwhile as ended elsewhere, and tells the reviewer", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const viewer = await invite(clock, "CLIENT_USER");
    const item = await seedItem(clock, w.run, viewer, w.acme.id, "CLIENT_VIEWER", "client_admins");
    await rawDb
      .prepare("UPDATE memberships SET revoked_at = ?, revoke_reason = 'removed' WHERE id = ?")
      .bind(clock.now().getTime(), item.membershipId)
      .run();
    clock.advanceSeconds(60);

    const result = await decideReviewItems(testContext(clock, await actorOf(clock, w.acmeAdmin)), revoke([item.id]));

    expect(result.decided).toEqual([]);
    expect(result.endedElsewhere.map((ended) => [ended.id, ended.status, ended.decisionSource])).toEqual([
      [item.id, "ended_elsewhere", "membership_ended"],
    ]);
    expect(await readItem(item.id)).toMatchObject({ decided_by: null, decided_at: clock.now().getTime() });
    expect(await eventsAbout(item.id)).toEqual([]);
  });

  it("flags the revocation of a tenant's last client admin and emails the Super admins", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const activeSuperAdmin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const lone = await createTestTenant(clock, "Lone");
    const item = await seedItem(clock, w.run, w.globexAdmin, lone.id, "CLIENT_ADMIN", "super_admins");

    const result = await decideReviewItems(testContext(clock, await actorOf(clock, w.superAdmin)), revoke([item.id]));

    expect(result.decided.map((decided) => decided.flag)).toEqual(["last_client_admin"]);
    const tenantEvents = (await eventsAbout(lone.id)).filter((event) => event.action !== "tenant.created");
    expect(tenantEvents.map((event) => [event.action, event.actor_kind])).toEqual([
      ["access_review.tenant_left_without_admin", "service:access_review"],
    ]);
    const email = await rawDb
      .prepare("SELECT user_id FROM outbox WHERE dedupe_key = ?")
      .bind(`review:${w.run.id}:no-admin:${lone.id}:${activeSuperAdmin.id}`)
      .first();
    expect(email).toEqual({ user_id: activeSuperAdmin.id });
  });

  it("ends a revoked member's access on their next request", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const app = createTestApp(clock);
    const member = await createActiveUser(clock, { role: "CLIENT_USER" });
    const item = await seedItem(clock, w.run, member.id, w.acme.id, "CLIENT_VIEWER", "client_admins");
    const agent = await signInAs(app, clock, member);
    expect((await agent.get(`/portal/${w.acme.slug}`)).status).toBe(200);

    await decideReviewItems(testContext(clock, await actorOf(clock, w.acmeAdmin)), revoke([item.id]));

    expect((await agent.get(`/portal/${w.acme.slug}`)).status).toBe(404);
  });
});

describe("advice from the client", () => {
  it("is given once, on a staff item the run opens to the tenant's client admins, and changes nothing else", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const operator = await invite(clock, "OPERATOR");
    const item = await seedItem(clock, w.run, operator, w.acme.id, "OPERATOR_FULL", "super_admins", {
      clientMayAdvise: true,
    });
    const closed = await seedItem(clock, w.run, operator, w.globex.id, "OPERATOR_FULL", "super_admins");
    const ctx = testContext(clock, await actorOf(clock, w.acmeAdmin));

    const advised = await adviseReviewItem(ctx, item.id, { advice: "revoke", justification: "Left the project." });

    expect(advised).toMatchObject({ advice: "revoke", advisedBy: w.acmeAdmin, status: "pending" });
    expect(await readItem(item.id)).toMatchObject({ status: "pending", advice: "revoke", advised_by: w.acmeAdmin });
    expect(await readMembership(item.membershipId)).toMatchObject({ revoked_at: null });
    expect((await eventsAbout(item.id)).map((event) => [event.action, event.details.advice])).toEqual([
      ["access_review.advice_given", "revoke"],
    ]);
    await expect(adviseReviewItem(ctx, item.id, { advice: "keep", justification: "Sorry." })).rejects.toMatchObject({
      code: "STATE_CONFLICT",
    });
    const globexCtx = testContext(clock, await actorOf(clock, w.globexAdmin));
    await expect(adviseReviewItem(globexCtx, item.id, { advice: "keep", justification: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(adviseReviewItem(globexCtx, closed.id, { advice: "keep", justification: "x" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(decideReviewItem(ctx, item.id, { decision: "revoke", justification: null })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("what a person may review", () => {
  it("lists exactly the items authorize() lets each person decide or advise on", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const [viewer, operator] = [await invite(clock, "CLIENT_USER"), await invite(clock, "OPERATOR")];
    const seeded = [
      await seedItem(clock, w.run, viewer, w.acme.id, "CLIENT_VIEWER", "client_admins"),
      await seedItem(clock, w.run, viewer, w.globex.id, "CLIENT_VIEWER", "client_admins"),
      await seedItem(clock, w.run, w.acmeAdmin, w.acme.id, "CLIENT_ADMIN", "client_admins"),
      await seedItem(clock, w.run, operator, w.acme.id, "OPERATOR_FULL", "super_admins", { clientMayAdvise: true }),
      await seedItem(clock, w.run, operator, w.globex.id, "OPERATOR_READONLY", `user:${w.grantor}`),
      await seedItem(clock, w.run, w.superAdmin, w.globex.id, "OPERATOR_FULL", "super_admins"),
      await seedItem(clock, w.run, w.grantor, w.acme.id, "OPERATOR_FULL", `user:${w.grantor}`),
    ];
    const items = await listReviewItems(testContext(clock, superAdminActor(clock)), {
      runId: w.run.id,
      scope: { kind: "all" },
      limit: 100,
    });
    expect(items.items.map((item) => item.id).sort()).toEqual(seeded.map((item) => item.id).sort());

    for (const userId of [w.acmeAdmin, w.globexAdmin, w.superAdmin, w.grantor, w.otherOperator, viewer]) {
      const principal = await principalOf(clock, userId);
      const ctx = testContext(clock, { kind: "user", principal });
      for (const access of ["decide", "advise", "any"] as ReviewAccess[]) {
        const listed = await listReviewItems(ctx, {
          runId: w.run.id,
          scope: { kind: "reviewer", principal, access },
          limit: 100,
        });
        const allowed = items.items.filter((item) => {
          const asked = access === "any" ? (["decide", "advise"] as const) : [access];
          return asked.some((one) => authorize(principal, { kind: "review-item", item, access: one }).allowed);
        });
        expect(listed.items.map((item) => item.id).sort(), `${userId} ${access}`).toEqual(
          allowed.map((item) => item.id).sort(),
        );
      }
    }
    await expect(
      listReviewItems(testContext(clock, await actorOf(clock, w.grantor)), { scope: { kind: "all" }, limit: 10 }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("pages a run's items in a stable order with a cursor", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    for (let index = 0; index < 5; index++) {
      const viewer = await invite(clock, "CLIENT_USER");
      await seedItem(clock, w.run, viewer, w.acme.id, "CLIENT_VIEWER", "client_admins");
    }
    const ctx = testContext(clock, superAdminActor(clock));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listReviewItems(ctx, { runId: w.run.id, scope: { kind: "all" }, limit: 2, cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    await expect(listReviewItems(ctx, { scope: { kind: "all" }, limit: 2, cursor: "bogus" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });

  it("counts a run's progress per tenant and per reviewer, and each person's open runs", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const w = await world(clock);
    const [viewer, operator] = [await invite(clock, "CLIENT_USER"), await invite(clock, "OPERATOR")];
    const a = await seedItem(clock, w.run, viewer, w.acme.id, "CLIENT_VIEWER", "client_admins");
    await seedItem(clock, w.run, viewer, w.globex.id, "CLIENT_VIEWER", "client_admins");
    await seedItem(clock, w.run, operator, w.acme.id, "OPERATOR_FULL", `user:${w.grantor}`, { clientMayAdvise: true });
    await decideReviewItems(testContext(clock, await actorOf(clock, w.acmeAdmin)), keep([a.id], "Yes."));

    const progress = await readRunProgress(testContext(clock, superAdminActor(clock)), w.run.id);

    expect(progress?.totals).toEqual({ pending: 2, kept: 1, revoked: 0, ended_elsewhere: 0, total: 3 });
    expect(progress?.byTenant.map((row) => [row.tenantName, row.counts.pending, row.counts.kept])).toEqual([
      ["Acme", 1, 1],
      ["Globex", 1, 0],
    ]);
    expect(progress?.byReviewer.map((row) => [row.reviewerName ?? row.reviewerKey, row.counts.total])).toEqual([
      ["Test Person", 1],
      ["client_admins", 2],
    ]);
    const runPage = await readRunPage(
      testContext(clock, superAdminActor(clock)),
      w.run.id,
      {
        status: "pending",
        scope: { kind: "all" },
        limit: 10,
      },
      { progress: true },
    );
    expect(runPage?.progress).toEqual(progress);
    expect(runPage?.items.items.map((item) => item.status)).toEqual(["pending", "pending"]);
    const grantorPage = await readRunPage(
      testContext(clock, await actorOf(clock, w.grantor)),
      w.run.id,
      {
        scope: { kind: "reviewer", principal: await principalOf(clock, w.grantor) },
        limit: 10,
      },
      { progress: false },
    );
    expect(grantorPage?.items.items.map((item) => item.reviewerKey)).toEqual([`user:${w.grantor}`]);
    expect(grantorPage?.progress).toBeNull();
    const acmeRuns = await listOpenRunsFor(testContext(clock), await principalOf(clock, w.acmeAdmin));
    expect(acmeRuns.filter((row) => row.run.id === w.run.id).map((row) => [row.toDecide, row.toAdvise])).toEqual([
      [0, 1],
    ]);
    const grantorRuns = await listOpenRunsFor(testContext(clock), await principalOf(clock, w.grantor));
    expect(grantorRuns.filter((row) => row.run.id === w.run.id).map((row) => [row.toDecide, row.toAdvise])).toEqual([
      [1, 0],
    ]);
    await expect(readRunProgress(testContext(clock, await actorOf(clock, w.grantor)), w.run.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(readReviewItem(testContext(clock, await actorOf(clock, w.globexAdmin)), a.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await readReviewItem(testContext(clock, await actorOf(clock, w.acmeAdmin)), a.id)).tenantName).toBe("Acme");
  });
});

async function explain(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
  const { sql, params } = query.toSQL();
  const plan = await rawDb
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return plan.results.map((row) => row.detail).join(" | ");
}

describe("reading a person's reviews", () => {
  it("searches a run's reviewer and tenant indexes, never scanning the items", async () => {
    const clock = new TestClock("2027-05-03T09:00:00Z");
    const ctx = testContext(clock, superAdminActor(clock));
    const operator = testPrincipal(clock, "OPERATOR", ["memberships:delete"]);
    const clientAdmin = {
      ...testPrincipal(clock, "CLIENT_USER"),
      memberships: [
        {
          id: "m",
          tenantId: "ten_a",
          tenantSlug: "a",
          tenantName: "A",
          role: "CLIENT_ADMIN" as const,
          expiresAt: null,
        },
      ],
    };
    const page = (principal: Principal, access: ReviewAccess) =>
      selectReviewItemsPage(ctx, {
        runId: "rvr_x",
        status: "pending",
        scope: { kind: "reviewer", principal, access },
        limit: 50,
      });

    const plans = {
      operatorItems: await explain(page(operator, "decide")),
      clientItems: await explain(page(clientAdmin, "any")),
      operatorRuns: await explain(selectOpenRunsFor(ctx.db, operator)),
      clientRuns: await explain(selectOpenRunsFor(ctx.db, clientAdmin)),
    };

    expect(plans.operatorItems).toMatch(
      /SEARCH review_items USING INDEX review_items_run_reviewer_idx \(run_id=\? AND reviewer_key=\? AND status=\?\)/,
    );
    expect(plans.clientItems).toMatch(
      /SEARCH review_items USING INDEX review_items_run_tenant_idx \(run_id=\? AND tenant_id=\? AND status=\?\)/,
    );
    expect(plans.operatorRuns).toMatch(/SEARCH review_items USING INDEX review_items_run_reviewer_idx/);
    expect(plans.clientRuns).toMatch(/SEARCH review_items USING INDEX review_items_run_tenant_idx/);
    expect(Object.values(plans).join(" | ")).not.toMatch(/SCAN review_items/);
  });
});
