// /tenants/<slug> (docs/PRODUCT.md §4): the operator workspace — profile, updates, client users, who has
// access. Reading needs a live staff membership (SUPER_ADMIN reaches every tenant); writing needs
// OPERATOR_FULL. A tenant the caller is not a member of answers 404.
import { Hono } from "hono";
import { ConfirmPage } from "../../views/pages/confirm-page";
import { EditUpdatePage } from "../../views/pages/tenants/edit-update-page";
import { WorkspacePage } from "../../views/pages/tenants/workspace-page";
import { authorize, type Requirement, type TenantAccess } from "../domain/access";
import { readTenantPage, tenantPageQuery } from "../domain/tenants/tenant-page";
import {
  deleteTenantUpdate,
  editTenantUpdate,
  findTenantWithUpdate,
  postTenantUpdate,
  tenantUpdateSchema,
} from "../domain/tenants/tenant-updates";
import { applyTenantChanges, updateTenantSchema } from "../domain/tenants/tenants";
import { AppError } from "../errors";
import { currentPrincipal, requireAccess } from "../http/access";
import { type AppContext, type AppEnv, domainContext } from "../http/app-env";
import { type FieldErrors, fieldErrorsOfRefusal, formValuesAsStrings, readForm } from "../http/forms";
import { layoutProps } from "../http/navigation";
import { noticeFor } from "../http/notices";
import { renderPage } from "../http/render";
import { requireTenantFromSlug, tenantClientRoutes } from "./tenant-clients";
import { tenantPageCursors, toPersonRows } from "./tenant-page-support";

const workspace = (access: TenantAccess) =>
  requireAccess((c): Requirement => ({ kind: "tenant-workspace", tenant: { slug: c.req.param("slug") ?? "" }, access }));

interface WorkspaceForms {
  profile?: { values: Record<string, string>; errors: FieldErrors };
  newUpdate?: { values: Record<string, string>; errors: FieldErrors };
  invite?: { values: Record<string, string>; errors: FieldErrors };
}

async function renderWorkspace(c: AppContext, slug: string, forms: WorkspaceForms = {}) {
  const principal = currentPrincipal(c);
  const page = await readTenantPage(domainContext(c), slug, tenantPageCursors(c));
  if (!page) throw new AppError("NOT_FOUND");
  const { tenant, updates, clients, staff } = page;
  const canWrite = authorize(principal, { kind: "tenant-workspace", tenant: { slug }, access: "write" }).allowed;
  const yourRole = principal.memberships.find((m) => m.tenantSlug === slug)?.role ?? "SUPER_ADMIN (full access)";
  const hasErrors = Object.values(forms).some((form) => Object.keys(form.errors).length > 0);
  return renderPage(
    c,
    <WorkspacePage
      {...layoutProps(c, principal)}
      timeZone={principal.user.timeZone}
      tenant={tenant}
      yourRole={yourRole}
      canWrite={canWrite}
      profile={forms.profile ?? { values: { name: tenant.name, description: tenant.description }, errors: {} }}
      updates={{
        updates: updates.items,
        timeZone: principal.user.timeZone,
        manageBase: canWrite ? `/tenants/${slug}/updates` : null,
        olderHref: updates.nextCursor ? `/tenants/${slug}${tenantPageQuery({ updates: updates.nextCursor })}` : null,
      }}
      newUpdate={forms.newUpdate ?? { values: {}, errors: {} }}
      clients={toPersonRows(clients.items, principal.user.id)}
      clientsMoreHref={clients.nextCursor ? `/tenants/${slug}${tenantPageQuery({ clients: clients.nextCursor })}` : null}
      staff={toPersonRows(staff.items, principal.user.id)}
      staffMoreHref={staff.nextCursor ? `/tenants/${slug}${tenantPageQuery({ staff: staff.nextCursor })}` : null}
      invite={{ action: `/tenants/${slug}/clients`, ...(forms.invite ?? { values: {}, errors: {} }) }}
      notice={noticeFor(c.req.query("notice"))}
    />,
    hasErrors ? 400 : 200,
  );
}

/** The tenant and the update the URL names, in one batch (404 when either is missing). */
function requireTenantWithUpdate(c: AppContext) {
  return findTenantWithUpdate(domainContext(c), { slug: c.req.param("slug") ?? "" }, c.req.param("updateId") ?? "");
}

export const tenantWorkspaceRoutes = new Hono<AppEnv>()
  .get("/:slug", workspace("read"), (c) => renderWorkspace(c, c.req.param("slug")))
  .post("/:slug/profile", workspace("write"), async (c) => {
    const tenant = await requireTenantFromSlug(c);
    const form = await readForm(c, updateTenantSchema.pick({ name: true, description: true }));
    try {
      if (!form.success)
        return renderWorkspace(c, tenant.slug, { profile: { values: formValuesAsStrings(form.values), errors: form.errors } });
      await applyTenantChanges(domainContext(c), tenant, form.data);
    } catch (error) {
      return renderWorkspace(c, tenant.slug, {
        profile: { values: formValuesAsStrings(form.values), errors: fieldErrorsOfRefusal(error) },
      });
    }
    return c.redirect(`/tenants/${tenant.slug}?notice=profile-updated`, 303);
  })
  .post("/:slug/updates", workspace("write"), async (c) => {
    const tenant = await requireTenantFromSlug(c);
    const form = await readForm(c, tenantUpdateSchema);
    if (!form.success)
      return renderWorkspace(c, tenant.slug, { newUpdate: { values: formValuesAsStrings(form.values), errors: form.errors } });
    await postTenantUpdate(domainContext(c), tenant, form.data);
    return c.redirect(`/tenants/${tenant.slug}?notice=update-posted`, 303);
  })
  .get("/:slug/updates/:updateId/edit", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    return renderPage(
      c,
      <EditUpdatePage
        {...layoutProps(c, currentPrincipal(c))}
        action={`/tenants/${tenant.slug}/updates/${update.id}/edit`}
        backHref={`/tenants/${tenant.slug}`}
        values={{ title: update.title, body: update.body }}
        errors={{}}
      />,
    );
  })
  .post("/:slug/updates/:updateId/edit", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    const form = await readForm(c, tenantUpdateSchema);
    const back = `/tenants/${tenant.slug}`;
    const render = (errors: FieldErrors) =>
      renderPage(
        c,
        <EditUpdatePage
          {...layoutProps(c, currentPrincipal(c))}
          action={`${back}/updates/${c.req.param("updateId")}/edit`}
          backHref={back}
          values={formValuesAsStrings(form.values)}
          errors={errors}
        />,
        400,
      );
    if (!form.success) return render(form.errors);
    await editTenantUpdate(domainContext(c), tenant, update, form.data);
    return c.redirect(`${back}?notice=update-edited`, 303);
  })
  .get("/:slug/updates/:updateId/delete", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    return renderPage(
      c,
      <ConfirmPage
        {...layoutProps(c, currentPrincipal(c))}
        title={`Delete "${update.title}"?`}
        message="The update disappears from the workspace and the client portal."
        action={`/tenants/${tenant.slug}/updates/${update.id}/delete`}
        confirmLabel="Delete update"
        cancelHref={`/tenants/${tenant.slug}`}
      />,
    );
  })
  .post("/:slug/updates/:updateId/delete", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    await deleteTenantUpdate(domainContext(c), tenant, update);
    return c.redirect(`/tenants/${tenant.slug}?notice=update-deleted`, 303);
  })
  .route(
    "/:slug/clients",
    tenantClientRoutes({
      kind: "tenant-workspace",
      homePath: (slug) => `/tenants/${slug}`,
      managePath: (slug) => `/tenants/${slug}/clients`,
      renderHome: (c, slug, invite) => renderWorkspace(c, slug, { invite }),
    }),
  );
