// Admin → Tenants (docs/PRODUCT.md §3): list and create; a tenant's settings page with its own members.
import { Hono } from "hono";
import { TenantSettingsPage } from "../../../views/pages/admin/tenant-settings-page";
import { TenantsPage } from "../../../views/pages/admin/tenants-page";
import { membershipRoles } from "../../db/schema";
import { hasPermission } from "../../domain/access";
import { type MembershipWithParties, readTenantWithMembers } from "../../domain/memberships/memberships-read";
import type { Page } from "../../domain/pagination";
import {
  applyTenantChanges,
  createTenant,
  createTenantSchema,
  findTenantBySlug,
  listTenants,
  listTenantsQuerySchema,
  type TenantRow,
  updateTenantSchema,
} from "../../domain/tenants/tenants";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { type FieldErrors, fieldErrorsOf, formValuesAsStrings, readForm } from "../../http/forms";
import { layoutProps } from "../../http/navigation";
import { noticeFor } from "../../http/notices";
import { renderPage } from "../../http/render";
import { membershipTableProps } from "./user-page-support";

async function renderTenantsPage(c: AppContext, values: Record<string, string>, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const query = c.req.query("query") ?? "";
  const parsed = listTenantsQuerySchema.safeParse({ query: query || undefined, cursor: c.req.query("cursor") || undefined });
  if (!parsed.success) throw new AppError("VALIDATION_FAILED", { detail: parsed.error.issues.map((issue) => issue.message).join(" ") });
  const page = await listTenants(domainContext(c), parsed.data);
  const next = new URLSearchParams({ ...(query ? { query } : {}), ...(page.nextCursor ? { cursor: page.nextCursor } : {}) });
  return renderPage(
    c,
    <TenantsPage
      {...layoutProps(c, principal)}
      rows={page.items}
      query={query}
      nextPageHref={page.nextCursor ? `/admin/tenants?${next.toString()}` : null}
      canCreate={hasPermission(principal, "tenants:create")}
      values={values}
      errors={errors}
      notice={noticeFor(c.req.query("notice"))}
    />,
    Object.keys(errors).length > 0 ? (errors.slug === "This slug is already taken." ? 409 : 400) : 200,
  );
}

async function requireTenant(c: AppContext): Promise<TenantRow> {
  const tenant = await findTenantBySlug(domainContext(c), c.req.param("slug") ?? "");
  if (!tenant) throw new AppError("NOT_FOUND");
  return tenant;
}

const membersPerPage = 50;

/** The tenant of the URL and the page of members the caller may see, in one batch; 404 when there is no tenant. */
async function readSettings(c: AppContext, slug: string) {
  const members = hasPermission(currentPrincipal(c), "memberships:read")
    ? { limit: membersPerPage, cursor: c.req.query("cursor") || undefined }
    : null;
  const settings = await readTenantWithMembers(domainContext(c), slug, members);
  if (!settings) throw new AppError("NOT_FOUND");
  return settings;
}

function renderSettings(
  c: AppContext,
  { tenant, members: page }: { tenant: TenantRow; members: Page<MembershipWithParties> },
  values: Record<string, string>,
  errors: FieldErrors,
) {
  const principal = currentPrincipal(c);
  const returnTo = `/admin/tenants/${tenant.slug}`;
  return renderPage(
    c,
    <TenantSettingsPage
      {...layoutProps(c, principal)}
      tenant={tenant}
      timeZone={principal.user.timeZone}
      canEdit={hasPermission(principal, "tenants:update")}
      values={values}
      errors={errors}
      members={membershipTableProps(principal, page.items, c.get("now"), {
        show: { user: true, tenant: false },
        returnTo,
        caption: `Members of ${tenant.name}`,
      })}
      nextPageHref={page.nextCursor ? `${returnTo}?cursor=${page.nextCursor}` : null}
      form={
        hasPermission(principal, "memberships:create")
          ? {
              action: "/admin/memberships",
              returnTo,
              fixed: { tenantId: tenant.id },
              userEmail: true,
              roleOptions: membershipRoles,
              values: {},
              errors: {},
              timeZone: principal.user.timeZone,
            }
          : null
      }
      auditHref={hasPermission(principal, "audit:read") ? `/admin/audit?tenantId=${tenant.id}` : null}
      notice={noticeFor(c.req.query("notice"))}
    />,
    Object.keys(errors).length > 0 ? 400 : 200,
  );
}

function tenantValues(tenant: TenantRow): Record<string, string> {
  return { name: tenant.name, slug: tenant.slug, description: tenant.description };
}

export const adminTenantRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "tenants:read" }), (c) => renderTenantsPage(c, {}, {}))
  .post("/", requireAccess({ kind: "console", permission: "tenants:create" }), async (c) => {
    const form = await readForm(c, createTenantSchema);
    if (!form.success) return renderTenantsPage(c, formValuesAsStrings(form.values), form.errors);
    try {
      const tenant = await createTenant(domainContext(c), form.data);
      return c.redirect(`/admin/tenants/${tenant.slug}?notice=tenant-created`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 403) throw error;
      return renderTenantsPage(c, formValuesAsStrings(form.values), fieldErrorsOf(error));
    }
  })
  .get("/:slug", requireAccess({ kind: "console", permission: "tenants:read" }), async (c) => {
    const settings = await readSettings(c, c.req.param("slug"));
    return renderSettings(c, settings, tenantValues(settings.tenant), {});
  })
  .post("/:slug", requireAccess({ kind: "console", permission: "tenants:update" }), async (c) => {
    const tenant = await requireTenant(c);
    const form = await readForm(c, updateTenantSchema);
    // Shown again with what was typed; the tenant is read again with its members for the page.
    const showAgain = async (errors: FieldErrors) =>
      renderSettings(c, await readSettings(c, tenant.slug), { ...tenantValues(tenant), ...formValuesAsStrings(form.values) }, errors);
    if (!form.success) return showAgain(form.errors);
    try {
      const updated = await applyTenantChanges(domainContext(c), tenant, form.data);
      return c.redirect(`/admin/tenants/${updated.slug}?notice=tenant-updated`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 403) throw error;
      return showAgain(fieldErrorsOf(error));
    }
  });
