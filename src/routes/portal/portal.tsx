// /portal and /portal/<slug> (docs/PRODUCT.md §4): the client portal. Client users only (staff get 404);
// a slug the user is not a live member of answers 404. CLIENT_ADMIN manages the company's users.
import { Hono } from "hono";
import { PortalChooserPage, PortalPage } from "../../../views/pages/portal/portal-page";
import { authorize, type Requirement } from "../../domain/access";
import { readTenantPage } from "../../domain/tenants/tenant-page";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { takeFlash } from "../../http/flash";
import type { FieldErrors } from "../../http/forms";
import { labelMembershipRole } from "../../labels";
import { tenantClientRoutes } from "../tenants/clients";
import { nextListHref, tenantPageCursors, toPersonRows } from "../tenants/view-models";
import { portalReviewRoutes } from "./reviews";

async function showPortal(
  c: AppContext,
  slug: string,
  invite?: { values: Record<string, string>; errors: FieldErrors },
) {
  const principal = currentPrincipal(c);
  const page = await readTenantPage(domainContext(c), slug, tenantPageCursors(c));
  if (!page) throw new AppError("NOT_FOUND");
  const path = `/portal/${slug}`;
  const isAdmin = authorize(principal, { kind: "portal", tenant: { slug }, access: "manage-clients" }).allowed;
  return c.render(
    <PortalPage
      timeZone={principal.user.timeZone}
      tenant={page.tenant}
      companies={principal.memberships.map((m) => ({
        slug: m.tenantSlug,
        name: m.tenantName,
        current: m.tenantSlug === slug,
      }))}
      isAdmin={isAdmin}
      updates={{
        updates: page.updates.items,
        timeZone: principal.user.timeZone,
        manageBase: null,
        olderHref: nextListHref(path, "updates", page.updates.nextCursor),
      }}
      users={toPersonRows(page.clients.items, principal.user.id)}
      usersMoreHref={nextListHref(path, "clients", page.clients.nextCursor)}
      staff={toPersonRows(page.staff.items, principal.user.id)}
      staffMoreHref={nextListHref(path, "staff", page.staff.nextCursor)}
      invite={{ action: `${path}/users`, ...(invite ?? { values: {}, errors: {} }) }}
      flash={await takeFlash(c)}
    />,
    { title: page.tenant.name },
  );
}

const portalAccess = requireAccess(
  (c): Requirement => ({ kind: "portal", tenant: { slug: c.req.param("slug") ?? "" }, access: "read" }),
);

export const portalRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "portal" }), async (c) => {
    const principal = currentPrincipal(c);
    const only = principal.memberships.length === 1 ? principal.memberships[0] : undefined;
    if (only) return c.redirect(`/portal/${only.tenantSlug}`, 303);
    return c.render(
      <PortalChooserPage
        companies={principal.memberships.map((m) => ({
          slug: m.tenantSlug,
          name: m.tenantName,
          role: labelMembershipRole(m.role),
        }))}
      />,
      { title: "Your companies" },
    );
  })
  .get("/:slug", portalAccess, (c) => showPortal(c, c.req.param("slug")))
  .route("/:slug/reviews", portalReviewRoutes)
  .route(
    "/:slug/users",
    tenantClientRoutes({
      kind: "portal",
      homePath: (slug) => `/portal/${slug}`,
      managePath: (slug) => `/portal/${slug}/users`,
      showHomeAgain: (c, slug, invite) => showPortal(c, slug, invite),
    }),
  );
