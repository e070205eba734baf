// Managing a company's portal users, shared by the operator workspace (/tenants/:slug/clients)
// and the client portal (/portal/:slug/users): invite, new setup link, remove. The tenant access
// ("manage-clients") is checked by requireAccess before anything is read. A setup link goes from
// the form to its page (…/:membershipId/setup-link) in the flash cookie and is shown once.
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
import { deriveUserStatus } from "../../domain/users/users";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash, takeSecret } from "../../http/flash";
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

/** Seals the link into the flash and redirects to the page that shows it once. */
async function redirectToLinkPage(
  c: AppContext,
  path: string,
  message: string,
  issued: { setupUrl: string; user: { id: string } },
) {
  const secret = { kind: "setup-link" as const, subject: issued.user.id, value: issued.setupUrl };
  await setFlash(c, { message, tone: "success", secret });
  return c.redirect(path, 303);
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
          const { tenant } = outcome;
          if (outcome.kind === "added") {
            await setFlash(c, {
              message: `${outcome.userName} had access to ${tenant.name} before: their access is back, with their old account.`,
              tone: "success",
            });
            return c.redirect(options.homePath(tenant.slug), 303);
          }
          return redirectToLinkPage(
            c,
            `${options.managePath(tenant.slug)}/${outcome.membershipId}/setup-link`,
            `${outcome.invite.user.displayName} was invited to ${tenant.name}. Give them this link to choose a password and set up their authenticator.`,
            outcome.invite,
          );
        },
        showAgain: (errors) =>
          options.showHomeAgain(c, slugOf(c), { values: formValuesAsStrings(form.values), errors }),
      });
    })
    .post("/:membershipId/setup-link", manage, async (c) => {
      const membershipId = c.req.param("membershipId");
      const issued = await regenerateClientSetupLink(domainContext(c), { slug: slugOf(c) }, membershipId);
      return redirectToLinkPage(
        c,
        `${options.managePath(issued.tenant.slug)}/${membershipId}/setup-link`,
        `${issued.user.displayName} has a new setup link; the previous one no longer works. An email with the new link is on its way.`,
        issued,
      );
    })
    .get("/:membershipId/setup-link", manage, async (c) => {
      const { tenant, found, user } = await findClientMembership(
        domainContext(c),
        { slug: slugOf(c) },
        c.req.param("membershipId"),
      );
      const flash = await takeFlash(c);
      const heading = `Setup link for ${user.displayName}`;
      const expires = formatDateTime(user.setupTokenExpiresAt, currentPrincipal(c).user.timeZone);
      return c.render(
        <LinkIssuedPage
          heading={heading}
          flash={flash}
          setupUrl={takeSecret(flash, "setup-link", user.id)}
          note={`It works once and expires ${expires}. An email with the link is on its way too.`}
          newLinkAction={
            deriveUserStatus(user) === "PENDING"
              ? `${options.managePath(tenant.slug)}/${found.membership.id}/setup-link`
              : null
          }
        >
          <a class="button secondary" href={options.homePath(tenant.slug)}>
            {`Back to ${tenant.name}`}
          </a>
        </LinkIssuedPage>,
        { title: heading },
      );
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
      const { tenant, userName } = await removeClientUser(
        domainContext(c),
        { slug: slugOf(c) },
        c.req.param("membershipId"),
      );
      await setFlash(c, {
        message: `${userName} was removed from ${tenant.name}. Their account itself stays.`,
        tone: "success",
      });
      return c.redirect(options.homePath(tenant.slug), 303);
    });
}
