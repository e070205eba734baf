// /api/v1/access-reviews, /access-review-runs and /access-review-items (docs/API.md "Access reviews",
// docs/ACCESS-REVIEWS.md): campaigns for SUPER_ADMINs, and each person's review items, decided or
// advised on under the same authorize() requirement (review-item) as the console and the portal.
// The domain asserts both again: SUPER_ADMIN for campaigns, the item's reviewer for every decision.
import { Hono } from "hono";
import * as z from "zod";
import { reviewItemStatuses } from "../../../db/schema";
import {
  createCampaign,
  createCampaignSchema,
  listCampaigns,
  listCampaignsQuerySchema,
  readCampaign,
  stopCampaign,
  toCampaignDto,
  updateCampaign,
  updateCampaignSchema,
} from "../../../domain/reviews/review-campaigns";
import {
  adviseItemSchema,
  adviseReviewItem,
  decideItemSchema,
  decideItemsSchema,
  decideReviewItem,
  decideReviewItems,
} from "../../../domain/reviews/review-decisions";
import {
  listReviewItems,
  readReviewItem,
  readRunProgress,
  toReviewItemDto,
  toReviewRunDto,
} from "../../../domain/reviews/review-items-read";
import { openRun } from "../../../domain/reviews/review-runs";
import { AppError } from "../../../errors";
import { currentPrincipal, requireAccess } from "../../../http/access";
import { jsonBody, queryParams } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

const superAdminOnly = requireAccess(
  { kind: "instance-admin" },
  { forbiddenDetail: "Only a Super admin can manage access reviews." },
);
const signedIn = requireAccess({ kind: "self" });

export const accessReviewsApi = new Hono<AppEnv>()
  .get("/", superAdminOnly, queryParams(listCampaignsQuerySchema), async (c) => {
    const page = await listCampaigns(domainContext(c), c.req.valid("query"));
    return c.json({ items: page.items.map((campaign) => toCampaignDto(campaign)), nextCursor: page.nextCursor });
  })
  .post("/", superAdminOnly, jsonBody(createCampaignSchema), async (c) => {
    const input = c.req.valid("json");
    const campaign = await createCampaign(domainContext(c), input);
    return c.json({ campaign: toCampaignDto(campaign, input.tenantIds) }, 201);
  })
  .get("/:id", superAdminOnly, async (c) => {
    const found = await readCampaign(domainContext(c), c.req.param("id"));
    if (!found) throw new AppError("NOT_FOUND", { detail: "No such access review campaign." });
    return c.json({
      campaign: toCampaignDto(
        found.campaign,
        found.tenants.map((tenant) => tenant.id),
      ),
      tenants: found.tenants,
      runs: found.runs.map((run) => ({ ...toReviewRunDto(run), pendingCount: run.pendingCount })),
    });
  })
  .patch("/:id", superAdminOnly, jsonBody(updateCampaignSchema), async (c) => {
    const input = c.req.valid("json");
    const campaign = await updateCampaign(domainContext(c), c.req.param("id"), input);
    return c.json({ campaign: toCampaignDto(campaign, input.tenantIds ?? []) });
  })
  .post("/:id/stop", superAdminOnly, async (c) =>
    c.json({ campaign: toCampaignDto(await stopCampaign(domainContext(c), c.req.param("id"))) }),
  )
  .post("/:id/start", superAdminOnly, async (c) => {
    const run = await openRun(domainContext(c), c.req.param("id"));
    return c.json({ run: toReviewRunDto(run) }, 201);
  });

export const accessReviewRunsApi = new Hono<AppEnv>().get("/:runId", superAdminOnly, async (c) => {
  const progress = await readRunProgress(domainContext(c), c.req.param("runId"));
  if (!progress) throw new AppError("NOT_FOUND", { detail: "No such access review." });
  const { run, ...counts } = progress;
  return c.json({ run: toReviewRunDto(run), progress: counts });
});

const listItemsQuerySchema = z.strictObject({
  runId: z.string().trim().min(1).max(64).optional(),
  tenantId: z.string().trim().min(1).max(64).optional(),
  status: z.enum(reviewItemStatuses).optional(),
  scope: z.enum(["mine", "all"]).default("mine"),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const accessReviewItemsApi = new Hono<AppEnv>()
  .get("/", signedIn, queryParams(listItemsQuerySchema), async (c) => {
    const { scope, ...query } = c.req.valid("query");
    const page = await listReviewItems(domainContext(c), {
      ...query,
      scope: scope === "all" ? { kind: "all" } : { kind: "reviewer", principal: currentPrincipal(c), access: "any" },
    });
    return c.json({ items: page.items.map(toReviewItemDto), nextCursor: page.nextCursor });
  })
  .post("/decisions", signedIn, jsonBody(decideItemsSchema), async (c) => {
    const result = await decideReviewItems(domainContext(c), c.req.valid("json"));
    return c.json({
      decided: result.decided.map(toReviewItemDto),
      endedElsewhere: result.endedElsewhere.map(toReviewItemDto),
      skipped: result.skipped,
    });
  })
  .get("/:id", signedIn, async (c) =>
    c.json({ item: toReviewItemDto(await readReviewItem(domainContext(c), c.req.param("id"))) }),
  )
  .post("/:id/decision", signedIn, jsonBody(decideItemSchema), async (c) => {
    const item = await decideReviewItem(domainContext(c), c.req.param("id"), c.req.valid("json"));
    return c.json({ item: toReviewItemDto(item) });
  })
  .post("/:id/advice", signedIn, jsonBody(adviseItemSchema), async (c) => {
    const item = await adviseReviewItem(domainContext(c), c.req.param("id"), c.req.valid("json"));
    return c.json({ item: toReviewItemDto(item) });
  });
