// /tenants/<slug> (docs/PRODUCT.md §4): the operator workspace — profile, updates, client users, who has
// access. Reading needs a live staff membership (SUPER_ADMIN reaches every tenant); writing needs
// OPERATOR_FULL. A tenant the caller is not a member of answers 404.
import { Hono } from "hono";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { EditUpdatePage } from "../../../views/pages/tenants/edit-update-page";
import { WorkspacePage } from "../../../views/pages/tenants/workspace-page";
import { authorize, type Requirement, type TenantAccess } from "../../domain/access";
import { readTenantPage } from "../../domain/tenants/tenant-page";
import {
  deleteTenantUpdate,
  editTenantUpdate,
  findTenantWithUpdate,
  postTenantUpdate,
  tenantUpdateSchema,
} from "../../domain/tenants/tenant-updates";
import { applyTenantChanges, updateTenantSchema } from "../../domain/tenants/tenants";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import { type FieldErrors, formValuesAsStrings, handleForm, readForm } from "../../http/forms";
import { labelMembershipRole } from "../../labels";
import { requireTenantFromSlug, tenantClientRoutes } from "./clients";
import { nextListHref, tenantPageCursors, toPersonRows } from "./view-models";

const workspace = (access: TenantAccess) =>
  requireAccess(
    (c): Requirement => ({ kind: "tenant-workspace", tenant: { slug: c.req.param("slug") ?? "" }, access }),
  );

/** The workspace's forms shown again after a refusal, each as typed with its errors. */
interface WorkspaceForms {
  profile?: { values: Record<string, string>; errors: FieldErrors };
  newUpdate?: { values: Record<string, string>; errors: FieldErrors };
  invite?: { values: Record<string, string>; errors: FieldErrors };
}

async function showWorkspace(c: AppContext, slug: string, forms: WorkspaceForms = {}) {
  const principal = currentPrincipal(c);
  const page = await readTenantPage(domainContext(c), slug, tenantPageCursors(c));
  if (!page) throw new AppError("NOT_FOUND");
  const { tenant, updates, clients, staff } = page;
  const path = `/tenants/${slug}`;
  const canWrite = authorize(principal, { kind: "tenant-workspace", tenant: { slug }, access: "write" }).allowed;
  const role = principal.memberships.find((m) => m.tenantSlug === slug)?.role;
  const yourRole = role ? labelMembershipRole(role) : "Super admin (full access)";
  return c.render(
    <WorkspacePage
      timeZone={principal.user.timeZone}
      tenant={tenant}
      yourRole={yourRole}
      canWrite={canWrite}
      profile={forms.profile ?? { values: { name: tenant.name, description: tenant.description }, errors: {} }}
      updates={{
        updates: updates.items,
        timeZone: principal.user.timeZone,
        manageBase: canWrite ? `${path}/updates` : null,
        olderHref: nextListHref(path, "updates", updates.nextCursor),
      }}
      newUpdate={forms.newUpdate ?? { values: {}, errors: {} }}
      clients={toPersonRows(clients.items, principal.user.id)}
      clientsMoreHref={nextListHref(path, "clients", clients.nextCursor)}
      staff={toPersonRows(staff.items, principal.user.id)}
      staffMoreHref={nextListHref(path, "staff", staff.nextCursor)}
      invite={{ action: `${path}/clients`, ...(forms.invite ?? { values: {}, errors: {} }) }}
      flash={await takeFlash(c)}
    />,
    { title: tenant.name },
  );
}

/** The tenant and the update the URL names, in one batch (404 when either is missing). */
function requireTenantWithUpdate(c: AppContext) {
  return findTenantWithUpdate(domainContext(c), { slug: c.req.param("slug") ?? "" }, c.req.param("updateId") ?? "");
}

function showEditUpdate(
  c: AppContext,
  slug: string,
  updateId: string,
  values: Record<string, string>,
  errors: FieldErrors,
) {
  const back = `/tenants/${slug}`;
  return c.render(
    <EditUpdatePage action={`${back}/updates/${updateId}/edit`} backHref={back} values={values} errors={errors} />,
    {
      title: "Edit update",
    },
  );
}

export const tenantWorkspaceRoutes = new Hono<AppEnv>()
  .get("/:slug", workspace("read"), (c) => showWorkspace(c, c.req.param("slug")))
  .post("/:slug/profile", workspace("write"), async (c) => {
    const tenant = await requireTenantFromSlug(c);
    const form = await readForm(c, updateTenantSchema.pick({ name: true, description: true }));
    return handleForm(c, form, {
      act: async (changes) => {
        await applyTenantChanges(domainContext(c), tenant, changes);
        await setFlash(c, {
          tone: "success",
          message: `The profile of ${changes.name ?? tenant.name} was saved.`,
          near: "profile-heading",
        });
        return c.redirect(`/tenants/${tenant.slug}`, 303);
      },
      showAgain: (errors) =>
        showWorkspace(c, tenant.slug, { profile: { values: formValuesAsStrings(form.values), errors } }),
    });
  })
  .post("/:slug/updates", workspace("write"), async (c) => {
    const tenant = await requireTenantFromSlug(c);
    const form = await readForm(c, tenantUpdateSchema);
    return handleForm(c, form, {
      act: async (update) => {
        await postTenantUpdate(domainContext(c), tenant, update);
        await setFlash(c, {
          tone: "success",
          message: `The update "${update.title}" was posted: ${tenant.name}'s client users see it in their portal.`,
          near: "updates-heading",
        });
        return c.redirect(`/tenants/${tenant.slug}`, 303);
      },
      showAgain: (errors) =>
        showWorkspace(c, tenant.slug, { newUpdate: { values: formValuesAsStrings(form.values), errors } }),
    });
  })
  .get("/:slug/updates/:updateId/edit", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    return showEditUpdate(c, tenant.slug, update.id, { title: update.title, body: update.body }, {});
  })
  .post("/:slug/updates/:updateId/edit", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    const form = await readForm(c, tenantUpdateSchema);
    return handleForm(c, form, {
      act: async (changes) => {
        await editTenantUpdate(domainContext(c), tenant, update, changes);
        await setFlash(c, {
          tone: "success",
          message: `The update "${changes.title}" was saved; ${tenant.name}'s portal shows the new text.`,
          near: "updates-heading",
        });
        return c.redirect(`/tenants/${tenant.slug}`, 303);
      },
      showAgain: (errors) => showEditUpdate(c, tenant.slug, update.id, formValuesAsStrings(form.values), errors),
    });
  })
  .get("/:slug/updates/:updateId/delete", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    const title = `Delete "${update.title}"?`;
    return c.render(
      <ConfirmPage
        title={title}
        message="The update disappears from the workspace and the client portal."
        action={`/tenants/${tenant.slug}/updates/${update.id}/delete`}
        confirmLabel="Delete update"
        cancelHref={`/tenants/${tenant.slug}`}
      />,
      { title },
    );
  })
  .post("/:slug/updates/:updateId/delete", workspace("write"), async (c) => {
    const { tenant, update } = await requireTenantWithUpdate(c);
    await deleteTenantUpdate(domainContext(c), tenant, update);
    await setFlash(c, {
      tone: "success",
      message: `The update "${update.title}" was deleted from the workspace and ${tenant.name}'s portal.`,
      near: "updates-heading",
    });
    return c.redirect(`/tenants/${tenant.slug}`, 303);
  })
  .route(
    "/:slug/clients",
    tenantClientRoutes({
      kind: "tenant-workspace",
      homePath: (slug) => `/tenants/${slug}`,
      managePath: (slug) => `/tenants/${slug}/clients`,
      showHomeAgain: (c, slug, invite) => showWorkspace(c, slug, { invite }),
    }),
  );
