// A user's Memberships and Security tabs (/admin/users/:id/memberships, /security) and the
// security actions: deactivate, reactivate, reset two-factor, end sessions, clear the lock, erase.
import { Hono } from "hono";
import { formatDateTime } from "../../../views/format";
import { SetupLinkIssuedPage } from "../../../views/pages/admin/new-user-page";
import { UserMembershipsPage } from "../../../views/pages/admin/user-memberships-page";
import { UserSecurityPage } from "../../../views/pages/admin/user-security-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { hasRecentSignIn } from "../../auth/session";
import { hasPermission } from "../../domain/access";
import { readUserMembershipsTab } from "../../domain/memberships/memberships-read";
import { fittingRolesFor } from "../../domain/memberships/memberships-rules";
import { deactivateUser, reactivateUser } from "../../domain/users/user-lifecycle";
import {
  assertRecentSignIn,
  clearSignInLock,
  endUserSessions,
  eraseUser,
  resetTwoFactor,
} from "../../domain/users/user-security";
import { findUserSecurityFacts } from "../../domain/users/user-security-facts";
import { findUserById, type UserRow } from "../../domain/users/users";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { takeFlash } from "../../http/flash";
import { noticeFor } from "../../http/notices";
import {
  type MembershipFormsShownAgain,
  membershipFormProps,
  membershipTableProps,
  userSubject,
  visibleUserTabs,
} from "./view-models";

async function requireSubject(c: AppContext): Promise<UserRow> {
  const user = await findUserById(domainContext(c), c.req.param("id") ?? "");
  if (!user || user.erasedAt) throw new AppError("NOT_FOUND");
  return user;
}

function header(c: AppContext, user: UserRow) {
  return { subject: userSubject(user, c.get("now")), tabs: visibleUserTabs(currentPrincipal(c)) };
}

function confirm(
  c: AppContext,
  user: UserRow,
  options: { title: string; message: string; action: string; label: string },
) {
  return c.render(
    <ConfirmPage
      title={options.title}
      message={options.message}
      action={`/admin/users/${user.id}/${options.action}`}
      confirmLabel={options.label}
      cancelHref={`/admin/users/${user.id}/security`}
    />,
    { title: options.title },
  );
}

/**
 * A user's Memberships tab, read in one batch; also shown again, with the refused form as typed,
 * when a membership posted from it is refused (memberships.tsx).
 */
export async function showUserMemberships(c: AppContext, userId: string, shownAgain: MembershipFormsShownAgain = {}) {
  const principal = currentPrincipal(c);
  const tab = await readUserMembershipsTab(domainContext(c), userId, {
    limit: 100,
    withTenantChoices: hasPermission(principal, "memberships:create"),
  });
  if (!tab || tab.user.erasedAt) throw new AppError("NOT_FOUND");
  const { user, page, tenants } = tab;
  const returnTo = `/admin/users/${user.id}/memberships`;
  const form =
    tenants &&
    membershipFormProps(
      principal,
      {
        action: "/admin/memberships",
        returnTo,
        fixed: { userId: user.id },
        tenants,
        roleOptions: fittingRolesFor(user.role),
      },
      shownAgain.add,
    );
  return c.render(
    <UserMembershipsPage
      header={header(c, user)}
      table={membershipTableProps(principal, page.items, c.get("now"), {
        show: { user: false, tenant: true },
        returnTo,
        caption: "Memberships",
        refused: shownAgain.row,
      })}
      form={form}
      flash={shownAgain.add || shownAgain.row ? undefined : await takeFlash(c)}
      // A refused add with no form on the page (the user was deactivated meanwhile) still says why.
      error={shownAgain.add && !form ? Object.values(shownAgain.add.errors).join(" ") : undefined}
    />,
    { title: `Memberships of ${user.firstName} ${user.lastName}` },
  );
}

// The actions below read the user once, in the domain function (findManageableUser): no read here.
const backToSecurity = (c: AppContext, notice: string) =>
  c.redirect(`/admin/users/${c.req.param("id")}/security?notice=${notice}`, 303);
const usersRead = requireAccess({ kind: "console", permission: "users:read" });
const usersUpdate = requireAccess({ kind: "console", permission: "users:update" });
const usersDelete = requireAccess({ kind: "console", permission: "users:delete" });

export const adminUserTabRoutes = new Hono<AppEnv>()
  .get("/:id/memberships", usersRead, requireAccess({ kind: "console", permission: "memberships:read" }), (c) =>
    showUserMemberships(c, c.req.param("id")),
  )
  .get("/:id/security", usersRead, async (c) => {
    const principal = currentPrincipal(c);
    const user = await requireSubject(c);
    const facts = await findUserSecurityFacts(domainContext(c), user);
    const isSelf = principal.user.id === user.id;
    const isSuperAdmin = principal.user.role === "SUPER_ADMIN";
    const credential = principal.credential;
    return c.render(
      <UserSecurityPage
        header={header(c, user)}
        sessionCount={facts.sessionCount}
        locked={facts.locked}
        hasRecentSignIn={credential.kind === "session" && hasRecentSignIn(credential, c.get("now"))}
        can={{
          resetTwoFactor:
            hasPermission(principal, "users:update") && !isSelf && userSubject(user, c.get("now")).status === "ACTIVE",
          endSessions: hasPermission(principal, "users:update"),
          clearLock: isSuperAdmin,
          deactivate: hasPermission(principal, "users:delete") && !isSelf,
          erase: isSuperAdmin && !isSelf && user.deactivatedAt !== null,
        }}
        notice={noticeFor(c.req.query("notice"))}
      />,
      { title: `Security of ${user.firstName} ${user.lastName}` },
    );
  })
  .get("/:id/deactivate", usersDelete, async (c) => {
    const user = await requireSubject(c);
    return confirm(c, user, {
      title: `Deactivate ${user.displayName}?`,
      message: `${user.email} will be signed out everywhere at once, their API tokens stop working, and they cannot sign in until reactivated. Memberships and history are kept.`,
      action: "deactivate",
      label: "Deactivate",
    });
  })
  .post("/:id/deactivate", usersDelete, async (c) => {
    await deactivateUser(domainContext(c), c.req.param("id"));
    return backToSecurity(c, "user-deactivated");
  })
  .post("/:id/reactivate", usersDelete, async (c) => {
    await reactivateUser(domainContext(c), c.req.param("id"));
    return backToSecurity(c, "user-reactivated");
  })
  .post("/:id/end-sessions", usersUpdate, async (c) => {
    await endUserSessions(domainContext(c), c.req.param("id"));
    return backToSecurity(c, "sessions-ended");
  })
  .post("/:id/clear-lock", usersUpdate, async (c) => {
    await clearSignInLock(domainContext(c), c.req.param("id"));
    return backToSecurity(c, "lock-cleared");
  })
  .get("/:id/reset-two-factor", usersUpdate, async (c) => {
    const user = await requireSubject(c);
    assertRecentSignIn(domainContext(c));
    return confirm(c, user, {
      title: `Reset two-factor of ${user.displayName}?`,
      message:
        "Their authenticator and recovery codes stop working and their sessions end. You get a link for them to enroll a new authenticator; they keep their password.",
      action: "reset-two-factor",
      label: "Reset two-factor",
    });
  })
  .post("/:id/reset-two-factor", usersUpdate, async (c) => {
    const principal = currentPrincipal(c);
    const issued = await resetTwoFactor(domainContext(c), c.req.param("id"));
    return c.render(
      <SetupLinkIssuedPage
        heading="Two-factor reset"
        message={`${issued.user.displayName}'s authenticator was removed and their sessions ended. Give them this link to enroll a new one; an email tells them too.`}
        setupUrl={issued.setupUrl}
        expiresAtText={formatDateTime(issued.setupLinkExpiresAt, principal.user.timeZone)}
        subjectUserId={issued.user.id}
      />,
      { title: "Two-factor reset" },
    );
  })
  .get("/:id/erase", usersDelete, async (c) => {
    const user = await requireSubject(c);
    assertRecentSignIn(domainContext(c));
    return confirm(c, user, {
      title: `Erase ${user.displayName}'s personal data?`,
      message:
        "Name, email and Slack ID are replaced by a tombstone, credentials and mail copies are deleted, memberships are revoked. This cannot be undone. The audit log keeps its records.",
      action: "erase",
      label: "Erase personal data",
    });
  })
  .post("/:id/erase", usersDelete, async (c) => {
    await eraseUser(domainContext(c), c.req.param("id"));
    return c.redirect("/admin/users?notice=user-erased", 303);
  });
