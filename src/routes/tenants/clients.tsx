// Managing a company's portal users, shared by the operator workspace (/tenants/:slug/clients)
// and the client portal (/portal/:slug/users): invite, new setup link, remove. The tenant access
// ("manage-clients") is checked by requireAccess before anything is read.
import { Hono } from "hono";
import { formatDateTime } from "../../../views/format";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { LinkIssuedPage } from "../../../views/pages/link-issued-page";
import type { Requirement } from "../../domain/access";
import {
  delegatedInviteSchema,
  findClientMembership,
  inviteClientUser,
  regenerateClientSetupLink,
  removeClientUser,
} from "../../domain/invites/delegated-invites";
import { findTenantBySlug, type TenantRow } from "../../domain/tenants/tenants";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { type FieldErrors, formValuesAsStrings, handleForm, readForm } from "../../http/forms";

export interface TenantClientsOptions {
  kind: "tenant-workspace" | "portal";
  /** The page this sub-app belongs to, e.g. /tenants/acme or /portal/acme. */
  homePath: (slug: string) => string;
  /** Where this sub-app is mounted, e.g. /tenants/acme/clients or /portal/acme/users. */
  managePath: (slug: string) => string;
  /** Shows that page (of the tenant with this slug) again with the invite form as typed and its errors. */
  showHomeAgain: (
    c: AppContext,
    slug: string,
    invite: { values: Record<string, string>; errors: FieldErrors },
  ) => Promise<Response>;
}

export async function requireTenantFromSlug(c: AppContext): Promise<TenantRow> {
  const tenant = await findTenantBySlug(domainContext(c), c.req.param("slug") ?? "");
  if (!tenant) throw new AppError("NOT_FOUND");
  return tenant;
}

function linkIssued(
  c: AppContext,
  tenant: TenantRow,
  options: TenantClientsOptions,
  heading: string,
  issued: { setupUrl: string; setupLinkExpiresAt: Date; user: { displayName: string } },
) {
  c.status(201);
  return c.render(
    <LinkIssuedPage
      heading={heading}
      message={`Give ${issued.user.displayName} this link to choose a password and set up their authenticator.`}
      setupUrl={issued.setupUrl}
      note={`It works once and expires ${formatDateTime(issued.setupLinkExpiresAt, currentPrincipal(c).user.timeZone)}. An email with the link is on its way too.`}
    >
      <a class="button" href={options.homePath(tenant.slug)}>
        {`Back to ${tenant.name}`}
      </a>
    </LinkIssuedPage>,
    { title: heading },
  );
}

// Each handler reads the tenant together with what it acts on, in the domain's one batch.
export function tenantClientRoutes(options: TenantClientsOptions) {
  const manage = requireAccess(
    (c): Requirement => ({ kind: options.kind, tenant: { slug: c.req.param("slug") ?? "" }, access: "manage-clients" }),
  );
  const slugOf = (c: AppContext) => c.req.param("slug") ?? "";
  return new Hono<AppEnv>()
    .post("/", manage, async (c) => {
      const form = await readForm(c, delegatedInviteSchema);
      return handleForm(c, form, {
        act: async (invite) => {
          const outcome = await inviteClientUser(domainContext(c), { slug: slugOf(c) }, invite);
          if (outcome.kind === "added")
            return c.redirect(`${options.homePath(outcome.tenant.slug)}?notice=client-added`, 303);
          return linkIssued(c, outcome.tenant, options, "Invitation created", outcome.invite);
        },
        showAgain: (errors) =>
          options.showHomeAgain(c, slugOf(c), { values: formValuesAsStrings(form.values), errors }),
      });
    })
    .post("/:membershipId/setup-link", manage, async (c) => {
      const issued = await regenerateClientSetupLink(
        domainContext(c),
        { slug: slugOf(c) },
        c.req.param("membershipId"),
      );
      return linkIssued(c, issued.tenant, options, "New setup link", issued);
    })
    .get("/:membershipId/remove", manage, async (c) => {
      const { tenant, found } = await findClientMembership(
        domainContext(c),
        { slug: slugOf(c) },
        c.req.param("membershipId"),
      );
      const title = `Remove ${found.userName} from ${tenant.name}?`;
      return c.render(
        <ConfirmPage
          title={title}
          message={`${found.userEmail} loses access to ${tenant.name}'s portal on their next request. Their account itself stays.`}
          action={`${options.managePath(tenant.slug)}/${found.membership.id}/remove`}
          confirmLabel="Remove"
          cancelHref={options.homePath(tenant.slug)}
        />,
        { title },
      );
    })
    .post("/:membershipId/remove", manage, async (c) => {
      const tenant = await removeClientUser(domainContext(c), { slug: slugOf(c) }, c.req.param("membershipId"));
      return c.redirect(`${options.homePath(tenant.slug)}?notice=client-removed`, 303);
    });
}
