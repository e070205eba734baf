// Admin → Memberships (docs/PRODUCT.md §3): the list with filters, and every membership action; the user tab
// and the tenant page post here too and come back through `returnTo`.
import { Hono } from "hono";
import { JobHealthLine } from "../../../views/components/job-health";
import { AddMembershipPage, MembershipsPage } from "../../../views/pages/admin/memberships-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { MessagePage } from "../../../views/pages/message-page";
import { membershipRoles } from "../../db/schema";
import { hasPermission } from "../../domain/access";
import {
  changeMembership,
  changeMembershipSchema,
  extendMembership,
  grantMembershipSchema,
  grantMembershipTo,
  revokeMembership,
} from "../../domain/memberships/memberships";
import { findMembershipWithParties, listMembershipsQuerySchema, readMembershipsPage } from "../../domain/memberships/memberships-read";
import { listTenantChoices } from "../../domain/tenants/tenants";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import {
  collectFieldErrors,
  type FieldErrors,
  type FormValues,
  fieldErrorsOf,
  formValue,
  formValuesAsStrings,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { layoutProps, sanitizeNextPath } from "../../http/navigation";
import { noticeFor } from "../../http/notices";
import { renderPage } from "../../http/render";
import { localDateTimeToIso } from "../../http/time-input";
import { membershipTableProps } from "./user-page-support";

const listPath = "/admin/memberships";

function returnPath(values: FormValues | Record<string, string | undefined>): string {
  return sanitizeNextPath(typeof values.returnTo === "string" ? values.returnTo : undefined) ?? listPath;
}

function withNotice(path: string, notice: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}notice=${notice}`;
}

// The fields each form posts here (views/components/membership-form.tsx and membership-table.tsx).
const addFields = { fields: ["returnTo", "userId", "userEmail", "tenantId", "role", "expiresAt"] };
const changeFields = { fields: ["returnTo", "role", "expiresAt"] };
const returnOnlyFields = { fields: ["returnTo"] };

function expiryFromForm(values: FormValues, timeZone: string): string | null {
  return localDateTimeToIso(formValue(values, "expiresAt"), timeZone, "expiresAt");
}

async function renderAddRefused(c: AppContext, values: FormValues, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const flat = formValuesAsStrings(values);
  const fixedUserId = formValue(values, "userId");
  return renderPage(
    c,
    <AddMembershipPage
      {...layoutProps(c, principal)}
      backHref={returnPath(values)}
      form={{
        action: listPath,
        returnTo: returnPath(values),
        fixed: fixedUserId ? { userId: fixedUserId } : {},
        tenants: await listTenantChoices(domainContext(c)),
        userEmail: !fixedUserId,
        roleOptions: membershipRoles,
        values: flat,
        errors,
        timeZone: principal.user.timeZone,
      }}
    />,
    400,
  );
}

function renderActionRefused(c: AppContext, error: unknown, backHref: string) {
  if (!(error instanceof AppError) || error.status >= 500 || error.status === 401 || error.status === 404) throw error;
  const principal = currentPrincipal(c);
  const message = error.fieldErrors.map((e) => e.message).join(" ") || error.detail || error.title;
  return renderPage(
    c,
    <MessagePage {...layoutProps(c, principal)} title="The membership was not changed" message={message}>
      <p>
        <a href={backHref}>← Back</a>
      </p>
    </MessagePage>,
    error.status as 400,
  );
}

export const adminMembershipRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "memberships:read" }), async (c) => {
    const principal = currentPrincipal(c);
    const raw = c.req.query();
    const filters = {
      tenantId: raw.tenantId ?? "",
      userEmail: raw.userEmail ?? "",
      role: raw.role ?? "",
      expiringWithinDays: raw.expiringWithinDays ?? "",
    };
    const parsed = listMembershipsQuerySchema.safeParse({
      tenantId: filters.tenantId || undefined,
      userEmail: filters.userEmail || undefined,
      role: filters.role || undefined,
      expiringWithinDays: filters.expiringWithinDays || undefined,
      cursor: raw.cursor || undefined,
    });
    const { page, tenants, health } = await readMembershipsPage(domainContext(c), parsed.success ? parsed.data : null);
    const next = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ""));
    if (page.nextCursor) next.set("cursor", page.nextCursor);
    const returnTo = `${listPath}?${new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== "")).toString()}`;
    return renderPage(
      c,
      <MembershipsPage
        {...layoutProps(c, principal)}
        filters={filters}
        tenants={tenants}
        health={<JobHealthLine health={health} timeZone={principal.user.timeZone} />}
        table={membershipTableProps(principal, page.items, c.get("now"), {
          show: { user: true, tenant: true },
          returnTo,
          caption: "Active memberships",
        })}
        nextPageHref={page.nextCursor ? `${listPath}?${next.toString()}` : null}
        form={
          hasPermission(principal, "memberships:create")
            ? {
                action: listPath,
                returnTo,
                fixed: {},
                tenants,
                userEmail: true,
                roleOptions: membershipRoles,
                values: {},
                errors: {},
                timeZone: principal.user.timeZone,
              }
            : null
        }
        notice={noticeFor(raw.notice)}
        filterError={
          parsed.success ? undefined : `These filters are not valid: ${Object.values(collectFieldErrors(parsed.error)).join(" ")}`
        }
      />,
      parsed.success ? 200 : 400,
    );
  })
  .post("/", requireAccess({ kind: "console", permission: "memberships:create" }), async (c) => {
    const principal = currentPrincipal(c);
    const { values, errors } = await readFormFields(c, addFields);
    if (errors.form) return renderAddRefused(c, values, errors);
    const userId = formValue(values, "userId");
    try {
      const parsed = grantMembershipSchema.omit({ userId: true }).safeParse({
        tenantId: formValue(values, "tenantId"),
        role: formValue(values, "role"),
        expiresAt: expiryFromForm(values, principal.user.timeZone),
      });
      if (!parsed.success) return renderAddRefused(c, values, collectFieldErrors(parsed.error));
      // The tab of a user posts their id; the memberships and tenant pages post an email.
      await grantMembershipTo(domainContext(c), userId ? { id: userId } : { email: formValue(values, "userEmail") }, parsed.data);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 401) throw error;
      return renderAddRefused(c, values, fieldErrorsOf(error));
    }
    return c.redirect(withNotice(returnPath(values), "membership-added"), 303);
  })
  .post("/:id", requireAccess({ kind: "console", permission: "memberships:update" }), async (c) => {
    const principal = currentPrincipal(c);
    const values = await readFormValues(c, changeFields);
    try {
      const parsed = changeMembershipSchema.safeParse({
        role: formValue(values, "role"),
        expiresAt: expiryFromForm(values, principal.user.timeZone),
      });
      if (!parsed.success)
        throw new AppError("VALIDATION_FAILED", {
          fieldErrors: Object.entries(collectFieldErrors(parsed.error)).map(([field, message]) => ({ field, message })),
        });
      await changeMembership(domainContext(c), c.req.param("id"), parsed.data);
    } catch (error) {
      return renderActionRefused(c, error, returnPath(values));
    }
    return c.redirect(withNotice(returnPath(values), "membership-updated"), 303);
  })
  .post("/:id/extend", requireAccess({ kind: "console", permission: "memberships:update" }), async (c) => {
    const values = await readFormValues(c, { fields: ["returnTo", "days"] });
    const days = Number(formValue(values, "days"));
    try {
      if (days !== 30 && days !== 90) throw new AppError("VALIDATION_FAILED", { detail: "Extend by 30 or 90 days." });
      await extendMembership(domainContext(c), c.req.param("id"), days);
    } catch (error) {
      return renderActionRefused(c, error, returnPath(values));
    }
    return c.redirect(withNotice(returnPath(values), "membership-extended"), 303);
  })
  .get("/:id/remove", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    const found = await findMembershipWithParties(domainContext(c), c.req.param("id"));
    if (!found || found.membership.revokedAt) throw new AppError("NOT_FOUND");
    const backHref = returnPath({ returnTo: c.req.query("returnTo") });
    return renderPage(
      c,
      <ConfirmPage
        {...layoutProps(c, currentPrincipal(c))}
        title="Remove this membership?"
        message={`${found.userName} (${found.userEmail}) loses ${found.membership.role} access to ${found.tenantName} on their next request. The membership stays on record as revoked.`}
        action={`/admin/memberships/${found.membership.id}/remove`}
        confirmLabel="Remove membership"
        cancelHref={backHref}
        hiddenFields={{ returnTo: backHref }}
      />,
    );
  })
  .post("/:id/remove", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    const values = await readFormValues(c, returnOnlyFields);
    await revokeMembership(domainContext(c), c.req.param("id"));
    return c.redirect(withNotice(returnPath(values), "membership-removed"), 303);
  });
