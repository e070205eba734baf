// Admin → Access reviews (docs/ACCESS-REVIEWS.md): every staff member's "Your reviews"; for Super
// admins, the campaigns (new, edit, stop, Start now). Campaigns are Super admin only whatever access
// groups grant: a campaign revokes memberships across tenants on its own authority. A review's page
// and its decisions are review-runs.tsx; its evidence review-evidence.ts.
import { Hono } from "hono";
import { formatCount } from "../../../views/format";
import { CampaignFormPage, type CampaignFormValues } from "../../../views/pages/admin/review-campaign-form-page";
import { ReviewCampaignPage } from "../../../views/pages/admin/review-campaign-page";
import { ReviewsPage } from "../../../views/pages/admin/reviews-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { authorize } from "../../domain/access";
import {
  createCampaign,
  createCampaignSchema,
  listCampaignsQuerySchema,
  type ReviewCampaignRow,
  readCampaign,
  selectCampaignsPage,
  stopCampaign,
  toCampaignsPage,
  updateCampaign,
  updateCampaignSchema,
} from "../../domain/reviews/review-campaigns";
import { selectOpenRunsFor } from "../../domain/reviews/review-items-read";
import { openRun } from "../../domain/reviews/review-runs";
import { listTenantChoices } from "../../domain/tenants/tenants";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import {
  type FieldErrors,
  type FormValues,
  formList,
  formValue,
  handleForm,
  parseFormInput,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { isoToLocalDateTime, localDateTimeToIso } from "../../http/time-input";

const forbiddenDetail =
  "Only a Super admin can manage access review campaigns: a campaign revokes access across tenants on its own authority.";
const superAdminOnly = requireAccess({ kind: "instance-admin" }, { forbiddenDetail });

const campaignForm = {
  fields: [
    "name",
    "tenantScope",
    "membershipKinds",
    "cadence",
    "startsAt",
    "durationDays",
    "clientSayOnStaff",
    "justificationRequired",
    "deadlineAction",
    "inactiveAfterDays",
  ],
  lists: ["tenantIds"],
} as const;

const emptyForm: CampaignFormValues = {
  name: "",
  tenantScope: "all",
  tenantIds: [],
  membershipKinds: "both",
  cadence: "half_yearly",
  startsAt: "",
  durationDays: "14",
  clientSayOnStaff: "none",
  justificationRequired: true,
  deadlineAction: "revoke",
  inactiveAfterDays: "30",
};

function typedValues(values: FormValues): CampaignFormValues {
  const text = (key: keyof CampaignFormValues) => formValue(values, key);
  return {
    name: text("name"),
    tenantScope: text("tenantScope"),
    tenantIds: formList(values, "tenantIds"),
    membershipKinds: text("membershipKinds"),
    cadence: text("cadence"),
    startsAt: text("startsAt"),
    durationDays: text("durationDays"),
    clientSayOnStaff: text("clientSayOnStaff"),
    justificationRequired: text("justificationRequired") === "yes",
    deadlineAction: text("deadlineAction"),
    inactiveAfterDays: text("inactiveAfterDays"),
  };
}

/** A whole number typed into a form, or the text itself (the schema then refuses it with its own words). */
function wholeNumber(value: string): number | string {
  return /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : value;
}

/** The form's values as the schema's input (times read in the viewer's zone). */
function campaignInput(typed: CampaignFormValues, timeZone: string) {
  const allTenants = typed.tenantScope !== "chosen";
  return {
    name: typed.name,
    allTenants,
    tenantIds: allTenants ? [] : typed.tenantIds,
    membershipKinds: typed.membershipKinds,
    cadence: typed.cadence,
    durationDays: wholeNumber(typed.durationDays),
    clientSayOnStaff: typed.clientSayOnStaff,
    justificationRequired: typed.justificationRequired,
    deadlineAction: typed.deadlineAction,
    inactiveAfterDays: wholeNumber(typed.inactiveAfterDays),
    startsAt: localDateTimeToIso(typed.startsAt, timeZone, "startsAt") ?? undefined,
  };
}

function toFormValues(details: { campaign: ReviewCampaignRow; tenants: Array<{ id: string }> }, timeZone: string) {
  const { campaign } = details;
  return {
    name: campaign.name,
    tenantScope: campaign.allTenants ? "all" : "chosen",
    tenantIds: details.tenants.map((tenant) => tenant.id),
    membershipKinds: campaign.membershipKinds,
    cadence: campaign.cadence,
    startsAt: isoToLocalDateTime(campaign.startsAt, timeZone),
    durationDays: String(campaign.durationDays),
    clientSayOnStaff: campaign.clientSayOnStaff,
    justificationRequired: campaign.justificationRequired,
    deadlineAction: campaign.deadlineAction,
    inactiveAfterDays: String(campaign.inactiveAfterDays),
  } satisfies CampaignFormValues;
}

async function loadCampaign(c: AppContext) {
  const details = await readCampaign(domainContext(c), c.req.param("campaignId") ?? "");
  if (!details) throw new AppError("NOT_FOUND", { detail: "No access review campaign has this id." });
  return details;
}

/** The new or edit form; `values` null: the campaign's own (an edit form's first view). */
async function showForm(
  c: AppContext,
  campaignId: string | null,
  values: CampaignFormValues | null,
  errors: FieldErrors,
) {
  const timeZone = currentPrincipal(c).user.timeZone;
  const details = campaignId && !values ? await loadCampaign(c) : null;
  const tenants = await listTenantChoices(domainContext(c));
  const shown = values ?? (details ? toFormValues(details, timeZone) : emptyForm);
  return c.render(
    <CampaignFormPage campaignId={campaignId} tenants={tenants} values={shown} errors={errors} timeZone={timeZone} />,
    { title: campaignId ? "Edit campaign" : "New access review campaign" },
  );
}

export const adminReviewRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "console" }))
  .get("/", async (c) => {
    const principal = currentPrincipal(c);
    const ctx = domainContext(c);
    const superAdmin = authorize(principal, { kind: "instance-admin" }).allowed;
    const query = listCampaignsQuerySchema.parse({ cursor: c.req.query("cursor") || undefined });
    // One batch: the open reviews with items for this person, and (Super admins) a page of campaigns.
    const openRunsQuery = selectOpenRunsFor(ctx.db, principal);
    const [openRuns, campaignRows] = superAdmin
      ? await ctx.db.batch([openRunsQuery, selectCampaignsPage(ctx.db, query)])
      : [await openRunsQuery, null];
    const campaigns = campaignRows ? toCampaignsPage(campaignRows, query.limit) : null;
    return c.render(
      <ReviewsPage
        timeZone={principal.user.timeZone}
        yourReviews={openRuns.map((row) => ({
          runId: row.run.id,
          name: row.run.name,
          deadlineAt: row.run.deadlineAt,
          pending: Number(row.toDecide),
        }))}
        campaigns={
          campaigns && {
            rows: campaigns.items,
            nextPageHref: campaigns.nextCursor ? `/admin/reviews?cursor=${campaigns.nextCursor}` : null,
          }
        }
        flash={await takeFlash(c)}
      />,
      { title: "Access reviews" },
    );
  })
  .get("/new", superAdminOnly, (c) => showForm(c, null, emptyForm, {}))
  .post("/", superAdminOnly, async (c) => {
    const form = await readFormFields(c, campaignForm);
    const typed = typedValues(form.values);
    const timeZone = currentPrincipal(c).user.timeZone;
    return handleForm(c, form, {
      act: async () => {
        const input = parseFormInput(createCampaignSchema, campaignInput(typed, timeZone));
        const campaign = await createCampaign(domainContext(c), input);
        await setFlash(c, {
          tone: "success",
          message: `The campaign “${campaign.name}” was created; its first review opens at the start time, or now with "Start now".`,
        });
        return c.redirect(`/admin/reviews/${campaign.id}`, 303);
      },
      showAgain: (errors) => showForm(c, null, typed, errors),
    });
  })
  .get("/:campaignId", superAdminOnly, async (c) => {
    const details = await loadCampaign(c);
    return c.render(
      <ReviewCampaignPage timeZone={currentPrincipal(c).user.timeZone} details={details} flash={await takeFlash(c)} />,
      { title: details.campaign.name },
    );
  })
  .get("/:campaignId/edit", superAdminOnly, (c) => showForm(c, c.req.param("campaignId"), null, {}))
  .post("/:campaignId/edit", superAdminOnly, async (c) => {
    const id = c.req.param("campaignId");
    const form = await readFormFields(c, campaignForm);
    const typed = typedValues(form.values);
    const timeZone = currentPrincipal(c).user.timeZone;
    return handleForm(c, form, {
      act: async () => {
        const input = parseFormInput(updateCampaignSchema, campaignInput(typed, timeZone));
        const campaign = await updateCampaign(domainContext(c), id, input);
        await setFlash(c, {
          tone: "success",
          message: `The campaign “${campaign.name}” was saved: the reviews that open from now on use its new settings.`,
        });
        return c.redirect(`/admin/reviews/${id}`, 303);
      },
      showAgain: (errors) => showForm(c, id, typed, errors),
    });
  })
  .get("/:campaignId/stop", superAdminOnly, async (c) => {
    const { campaign } = await loadCampaign(c);
    const title = `Stop the schedule of “${campaign.name}”?`;
    return c.render(
      <ConfirmPage
        title={title}
        message="No further review of this campaign opens. A review that is open runs on to its deadline, and every review's evidence stays. To review again later, create a new campaign."
        action={`/admin/reviews/${campaign.id}/stop`}
        confirmLabel="Stop schedule"
        cancelHref={`/admin/reviews/${campaign.id}`}
      />,
      { title },
    );
  })
  .post("/:campaignId/stop", superAdminOnly, async (c) => {
    await readFormValues(c, { fields: [] });
    const campaign = await stopCampaign(domainContext(c), c.req.param("campaignId"));
    await setFlash(c, {
      tone: "success",
      message: `The schedule of “${campaign.name}” is stopped: no further review opens.`,
    });
    return c.redirect(`/admin/reviews/${campaign.id}`, 303);
  })
  .post("/:campaignId/start", superAdminOnly, async (c) => {
    await readFormValues(c, { fields: [] });
    const run = await openRun(domainContext(c), c.req.param("campaignId"));
    await setFlash(c, {
      tone: "success",
      message: `The review “${run.name}” is open with ${formatCount(run.itemCount, "item", "items")}; the reviewers are emailed with the next cron run.`,
    });
    return c.redirect(`/admin/reviews/runs/${run.id}`, 303);
  });
