// Admin → Memberships (docs/PRODUCT.md §3): the list with filters, and every membership action. The
// list, a user's Memberships tab and a tenant's settings page post here and name themselves in
// `returnTo`: a success redirects there, a refusal shows that page again with the refused form as
// typed and the error next to its field.
import { Hono } from "hono";
import { JobHealthLine } from "../../../views/components/job-health";
import { MembershipsPage } from "../../../views/pages/admin/memberships-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { membershipRoles } from "../../db/schema";
import { hasPermission, type Permission } from "../../domain/access";
import {
  changeMembership,
  changeMembershipSchema,
  extendMembership,
  grantMembershipSchema,
  grantMembershipTo,
  revokeMembership,
} from "../../domain/memberships/memberships";
import {
  findMembershipWithParties,
  listMembershipsQuerySchema,
  readMembershipsPage,
} from "../../domain/memberships/memberships-read";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import {
  collectFieldErrors,
  type FieldErrors,
  type FormValues,
  formRefusal,
  formValue,
  formValuesAsStrings,
  handleForm,
  parseFormInput,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { sanitizeNextPath } from "../../http/navigation";
import { noticeFor } from "../../http/notices";
import { localDateTimeToIso } from "../../http/time-input";
import { showTenantSettings } from "./tenants";
import { showUserMemberships } from "./user-tabs";
import { type MembershipFormsShownAgain, membershipFormProps, membershipTableProps } from "./view-models";

const listPath = "/admin/memberships";
const filterKeys = ["tenantId", "userEmail", "role", "expiringWithinDays"] as const;

function returnPath(values: FormValues | Record<string, string | undefined>): string {
  return sanitizeNextPath(typeof values.returnTo === "string" ? values.returnTo : undefined) ?? listPath;
}

function withNotice(path: string, notice: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}notice=${notice}`;
}

// The fields each form posts here (views/components/membership-form.tsx and membership-table.tsx).
const addFields = { fields: ["returnTo", "userId", "userEmail", "tenantId", "role", "expiresAt"] };
const changeFields = { fields: ["returnTo", "role", "expiresAt"] };
const extendFields = { fields: ["returnTo", "days"] };
const returnOnlyFields = { fields: ["returnTo"] };

function expiryFromForm(values: FormValues, timeZone: string): string | null {
  return localDateTimeToIso(formValue(values, "expiresAt"), timeZone, "expiresAt");
}

/** Admin → Memberships with the filters of `params` (the page's own query, or a form's returnTo). */
async function showMembershipsList(c: AppContext, params: URLSearchParams, shownAgain: MembershipFormsShownAgain = {}) {
  const principal = currentPrincipal(c);
  const filters = Object.fromEntries(filterKeys.map((key) => [key, params.get(key) ?? ""])) as Record<
    (typeof filterKeys)[number],
    string
  >;
  const parsed = listMembershipsQuerySchema.safeParse({
    ...Object.fromEntries(filterKeys.map((key) => [key, filters[key] || undefined])),
    cursor: params.get("cursor") || undefined,
  });
  const { page, tenants, health } = await readMembershipsPage(domainContext(c), parsed.success ? parsed.data : null);
  const filterQuery = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ""));
  const next = new URLSearchParams(filterQuery);
  if (page.nextCursor) next.set("cursor", page.nextCursor);
  const returnTo = `${listPath}?${filterQuery.toString()}`;
  // A refusal shown again keeps its own status; filters that are not valid are the page's own 400.
  if (!parsed.success && !shownAgain.add && !shownAgain.row) c.status(400);
  return c.render(
    <MembershipsPage
      filters={filters}
      tenants={tenants}
      roles={membershipRoles}
      health={<JobHealthLine health={health} timeZone={principal.user.timeZone} />}
      table={membershipTableProps(principal, page.items, c.get("now"), {
        show: { user: true, tenant: true },
        returnTo,
        caption: "Active memberships",
        refused: shownAgain.row,
      })}
      nextPageHref={page.nextCursor ? `${listPath}?${next.toString()}` : null}
      form={
        hasPermission(principal, "memberships:create")
          ? membershipFormProps(
              principal,
              { action: listPath, returnTo, fixed: {}, tenants, userEmail: true, roleOptions: membershipRoles },
              shownAgain.add,
            )
          : null
      }
      notice={noticeFor(params.get("notice") ?? undefined)}
      filterError={
        parsed.success
          ? undefined
          : `These filters are not valid: ${Object.values(collectFieldErrors(parsed.error)).join(" ")}`
      }
    />,
    { title: "Memberships" },
  );
}

/** The pages that post membership forms, the permissions their own routes require, and how to show each again. */
const originPages: Array<{
  path: RegExp;
  needs: Permission[];
  show: (c: AppContext, match: string, url: URL, shownAgain: MembershipFormsShownAgain) => Promise<Response>;
}> = [
  {
    path: /^\/admin\/users\/([^/]+)\/memberships$/,
    needs: ["users:read", "memberships:read"],
    show: (c, userId, _url, shownAgain) => showUserMemberships(c, userId, shownAgain),
  },
  {
    path: /^\/admin\/tenants\/([^/]+)$/,
    needs: ["tenants:read"],
    show: (c, slug, url, shownAgain) =>
      showTenantSettings(c, slug, shownAgain, url.searchParams.get("cursor") || undefined),
  },
  {
    path: /^\/admin\/memberships$/,
    needs: ["memberships:read"],
    show: (c, _match, url, shownAgain) => showMembershipsList(c, url.searchParams, shownAgain),
  },
];

/**
 * The page a refused membership form came from (its returnTo), shown again with the form as typed
 * and the errors next to its fields. A caller who may not see that page gets the refusal on the
 * error page instead: showing it again must not reveal what its own route would not.
 */
function showOriginAgain(c: AppContext, values: FormValues, shownAgain: MembershipFormsShownAgain, refusal: AppError) {
  const url = new URL(returnPath(values), "https://gatehouse.invalid");
  const principal = currentPrincipal(c);
  for (const origin of originPages) {
    const match = origin.path.exec(url.pathname);
    if (!match) continue;
    if (!origin.needs.every((permission) => hasPermission(principal, permission))) throw refusal;
    return origin.show(c, match[1] ?? "", url, shownAgain);
  }
  if (!hasPermission(principal, "memberships:read")) throw refusal;
  return showMembershipsList(c, new URLSearchParams(), shownAgain);
}

/** The refusal itself, for the error page, whether the form did not parse or the domain refused it. */
function refusalOf(errors: FieldErrors, refusal: AppError | null): AppError {
  return refusal ?? formRefusal(errors);
}

export const adminMembershipRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "memberships:read" }), (c) =>
    showMembershipsList(c, new URL(c.req.url).searchParams),
  )
  .post("/", requireAccess({ kind: "console", permission: "memberships:create" }), async (c) => {
    const timeZone = currentPrincipal(c).user.timeZone;
    const form = await readFormFields(c, addFields);
    return handleForm(c, form, {
      act: async (values) => {
        const input = parseFormInput(grantMembershipSchema.omit({ userId: true }), {
          tenantId: formValue(values, "tenantId"),
          role: formValue(values, "role"),
          expiresAt: expiryFromForm(values, timeZone),
        });
        // The tab of a user posts their id; the memberships and tenant pages post an email.
        const userId = formValue(values, "userId");
        await grantMembershipTo(
          domainContext(c),
          userId ? { id: userId } : { email: formValue(values, "userEmail") },
          input,
        );
        return c.redirect(withNotice(returnPath(values), "membership-added"), 303);
      },
      showAgain: (errors, refusal) =>
        showOriginAgain(
          c,
          form.values,
          { add: { values: formValuesAsStrings(form.values), errors } },
          refusalOf(errors, refusal),
        ),
    });
  })
  .post("/:id", requireAccess({ kind: "console", permission: "memberships:update" }), async (c) => {
    const timeZone = currentPrincipal(c).user.timeZone;
    const form = await readFormFields(c, changeFields);
    return handleForm(c, form, {
      act: async (values) => {
        const changes = parseFormInput(changeMembershipSchema, {
          role: formValue(values, "role"),
          expiresAt: expiryFromForm(values, timeZone),
        });
        await changeMembership(domainContext(c), c.req.param("id"), changes);
        return c.redirect(withNotice(returnPath(values), "membership-updated"), 303);
      },
      showAgain: (errors, refusal) => {
        const values = { role: formValue(form.values, "role"), expiresAt: formValue(form.values, "expiresAt") };
        return showOriginAgain(
          c,
          form.values,
          { row: { id: c.req.param("id"), values, errors } },
          refusalOf(errors, refusal),
        );
      },
    });
  })
  .post("/:id/extend", requireAccess({ kind: "console", permission: "memberships:update" }), async (c) => {
    const form = await readFormFields(c, extendFields);
    return handleForm(c, form, {
      act: async (values) => {
        const days = Number(formValue(values, "days"));
        if (days !== 30 && days !== 90) throw formRefusal({ days: "Extend by 30 or 90 days." });
        await extendMembership(domainContext(c), c.req.param("id"), days);
        return c.redirect(withNotice(returnPath(values), "membership-extended"), 303);
      },
      // Whatever refused it, the message goes next to the extend buttons.
      showAgain: (errors, refusal) =>
        showOriginAgain(
          c,
          form.values,
          { row: { id: c.req.param("id"), values: {}, errors: { days: Object.values(errors).join(" ") } } },
          refusalOf(errors, refusal),
        ),
    });
  })
  .get("/:id/remove", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    const found = await findMembershipWithParties(domainContext(c), c.req.param("id"));
    if (!found || found.membership.revokedAt) throw new AppError("NOT_FOUND");
    const backHref = returnPath({ returnTo: c.req.query("returnTo") });
    return c.render(
      <ConfirmPage
        title="Remove this membership?"
        message={`${found.userName} (${found.userEmail}) loses ${found.membership.role} access to ${found.tenantName} on their next request. The membership stays on record as revoked.`}
        action={`/admin/memberships/${found.membership.id}/remove`}
        confirmLabel="Remove membership"
        cancelHref={backHref}
        hiddenFields={{ returnTo: backHref }}
      />,
      { title: "Remove this membership?" },
    );
  })
  .post("/:id/remove", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    const values = await readFormValues(c, returnOnlyFields);
    await revokeMembership(domainContext(c), c.req.param("id"));
    return c.redirect(withNotice(returnPath(values), "membership-removed"), 303);
  });
