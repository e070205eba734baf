// Admin → Users: list, invite, a user's page, setup links (docs/PRODUCT.md §2, §9). A setup link
// travels from the form to its page in the flash cookie (src/http/flash.ts), shown once.
import { Hono } from "hono";
import { InviteDeliveryState } from "../../../views/components/invite-delivery";
import { formatDateTime } from "../../../views/format";
import { inviteMembershipRows, NewUserPage, SetupLinkIssuedPage } from "../../../views/pages/admin/new-user-page";
import { UserPage, userPageSections } from "../../../views/pages/admin/user-page";
import { UsersPage } from "../../../views/pages/admin/users-page";
import type { GlobalRole } from "../../db/schema";
import { hasPermission, type Requirement } from "../../domain/access";
import { inviteUser } from "../../domain/invites/invites";
import { regenerateSetupLink } from "../../domain/invites/setup-links";
import { listTenantChoices } from "../../domain/tenants/tenants";
import { findUserDetails, type UserDetails } from "../../domain/users/user-details";
import { assertManageable } from "../../domain/users/user-guards";
import { applyUserChanges, updateUserSchema } from "../../domain/users/user-lifecycle";
import { deriveSetupLinkState, deriveUserStatus, inviteInputSchema, type UserRow } from "../../domain/users/users";
import { listUsersQuerySchema, listUsersWithSuperAdminCount } from "../../domain/users/users-list";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { type Flash, setFlash, takeFlash, takeSecret } from "../../http/flash";
import {
  type FieldErrors,
  type FormValues,
  formValue,
  formValuesAsStrings,
  handleForm,
  parseFormInput,
  readForm,
  readFormFields,
} from "../../http/forms";
import { localDateTimeToIso } from "../../http/time-input";
import { labelUserRole } from "../../labels";
import { redirectToSetupLink, requireSubject } from "./user-tabs";
import { fullName, userSubject, visibleUserTabs } from "./view-models";

const assignableRoles = (c: AppContext): GlobalRole[] =>
  currentPrincipal(c).user.role === "SUPER_ADMIN"
    ? ["OPERATOR", "CONTRACTOR", "CLIENT_USER", "SUPER_ADMIN"]
    : ["OPERATOR", "CONTRACTOR", "CLIENT_USER"];

/** The link page follows an invite (users:create) or a new link or two-factor reset (users:update). */
const issuesSetupLinks = requireAccess((c): Requirement => {
  const principal = c.get("principal");
  return {
    kind: "console",
    permission: principal && hasPermission(principal, "users:create") ? "users:create" : "users:update",
  };
});

const inviteFields = {
  fields: [
    "email",
    "firstName",
    "lastName",
    "role",
    "slackId",
    ...Array.from({ length: inviteMembershipRows }, (_, index) =>
      ["tenantId", "role", "expiresAt"].map((field) => `memberships.${index}.${field}`),
    ).flat(),
  ],
};

/**
 * Form fields → the invite input the API takes; datetime-local values are read in the admin's
 * zone, and one that is no real time there is thrown as that field's error.
 */
function inviteFromForm(values: FormValues, timeZone: string) {
  const memberships = Array.from({ length: inviteMembershipRows }, (_, index) => ({
    tenantId: formValue(values, `memberships.${index}.tenantId`),
    role: formValue(values, `memberships.${index}.role`),
    expiresAt: localDateTimeToIso(
      formValue(values, `memberships.${index}.expiresAt`),
      timeZone,
      `memberships.${index}.expiresAt`,
    ),
  })).filter((row) => row.tenantId !== "");
  return {
    email: formValue(values, "email"),
    firstName: formValue(values, "firstName"),
    lastName: formValue(values, "lastName"),
    role: formValue(values, "role") || "OPERATOR",
    slackId: formValue(values, "slackId"),
    memberships,
  };
}

/** The invite form: empty, or as typed with its errors; an email in use links to that user. */
async function renderNewUserPage(
  c: AppContext,
  values: FormValues,
  errors: FieldErrors,
  refusal: AppError | null = null,
) {
  const principal = currentPrincipal(c);
  const tenants = hasPermission(principal, "memberships:create") ? await listTenantChoices(domainContext(c)) : null;
  const flatValues = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? "") : value]),
  );
  const existingUser =
    refusal?.code === "EMAIL_IN_USE"
      ? { id: String(refusal.extensions.existingUserId), pending: refusal.extensions.existingUserStatus === "PENDING" }
      : undefined;
  return c.render(
    <NewUserPage
      values={flatValues}
      errors={errors}
      roleOptions={assignableRoles(c)}
      tenants={tenants}
      timeZone={principal.user.timeZone}
      existingUser={existingUser}
    />,
    { title: "New user" },
  );
}

async function requireUserDetails(c: AppContext): Promise<UserDetails> {
  const details = await findUserDetails(domainContext(c), c.req.param("id") ?? "");
  if (!details || details.subject.user.erasedAt) throw new AppError("NOT_FOUND");
  return details;
}

function detailValues(user: UserRow): Record<string, string> {
  return {
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    slackId: user.slackId ?? "",
    role: user.role,
  };
}

async function renderUserPage(
  c: AppContext,
  details: UserDetails,
  values: Record<string, string>,
  errors: FieldErrors,
  flash?: Flash,
) {
  const principal = currentPrincipal(c);
  const { subject, delivery } = details;
  const user = subject.user;
  const isSuperAdmin = principal.user.role === "SUPER_ADMIN";
  const roles = assignableRoles(c);
  return c.render(
    <UserPage
      timeZone={principal.user.timeZone}
      subject={userSubject(user, c.get("now"))}
      tabs={visibleUserTabs(principal)}
      canEdit={hasPermission(principal, "users:update")}
      canDeactivate={hasPermission(principal, "users:delete") && principal.user.id !== user.id && !details.ownedBy}
      roleOptions={roles.includes(user.role) ? roles : [user.role, ...roles]}
      values={values}
      errors={errors}
      auditHref={hasPermission(principal, "audit:read") ? `/admin/audit?targetId=${user.id}` : null}
      managedBy={details.ownedBy?.name ?? null}
      inviteDelivery={
        <InviteDeliveryState
          delivery={delivery}
          userStatus={deriveUserStatus(user)}
          timeZone={principal.user.timeZone}
          messageHref={isSuperAdmin && delivery ? `/admin/outbox/${delivery.messageId}` : null}
        />
      }
      flash={flash}
    />,
    { title: user.displayName },
  );
}

export const adminUserRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "users:read" }), async (c) => {
    const principal = currentPrincipal(c);
    const raw = c.req.query();
    const parsed = listUsersQuerySchema.safeParse({
      query: raw.query || undefined,
      role: raw.role || undefined,
      status: raw.status || undefined,
      cursor: raw.cursor || undefined,
    });
    if (!parsed.success) throw new AppError("VALIDATION_FAILED", { detail: "These filters are not valid." });
    const { page, activeSuperAdmins: superAdmins } = await listUsersWithSuperAdminCount(domainContext(c), parsed.data);
    const now = c.get("now");
    const nextParams = new URLSearchParams({
      ...(raw.query ? { query: raw.query } : {}),
      ...(raw.role ? { role: raw.role } : {}),
      ...(raw.status ? { status: raw.status } : {}),
    });
    if (page.nextCursor) nextParams.set("cursor", page.nextCursor);
    return c.render(
      <UsersPage
        timeZone={principal.user.timeZone}
        rows={page.items.map((user) => ({
          id: user.id,
          name: user.displayName,
          email: user.email,
          role: user.role,
          status: deriveUserStatus(user),
          setupLink: deriveSetupLinkState(user, now),
          slackId: user.slackId,
          createdAt: user.createdAt,
          lastLoginAt: user.lastLoginAt,
        }))}
        filters={{ query: raw.query ?? "", role: raw.role ?? "", status: raw.status ?? "" }}
        nextPageHref={page.nextCursor ? `/admin/users?${nextParams.toString()}` : null}
        canInvite={hasPermission(principal, "users:create")}
        superAdminHint={superAdmins > 3 ? superAdmins : null}
        flash={await takeFlash(c)}
      />,
      { title: "Users" },
    );
  })
  .get("/new", requireAccess({ kind: "console", permission: "users:create" }), (c) => renderNewUserPage(c, {}, {}))
  .post("/", requireAccess({ kind: "console", permission: "users:create" }), async (c) => {
    const timeZone = currentPrincipal(c).user.timeZone;
    const form = await readFormFields(c, inviteFields);
    return handleForm(c, form, {
      act: async (values) => {
        const invited = await inviteUser(
          domainContext(c),
          parseFormInput(inviteInputSchema, inviteFromForm(values, timeZone)),
        );
        const { email, role } = invited.user;
        return redirectToSetupLink(
          c,
          `${fullName(invited.user)} (${email}) was created as ${labelUserRole(role)}. Give them this setup link; an invite email with it is queued too.`,
          invited,
        );
      },
      showAgain: (errors, refusal) => renderNewUserPage(c, form.values, errors, refusal),
    });
  })
  .get("/:id", requireAccess({ kind: "console", permission: "users:read" }), async (c) => {
    const details = await requireUserDetails(c);
    return renderUserPage(c, details, detailValues(details.subject.user), {}, await takeFlash(c));
  })
  .post("/:id", requireAccess({ kind: "console", permission: "users:update" }), async (c) => {
    const ctx = domainContext(c);
    // Read once: the page shown again on errors and the "who may change whom" check share this batch.
    const details = await requireUserDetails(c);
    const user = details.subject.user;
    const form = await readForm(c, updateUserSchema.required());
    return handleForm(c, form, {
      act: async (changes) => {
        const updated = await applyUserChanges(ctx, assertManageable(ctx, details.subject), changes, details.ownedBy);
        const message =
          updated.role === user.role
            ? `${fullName(updated)}'s details were saved.`
            : `${fullName(updated)} is now ${labelUserRole(updated.role)}. The change applies on their next request.`;
        await setFlash(c, { message, tone: "success", near: userPageSections.edit });
        return c.redirect(`/admin/users/${user.id}#${userPageSections.edit}`, 303);
      },
      showAgain: (errors) =>
        renderUserPage(c, details, { ...detailValues(user), ...formValuesAsStrings(form.values) }, errors),
    });
  })
  // One action, "Send a new setup link": a new link replaces the old one and the invite email goes again.
  .post("/:id/setup-link", requireAccess({ kind: "console", permission: "users:update" }), async (c) => {
    const issued = await regenerateSetupLink(domainContext(c), c.req.param("id"));
    return redirectToSetupLink(
      c,
      `${fullName(issued.user)} has a new setup link; the previous one no longer works. The invite email with the new link is queued.`,
      issued,
    );
  })
  .get("/:id/setup-link", issuesSetupLinks, async (c) => {
    const principal = currentPrincipal(c);
    const user = await requireSubject(c);
    const flash = await takeFlash(c);
    const heading = `Setup link for ${fullName(user)}`;
    const mayIssue = hasPermission(principal, "users:update") && userSubject(user, c.get("now")).status === "PENDING";
    return c.render(
      <SetupLinkIssuedPage
        heading={heading}
        flash={flash}
        setupUrl={takeSecret(flash, "setup-link", user.id)}
        expiresAtText={formatDateTime(user.setupTokenExpiresAt, principal.user.timeZone)}
        subjectUserId={user.id}
        newLinkAction={mayIssue ? `/admin/users/${user.id}/setup-link` : null}
      />,
      { title: heading },
    );
  });
