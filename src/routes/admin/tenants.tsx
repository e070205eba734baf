// Admin → Tenants (docs/PRODUCT.md §3): list and create; a tenant's settings page with its own members.
import { Hono } from "hono";
import { TenantSettingsPage } from "../../../views/pages/admin/tenant-settings-page";
import { TenantsPage } from "../../../views/pages/admin/tenants-page";
import { membershipRoles } from "../../db/schema";
import { hasPermission } from "../../domain/access";
import { readTenantWithMembers } from "../../domain/memberships/memberships-read";
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
import { setFlash, takeFlash } from "../../http/flash";
import { type FieldErrors, formValuesAsStrings, handleForm, readForm } from "../../http/forms";
import { type MembershipFormsShownAgain, membershipFormProps, membershipTableProps } from "./view-models";

async function renderTenantsPage(c: AppContext, values: Record<string, string>, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const query = c.req.query("query") ?? "";
  const parsed = listTenantsQuerySchema.safeParse({
    query: query || undefined,
    cursor: c.req.query("cursor") || undefined,
  });
  if (!parsed.success)
    throw new AppError("VALIDATION_FAILED", { detail: parsed.error.issues.map((issue) => issue.message).join(" ") });
  const page = await listTenants(domainContext(c), parsed.data);
  const next = new URLSearchParams({
    ...(query ? { query } : {}),
    ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
  });
  return c.render(
    <TenantsPage
      rows={page.items}
      query={query}
      nextPageHref={page.nextCursor ? `/admin/tenants?${next.toString()}` : null}
      canCreate={hasPermission(principal, "tenants:create")}
      values={values}
      errors={errors}
      notice={(await takeFlash(c))?.message}
    />,
    { title: "Tenants" },
  );
}

async function requireTenant(c: AppContext): Promise<TenantRow> {
  const tenant = await findTenantBySlug(domainContext(c), c.req.param("slug") ?? "");
  if (!tenant) throw new AppError("NOT_FOUND");
  return tenant;
}

const membersPerPage = 50;

function tenantValues(tenant: TenantRow): Record<string, string> {
  return { name: tenant.name, slug: tenant.slug, description: tenant.description };
}

/**
 * A tenant's settings page: the tenant of the slug and the page of members the caller may see, in
 * one batch (404 when there is no tenant). Also shown again, as typed, when its settings form or
 * a membership posted from it is refused (memberships.tsx); `cursor` is the members page it showed.
 */
export async function showTenantSettings(
  c: AppContext,
  slug: string,
  shownAgain: { settings?: { values: Record<string, string>; errors: FieldErrors } } & MembershipFormsShownAgain = {},
  cursor: string | undefined = c.req.query("cursor") || undefined,
) {
  const principal = currentPrincipal(c);
  const members = hasPermission(principal, "memberships:read") ? { limit: membersPerPage, cursor } : null;
  const settings = await readTenantWithMembers(domainContext(c), slug, members);
  if (!settings) throw new AppError("NOT_FOUND");
  const { tenant, members: page } = settings;
  const returnTo = `/admin/tenants/${tenant.slug}`;
  return c.render(
    <TenantSettingsPage
      tenant={tenant}
      timeZone={principal.user.timeZone}
      canEdit={hasPermission(principal, "tenants:update")}
      values={shownAgain.settings ? { ...tenantValues(tenant), ...shownAgain.settings.values } : tenantValues(tenant)}
      errors={shownAgain.settings?.errors ?? {}}
      members={membershipTableProps(principal, page.items, c.get("now"), {
        show: { user: true, tenant: false },
        returnTo,
        caption: `Members of ${tenant.name}`,
        refused: shownAgain.row,
      })}
      nextPageHref={page.nextCursor ? `${returnTo}?cursor=${page.nextCursor}` : null}
      form={
        hasPermission(principal, "memberships:create")
          ? membershipFormProps(
              principal,
              {
                action: "/admin/memberships",
                returnTo,
                fixed: { tenantId: tenant.id },
                userEmail: true,
                roleOptions: membershipRoles,
              },
              shownAgain.add,
            )
          : null
      }
      auditHref={hasPermission(principal, "audit:read") ? `/admin/audit?tenantId=${tenant.id}` : null}
      // A page shown again after a refusal leaves any flash for the next page it concerns.
      flash={shownAgain.settings || shownAgain.add || shownAgain.row ? undefined : await takeFlash(c)}
    />,
    { title: tenant.name },
  );
}

export const adminTenantRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "tenants:read" }), (c) => renderTenantsPage(c, {}, {}))
  .post("/", requireAccess({ kind: "console", permission: "tenants:create" }), async (c) => {
    const form = await readForm(c, createTenantSchema);
    return handleForm(c, form, {
      act: async (input) => {
        const tenant = await createTenant(domainContext(c), input);
        await setFlash(c, {
          message: `The tenant ${tenant.name} was created. Add its members below.`,
          tone: "success",
        });
        return c.redirect(`/admin/tenants/${tenant.slug}`, 303);
      },
      showAgain: (errors) => renderTenantsPage(c, formValuesAsStrings(form.values), errors),
    });
  })
  .get("/:slug", requireAccess({ kind: "console", permission: "tenants:read" }), (c) =>
    showTenantSettings(c, c.req.param("slug")),
  )
  .post("/:slug", requireAccess({ kind: "console", permission: "tenants:update" }), async (c) => {
    const tenant = await requireTenant(c);
    const form = await readForm(c, updateTenantSchema);
    return handleForm(c, form, {
      act: async (changes) => {
        const updated = await applyTenantChanges(domainContext(c), tenant, changes);
        await setFlash(c, { message: `The details of ${updated.name} were saved.`, tone: "success" });
        return c.redirect(`/admin/tenants/${updated.slug}`, 303);
      },
      // Shown again with what was typed; the tenant is read again with its members for the page.
      showAgain: (errors) =>
        showTenantSettings(c, tenant.slug, { settings: { values: formValuesAsStrings(form.values), errors } }),
    });
  });
