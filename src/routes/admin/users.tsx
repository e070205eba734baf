// Admin → Users: list, invite, a user's page, setup links (docs/PRODUCT.md §2, §9).
import { Hono } from "hono";
import { InviteDeliveryState } from "../../../views/components/invite-delivery";
import { formatDateTime } from "../../../views/format";
import { inviteMembershipRows, NewUserPage, SetupLinkIssuedPage } from "../../../views/pages/admin/new-user-page";
import { UserPage } from "../../../views/pages/admin/user-page";
import { UsersPage } from "../../../views/pages/admin/users-page";
import { hasPermission } from "../../domain/access";
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
import {
  type FieldErrors,
  type FormValues,
  formValue,
  formValuesAsStrings,
  handleForm,
  parseFormInput,
  readForm,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { noticeFor } from "../../http/notices";
import { localDateTimeToIso } from "../../http/time-input";
import { userSubject, visibleUserTabs } from "./view-models";

const assignableRoles = (c: AppContext) =>
  currentPrincipal(c).user.role === "SUPER_ADMIN"
    ? ["OPERATOR", "CONTRACTOR", "CLIENT_USER", "SUPER_ADMIN"]
    : ["OPERATOR", "CONTRACTOR", "CLIENT_USER"];

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
      roleOptions={roles.includes(user.role) ? roles : [user.role, ...roles]}
      values={values}
      errors={errors}
      auditHref={hasPermission(principal, "audit:read") ? `/admin/audit?targetId=${user.id}` : null}
      inviteDelivery={
        <InviteDeliveryState
          delivery={delivery}
          userStatus={deriveUserStatus(user)}
          timeZone={principal.user.timeZone}
          messageHref={isSuperAdmin && delivery ? `/admin/outbox/${delivery.messageId}` : null}
        />
      }
      notice={noticeFor(c.req.query("notice"))}
    />,
    { title: user.displayName },
  );
}

/** A setup link shown once, after an invite or a new link. */
function renderSetupLinkIssued(
  c: AppContext,
  heading: string,
  message: string,
  issued: { setupUrl: string; setupLinkExpiresAt: Date; user: { id: string } },
) {
  return c.render(
    <SetupLinkIssuedPage
      heading={heading}
      message={message}
      setupUrl={issued.setupUrl}
      expiresAtText={formatDateTime(issued.setupLinkExpiresAt, currentPrincipal(c).user.timeZone)}
      subjectUserId={issued.user.id}
    />,
    { title: heading },
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
        notice={noticeFor(c.req.query("notice"))}
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
        const { firstName, lastName, email, role } = invited.user;
        c.status(201);
        return renderSetupLinkIssued(
          c,
          "User created",
          `${firstName} ${lastName} (${email}) was created as ${role}. Give them this setup link.`,
          invited,
        );
      },
      showAgain: (errors, refusal) => renderNewUserPage(c, form.values, errors, refusal),
    });
  })
  .get("/:id", requireAccess({ kind: "console", permission: "users:read" }), async (c) => {
    const details = await requireUserDetails(c);
    return renderUserPage(c, details, detailValues(details.subject.user), {});
  })
  .post("/:id", requireAccess({ kind: "console", permission: "users:update" }), async (c) => {
    const ctx = domainContext(c);
    // Read once: the page shown again on errors and the "who may change whom" check share this batch.
    const details = await requireUserDetails(c);
    const user = details.subject.user;
    const form = await readForm(c, updateUserSchema.required());
    return handleForm(c, form, {
      act: async (changes) => {
        await applyUserChanges(ctx, assertManageable(ctx, details.subject), changes);
        return c.redirect(`/admin/users/${user.id}?notice=user-updated`, 303);
      },
      showAgain: (errors) =>
        renderUserPage(c, details, { ...detailValues(user), ...formValuesAsStrings(form.values) }, errors),
    });
  })
  .post("/:id/setup-link", requireAccess({ kind: "console", permission: "users:update" }), async (c) => {
    const values = await readFormValues(c, { fields: ["intent"] });
    const issued = await regenerateSetupLink(domainContext(c), c.req.param("id"));
    const resend = formValue(values, "intent") === "resend";
    return renderSetupLinkIssued(
      c,
      resend ? "Invite resent" : "New setup link",
      `The previous link no longer works. ${resend ? "The invite email was queued again." : "Give them this new link."}`,
      issued,
    );
  });
