// Admin → Access reviews → one review (docs/ACCESS-REVIEWS.md): Super admins see its progress per
// tenant and per reviewer and every item; every other staff member sees only the items they review
// ("mine"). Decisions, per item or for the ticked items, go through decideReviewItems, which asks
// authorize() per item again: a form naming someone else's item decides nothing.
import { Hono } from "hono";
import type { ReviewRunFilters } from "../../../views/pages/admin/review-run-page";
import { ReviewRunPage } from "../../../views/pages/admin/review-run-page";
import type { ReviewItemStatus } from "../../db/schema";
import { authorize } from "../../domain/access";
import { decideItemSchema, decideReviewItem, decideReviewItems } from "../../domain/reviews/review-decisions";
import { listReviewItems, readRun } from "../../domain/reviews/review-items-read";
import { readRunProgress } from "../../domain/reviews/review-run-progress";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import { type FieldErrors, formValuesAsStrings, handleForm, readForm, readFormFields } from "../../http/forms";
import { toReviewItemViews } from "../portal/review-view-models";
import {
  bulkDecisionFields,
  bulkDecisionFormState,
  bulkDecisionInput,
  decisionMessage,
  oneDecisionFlash,
} from "../review-decision-forms";

export const reviewItemsPageSize = 50;
const statuses: ReadonlyArray<string> = ["pending", "kept", "revoked", "ended_elsewhere"];

/** `refusedForm`: a decision form shown again, which only the person's own list ("mine") holds. */
function readFilters(c: AppContext, superAdmin: boolean, refusedForm: boolean): ReviewRunFilters {
  const status = c.req.query("status") ?? "";
  const mine = !superAdmin || refusedForm || c.req.query("mine") === "1";
  return {
    tenantId: superAdmin ? (c.req.query("tenantId") ?? "").slice(0, 64) : "",
    // "Mine" lists what waits for the person unless they ask for another status.
    status: statuses.includes(status) ? (status as ReviewItemStatus) : mine && status === "" ? "pending" : "",
    mine,
  };
}

function pageHref(runId: string, filters: ReviewRunFilters, cursor: string | null): string | null {
  if (!cursor) return null;
  const query = new URLSearchParams({
    ...(filters.tenantId ? { tenantId: filters.tenantId } : {}),
    status: filters.status,
    cursor,
  });
  if (filters.mine) query.set("mine", "1");
  return `/admin/reviews/runs/${runId}?${query.toString()}`;
}

type RowForm = { formId: string; values: Record<string, string>; errors: FieldErrors; ticked?: readonly string[] };

/** The review's page; after a refused decision, the row (or the bulk form) shown again with its error. */
async function showRun(c: AppContext, form: RowForm | null = null) {
  const principal = currentPrincipal(c);
  const ctx = domainContext(c);
  const runId = c.req.param("runId") ?? "";
  const superAdmin = authorize(principal, { kind: "instance-admin" }).allowed;
  const progress = superAdmin ? await readRunProgress(ctx, runId) : null;
  const run = progress?.run ?? (superAdmin ? null : await readRun(ctx, runId));
  if (!run) throw new AppError("NOT_FOUND", { detail: "No access review has this id." });
  const filters = readFilters(c, superAdmin, form !== null);
  const page = await listReviewItems(ctx, {
    runId: run.id,
    tenantId: filters.tenantId || undefined,
    status: filters.status || undefined,
    scope: filters.mine ? { kind: "reviewer", principal } : { kind: "all" },
    cursor: c.req.query("cursor") || undefined,
    limit: reviewItemsPageSize,
  });
  // Someone with no item in the review (decided or not) learns nothing of it, not even its name.
  if (!superAdmin && page.items.length === 0 && !c.req.query("cursor")) {
    const any = await listReviewItems(ctx, { runId: run.id, scope: { kind: "reviewer", principal }, limit: 1 });
    if (any.items.length === 0) throw new AppError("NOT_FOUND", { detail: "No access review has this id." });
  }
  const deciding = filters.mine && filters.status === "pending" && run.closedAt === null;
  return c.render(
    <ReviewRunPage
      timeZone={principal.user.timeZone}
      run={run}
      campaignHref={superAdmin ? `/admin/reviews/${run.campaignId}` : null}
      progress={progress}
      filters={filters}
      decide={deciding ? { rows: toReviewItemViews(page.items), form } : null}
      items={page.items}
      nextPageHref={pageHref(run.id, filters, page.nextCursor)}
      flash={await takeFlash(c)}
    />,
    { title: run.name },
  );
}

function backToMine(c: AppContext) {
  return c.redirect(`/admin/reviews/runs/${c.req.param("runId") ?? ""}?mine=1#items-heading`, 303);
}

export const adminReviewRunRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "console" }))
  .get("/runs/:runId", (c) => showRun(c))
  .post("/runs/:runId/items/:itemId/decision", async (c) => {
    const itemId = c.req.param("itemId");
    const form = await readForm(c, decideItemSchema);
    return handleForm(c, form, {
      act: async (input) => {
        const item = await decideReviewItem(domainContext(c), itemId, input);
        await setFlash(c, oneDecisionFlash(item, { tenantName: item.tenantName }));
        return backToMine(c);
      },
      showAgain: (errors) => showRun(c, { formId: itemId, values: formValuesAsStrings(form.values), errors }),
    });
  })
  .post("/runs/:runId/decisions", async (c) => {
    const read = await readFormFields(c, bulkDecisionFields);
    return handleForm(c, read, {
      act: async (values) => {
        const result = await decideReviewItems(domainContext(c), bulkDecisionInput(values));
        await setFlash(c, { tone: "success", message: decisionMessage(result) });
        return backToMine(c);
      },
      showAgain: (errors) => showRun(c, bulkDecisionFormState(read.values, errors)),
    });
  });
