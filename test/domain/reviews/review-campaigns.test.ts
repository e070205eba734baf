// Access-review campaigns (review-campaigns.ts): the schedule the cron follows, and what a Super
// admin may define, change and stop. Runs and items are review-runs.ts's (test/jobs/access-reviews.test.ts).
import { describe, expect, it } from "vitest";
import { generateId } from "../../../src/auth/crypto";
import { createDbFromEnv } from "../../../src/db/connect";
import { reviewRuns } from "../../../src/db/schema";
import type { Actor } from "../../../src/domain/context";
import {
  createCampaign,
  createCampaignSchema,
  listCampaigns,
  readCampaign,
  stopCampaign,
  toCampaignDto,
  updateCampaign,
  updateCampaignSchema,
} from "../../../src/domain/reviews/review-campaigns";
import { nextScheduledTimes } from "../../../src/domain/reviews/review-schedule";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import { superAdminActor } from "../../helpers/directory-groups";
import { createTestTenant, testContext, testPrincipal } from "../../helpers/factories";
import { env, rawDb } from "../../helpers/store";

const at = (iso: string) => new Date(iso);

function campaignInput(overrides: Record<string, unknown> = {}) {
  return createCampaignSchema.parse({ name: "Quarterly review", allTenants: true, cadence: "quarterly", ...overrides });
}

async function auditEventsOf(campaignId: string) {
  const { results } = await rawDb
    .prepare("SELECT action, actor_id, target_label, details FROM audit_events WHERE target_id = ? ORDER BY id")
    .bind(campaignId)
    .all<{ action: string; actor_id: string | null; target_label: string; details: string }>();
  return results.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

async function insertRun(campaignId: string, dueAt: Date) {
  const id = generateId("rvr");
  await createDbFromEnv(env).insert(reviewRuns).values({
    id,
    campaignId,
    dueAt,
    openedAt: dueAt,
    deadlineAt: dueAt,
    name: "Quarterly review",
    membershipKinds: "both",
    clientSayOnStaff: "none",
    justificationRequired: true,
    deadlineAction: "revoke",
    inactiveAfterDays: 30,
    itemCount: 0,
    closedAt: dueAt,
  });
  return id;
}

describe("the schedule", () => {
  it("is due at the start and then moves to the next quarter", () => {
    const start = at("2027-01-31T09:00:00Z");
    expect(nextScheduledTimes("quarterly", start, start, start)).toEqual({
      dueAt: start,
      nextRunAt: at("2027-04-30T09:00:00Z"),
    });
  });

  it("counts each period from the start, so a month-end start does not drift to the 28th", () => {
    const start = at("2027-01-31T09:00:00Z");
    const now = at("2027-07-31T10:00:00Z");
    expect(nextScheduledTimes("quarterly", start, at("2027-07-31T09:00:00Z"), now)).toEqual({
      dueAt: at("2027-07-31T09:00:00Z"),
      nextRunAt: at("2027-10-31T09:00:00Z"),
    });
  });

  it("opens skipped periods once, as the latest scheduled time, and never one before nextRunAt", () => {
    const start = at("2027-01-01T00:00:00Z");
    // The cron stood still from February to mid-November: Apr, Jul and Oct were missed.
    expect(nextScheduledTimes("quarterly", start, at("2027-04-01T00:00:00Z"), at("2027-11-15T00:00:00Z"))).toEqual({
      dueAt: at("2027-10-01T00:00:00Z"),
      nextRunAt: at("2028-01-01T00:00:00Z"),
    });
    expect(nextScheduledTimes("half_yearly", start, at("2027-07-01T00:00:00Z"), at("2028-01-01T00:00:00Z"))).toEqual({
      dueAt: at("2028-01-01T00:00:00Z"),
      nextRunAt: at("2028-07-01T00:00:00Z"),
    });
    expect(nextScheduledTimes("yearly", start, start, at("2029-06-30T00:00:00Z"))).toEqual({
      dueAt: at("2029-01-01T00:00:00Z"),
      nextRunAt: at("2030-01-01T00:00:00Z"),
    });
  });

  it("runs a one-off once and then has no next time", () => {
    const start = at("2027-03-01T12:00:00Z");
    expect(nextScheduledTimes("once", start, start, at("2027-05-01T00:00:00Z"))).toEqual({
      dueAt: start,
      nextRunAt: null,
    });
  });

  it("has nothing due before nextRunAt, nor once the schedule has no next time", () => {
    const start = at("2027-03-01T12:00:00Z");
    expect(nextScheduledTimes("quarterly", start, start, at("2027-03-01T11:59:59Z"))).toEqual({
      dueAt: null,
      nextRunAt: start,
    });
    expect(nextScheduledTimes("quarterly", start, null, at("2028-01-01T00:00:00Z"))).toEqual({
      dueAt: null,
      nextRunAt: null,
    });
  });
});

describe("campaign settings", () => {
  it("fills in the documented defaults and refuses what is out of range", () => {
    expect(campaignInput()).toMatchObject({
      tenantIds: [],
      membershipKinds: "both",
      durationDays: 14,
      clientSayOnStaff: "none",
      justificationRequired: true,
      deadlineAction: "revoke",
      inactiveAfterDays: 30,
    });
    expect(campaignInput().startsAt).toBeUndefined();
    const refused = createCampaignSchema.safeParse({
      name: " ",
      allTenants: false,
      cadence: "monthly",
      durationDays: 91,
      inactiveAfterDays: 0,
    });
    expect(refused.success).toBe(false);
    const fields = refused.error?.issues.map((issue) => issue.path.join("."));
    expect(fields).toEqual(expect.arrayContaining(["name", "cadence", "durationDays", "inactiveAfterDays"]));
    const noTenant = createCampaignSchema.safeParse({ name: "Some", allTenants: false, cadence: "once" });
    expect(noTenant.error?.issues.map((issue) => issue.path.join("."))).toEqual(["tenantIds"]);
    const both = createCampaignSchema.safeParse({
      name: "Some",
      allTenants: true,
      tenantIds: ["ten_x"],
      cadence: "once",
    });
    expect(both.error?.issues.map((issue) => issue.path.join("."))).toEqual(["tenantIds"]);
    expect(updateCampaignSchema.safeParse({ extra: 1 }).success).toBe(false);
  });
});

describe("campaigns", () => {
  it("creates a campaign due at its start, with its tenants, audited with its settings", async () => {
    const clock = new TestClock("2027-02-01T09:00:00Z");
    const [acme, globex] = [await createTestTenant(clock, "Acme"), await createTestTenant(clock, "Globex")];
    const ctx = testContext(clock, superAdminActor(clock));
    const startsAt = at("2027-02-08T09:00:00Z");

    const campaign = await createCampaign(
      ctx,
      campaignInput({ allTenants: false, tenantIds: [acme.id, globex.id, acme.id], startsAt: startsAt.toISOString() }),
    );

    expect(campaign).toMatchObject({
      startsAt,
      nextRunAt: startsAt,
      stoppedAt: null,
      createdBy: "usr_super_admin_actor",
    });
    const details = await readCampaign(ctx, campaign.id);
    expect(details?.tenants.map((tenant) => tenant.id).sort()).toEqual([acme.id, globex.id].sort());
    expect(details?.runs).toEqual([]);
    const [event] = await auditEventsOf(campaign.id);
    expect(event).toMatchObject({ action: "access_review.campaign_created", actor_id: "usr_super_admin_actor" });
    expect(event?.details).toMatchObject({
      allTenants: false,
      tenantIds: [acme.id, globex.id].sort(),
      cadence: "quarterly",
      nextRunAt: startsAt.toISOString(),
    });
  });

  it("starts now when no start is given", async () => {
    const clock = new TestClock("2027-02-01T09:00:00Z");
    const campaign = await createCampaign(testContext(clock, superAdminActor(clock)), campaignInput());
    expect(campaign.nextRunAt).toEqual(clock.now());
  });

  it("refuses a tenant that does not exist, and anyone but a Super admin", async () => {
    const clock = new TestClock("2027-02-01T09:00:00Z");
    const ctx = testContext(clock, superAdminActor(clock));
    await expect(
      createCampaign(ctx, campaignInput({ allTenants: false, tenantIds: ["ten_missing"] })),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", fieldErrors: [{ field: "tenantIds" }] });
    const operator: Actor = { kind: "user", principal: testPrincipal(clock, "OPERATOR", ["users:create"]) };
    for (const actor of [operator, superAdminActor(clock, "CONTRACTOR")]) {
      await expect(createCampaign(testContext(clock, actor), campaignInput())).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    const campaign = await createCampaign(ctx, campaignInput());
    await expect(readCampaign(testContext(clock, operator), campaign.id)).rejects.toBeInstanceOf(AppError);
    await expect(stopCampaign(testContext(clock, operator), campaign.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("keeps a quarterly review shorter than a quarter, so one review ends before the next opens", async () => {
    const clock = new TestClock("2027-02-01T09:00:00Z");
    const ctx = testContext(clock, superAdminActor(clock));
    await expect(createCampaign(ctx, campaignInput({ cadence: "quarterly", durationDays: 61 }))).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fieldErrors: [{ field: "durationDays" }],
    });
    const halfYearly = await createCampaign(ctx, campaignInput({ cadence: "half_yearly", durationDays: 90 }));
    await expect(updateCampaign(ctx, halfYearly.id, { cadence: "quarterly" })).rejects.toMatchObject({
      fieldErrors: [{ field: "durationDays" }],
    });
  });

  it("moves the next run onto a new cadence after the latest run, and records what changed", async () => {
    const clock = new TestClock("2027-01-01T00:00:00Z");
    const ctx = testContext(clock, superAdminActor(clock));
    const campaign = await createCampaign(ctx, campaignInput());
    await insertRun(campaign.id, at("2027-01-01T00:00:00Z"));
    await rawDb
      .prepare("UPDATE review_campaigns SET next_run_at = ? WHERE id = ?")
      .bind(at("2027-04-01T00:00:00Z").getTime(), campaign.id)
      .run();
    clock.set("2027-02-10T00:00:00Z");

    const updated = await updateCampaign(testContext(clock, superAdminActor(clock)), campaign.id, {
      cadence: "yearly",
      durationDays: 30,
    });

    expect(updated).toMatchObject({ cadence: "yearly", durationDays: 30, nextRunAt: at("2028-01-01T00:00:00Z") });
    const events = await auditEventsOf(campaign.id);
    expect(events.at(-1)).toMatchObject({ action: "access_review.campaign_updated" });
    expect(events.at(-1)?.details.changed).toEqual(["cadence", "durationDays", "nextRunAt"]);
    const again = await updateCampaign(testContext(clock, superAdminActor(clock)), campaign.id, { cadence: "yearly" });
    expect(again.updatedAt).toEqual(updated.updatedAt);
    expect(await auditEventsOf(campaign.id)).toHaveLength(events.length);
  });

  it("keeps the schedule when other settings change, and replaces the chosen tenants", async () => {
    const clock = new TestClock("2027-01-01T00:00:00Z");
    const [acme, globex] = [await createTestTenant(clock, "Acme"), await createTestTenant(clock, "Globex")];
    const ctx = testContext(clock, superAdminActor(clock));
    const campaign = await createCampaign(ctx, campaignInput({ allTenants: false, tenantIds: [acme.id] }));

    const updated = await updateCampaign(ctx, campaign.id, { tenantIds: [globex.id], clientSayOnStaff: "binding" });

    expect(updated.nextRunAt).toEqual(campaign.nextRunAt);
    expect((await readCampaign(ctx, campaign.id))?.tenants.map((tenant) => tenant.id)).toEqual([globex.id]);
    expect(updated.tenantIds).toEqual([globex.id]);
    // The API's shape names the campaign's own tenants, whatever a caller passes beside a campaign that carries them.
    expect(toCampaignDto(updated, []).tenantIds).toEqual([globex.id]);
    await expect(updateCampaign(ctx, campaign.id, { allTenants: false, tenantIds: [] })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const everyone = await updateCampaign(ctx, campaign.id, { allTenants: true });
    expect(everyone.tenantIds).toEqual([]);
    expect((await readCampaign(ctx, campaign.id))?.tenants).toEqual([]);
    await expect(updateCampaign(ctx, campaign.id, { tenantIds: [acme.id] })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fieldErrors: [{ field: "tenantIds" }],
    });
  });

  it("refuses an update that raced a run's opening (the cron moved nextRunAt between its read and its write)", async () => {
    const clock = new TestClock("2027-01-01T00:00:00Z");
    const ctx = testContext(clock, superAdminActor(clock));
    const campaign = await createCampaign(ctx, campaignInput());
    const db = createDbFromEnv(env);
    let batches = 0;
    const racing = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== "batch") return Reflect.get(target, property, receiver);
        return async (statements: Parameters<typeof db.batch>[0]) => {
          batches += 1;
          if (batches === 2) {
            await rawDb
              .prepare("UPDATE review_campaigns SET next_run_at = ? WHERE id = ?")
              .bind(at("2027-04-01T00:00:00Z").getTime(), campaign.id)
              .run();
          }
          return target.batch(statements);
        };
      },
    });

    await expect(updateCampaign({ ...ctx, db: racing }, campaign.id, { cadence: "yearly" })).rejects.toMatchObject({
      code: "STATE_CONFLICT",
    });
    const row = await rawDb
      .prepare("SELECT cadence, next_run_at FROM review_campaigns WHERE id = ?")
      .bind(campaign.id)
      .first();
    expect(row).toEqual({ cadence: "quarterly", next_run_at: at("2027-04-01T00:00:00Z").getTime() });
  });

  it("stops the schedule once; a stopped campaign can no longer be changed", async () => {
    const clock = new TestClock("2027-01-01T00:00:00Z");
    const ctx = testContext(clock, superAdminActor(clock));
    const campaign = await createCampaign(ctx, campaignInput());

    const stopped = await stopCampaign(ctx, campaign.id);

    expect(stopped).toMatchObject({ stoppedAt: clock.now(), nextRunAt: null });
    await expect(stopCampaign(ctx, campaign.id)).rejects.toMatchObject({ code: "STATE_CONFLICT" });
    await expect(updateCampaign(ctx, campaign.id, { name: "Again" })).rejects.toMatchObject({ code: "STATE_CONFLICT" });
    expect((await auditEventsOf(campaign.id)).map((event) => event.action)).toEqual([
      "access_review.campaign_created",
      "access_review.campaign_stopped",
    ]);
    await expect(stopCampaign(ctx, "rvc_missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists campaigns newest first, page by page, and a campaign's runs newest first", async () => {
    const clock = new TestClock("2040-01-01T00:00:00Z");
    const [acme, globex] = [await createTestTenant(clock, "Acme"), await createTestTenant(clock, "Globex")];
    const chosen = { allTenants: false, tenantIds: [globex.id, acme.id] };
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      clock.advanceSeconds(60);
      const input = campaignInput(index === 0 ? chosen : {});
      ids.push((await createCampaign(testContext(clock, superAdminActor(clock)), input)).id);
    }
    const ctx = testContext(clock, superAdminActor(clock));

    const first = await listCampaigns(ctx, { limit: 2 });
    const second = await listCampaigns(ctx, { limit: 2, cursor: first.nextCursor ?? "" });

    expect(first.items.map((campaign) => [campaign.id, campaign.tenantIds])).toEqual([
      [ids[2], []],
      [ids[1], []],
    ]);
    expect(second.items[0]).toMatchObject({ id: ids[0], tenantIds: [acme.id, globex.id].sort() });
    const campaignId = ids[0] ?? "";
    const older = await insertRun(campaignId, at("2040-01-01T00:01:00Z"));
    const newer = await insertRun(campaignId, at("2040-04-01T00:01:00Z"));
    expect((await readCampaign(ctx, campaignId))?.runs.map((run) => [run.id, run.pendingCount])).toEqual([
      [newer, 0],
      [older, 0],
    ]);
    expect(await readCampaign(ctx, "rvc_missing")).toBeNull();
  });
});
