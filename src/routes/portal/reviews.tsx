// /portal/:slug/reviews (docs/ACCESS-REVIEWS.md): a client admin's access review of their company.
// The tenant's CLIENT_ADMINs only (a viewer 403, anyone else 404, as the portal answers); what each
// of them may decide or advise on is the domain's reviewableBy, and every decision asks authorize()
// per item again (review-decisions.ts), so a form naming another company's item decides nothing.
import { Hono } from "hono";
import type { ReviewFormState } from "../../../views/pages/portal/portal-reviews-page";
import { PortalReviewsPage } from "../../../views/pages/portal/portal-reviews-page";
import type { Requirement } from "../../domain/access";
import {
  adviseItemSchema,
  adviseReviewItem,
  decideItemSchema,
  decideReviewItem,
  decideReviewItems,
} from "../../domain/reviews/review-decisions";
import { selectReviewItemsPage, toReviewItemsPage } from "../../domain/reviews/review-items-read";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import { formValuesAsStrings, handleForm, readForm, readFormFields } from "../../http/forms";
import {
  bulkDecisionFields,
  bulkDecisionFormState,
  bulkDecisionInput,
  decisionMessage,
  oneDecisionFlash,
} from "../review-decision-forms";
import { nextReviewsHref, toReviewItemViews } from "./review-view-models";

export const portalReviewsPageSize = 50;

const reviewAccess = requireAccess(
  (c): Requirement => ({ kind: "portal", tenant: { slug: c.req.param("slug") ?? "" }, access: "manage-clients" }),
);

function tenantOf(c: AppContext) {
  const slug = c.req.param("slug") ?? "";
  const membership = currentPrincipal(c).memberships.find((m) => m.tenantSlug === slug);
  if (!membership) throw new AppError("NOT_FOUND");
  return { id: membership.tenantId, name: membership.tenantName, slug };
}

/** The page: the items to decide and those to advise on, pending, in one batch. */
async function showReviews(c: AppContext, form: ReviewFormState | null = null) {
  const principal = currentPrincipal(c);
  const tenant = tenantOf(c);
  const ctx = domainContext(c);
  const query = (access: "decide" | "advise", cursor: string | undefined) =>
    selectReviewItemsPage(ctx, {
      tenantId: tenant.id,
      status: "pending",
      scope: { kind: "reviewer", principal, access },
      cursor,
      limit: portalReviewsPageSize,
    });
  const [decideRows, adviseRows] = await ctx.db.batch([
    query("decide", c.req.query("decide")),
    query("advise", c.req.query("advise")),
  ]);
  const toDecide = toReviewItemsPage(decideRows, portalReviewsPageSize);
  const toAdvise = toReviewItemsPage(adviseRows, portalReviewsPageSize);
  const path = `/portal/${tenant.slug}/reviews`;
  return c.render(
    <PortalReviewsPage
      tenant={tenant}
      timeZone={principal.user.timeZone}
      toDecide={toReviewItemViews(toDecide.items)}
      toDecideMoreHref={nextReviewsHref(path, "decide", toDecide.nextCursor)}
      toAdvise={toReviewItemViews(toAdvise.items)}
      toAdviseMoreHref={nextReviewsHref(path, "advise", toAdvise.nextCursor)}
      form={form}
      flash={await takeFlash(c)}
    />,
    { title: `Access review: ${tenant.name}` },
  );
}

function backToReviews(c: AppContext) {
  return c.redirect(`/portal/${c.req.param("slug") ?? ""}/reviews`, 303);
}

export const portalReviewRoutes = new Hono<AppEnv>()
  .get("/", reviewAccess, (c) => showReviews(c))
  .post("/items/:itemId/decision", reviewAccess, async (c) => {
    const itemId = c.req.param("itemId");
    const form = await readForm(c, decideItemSchema);
    return handleForm(c, form, {
      act: async (input) => {
        const item = await decideReviewItem(domainContext(c), itemId, input);
        await setFlash(c, oneDecisionFlash(item, { tenantName: tenantOf(c).name }));
        return backToReviews(c);
      },
      showAgain: (errors) => showReviews(c, { formId: itemId, values: formValuesAsStrings(form.values), errors }),
    });
  })
  .post("/decisions", reviewAccess, async (c) => {
    const read = await readFormFields(c, bulkDecisionFields);
    return handleForm(c, read, {
      act: async (values) => {
        const result = await decideReviewItems(domainContext(c), bulkDecisionInput(values));
        await setFlash(c, { message: decisionMessage(result, { tenantName: tenantOf(c).name }), tone: "success" });
        return backToReviews(c);
      },
      showAgain: (errors) => showReviews(c, bulkDecisionFormState(read.values, errors)),
    });
  })
  .post("/items/:itemId/advice", reviewAccess, async (c) => {
    const itemId = c.req.param("itemId");
    const form = await readForm(c, adviseItemSchema);
    return handleForm(c, form, {
      act: async (input) => {
        const item = await adviseReviewItem(domainContext(c), itemId, input);
        await setFlash(c, {
          message: `Your advice on ${item.memberName}'s access was recorded.`,
          tone: "success",
        });
        return backToReviews(c);
      },
      showAgain: (errors) => showReviews(c, { formId: itemId, values: formValuesAsStrings(form.values), errors }),
    });
  });
