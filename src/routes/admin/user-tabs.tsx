// A user's Memberships and Security tabs (/admin/users/:id/memberships, /security) and the
// security actions: deactivate, reactivate, reset two-factor, end sessions, clear the lock, erase.
import { Hono } from "hono";
import { UserMembershipsPage } from "../../../views/pages/admin/user-memberships-page";
import { UserSecurityPage, userStatusSectionId } from "../../../views/pages/admin/user-security-page";
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
import { setFlash, takeFlash } from "../../http/flash";
import {
  fullName,
  type MembershipFormsShownAgain,
  membershipFormProps,
  membershipTableProps,
  userSubject,
  visibleUserTabs,
} from "./view-models";

export async function requireSubject(c: AppContext): Promise<UserRow> {
  const user = await findUserById(domainContext(c), c.req.param("id") ?? "");
  if (!user || user.erasedAt) throw new AppError("NOT_FOUND");
  return user;
}

/** Seals the link into the flash and redirects to the page that shows it once. */
export async function redirectToSetupLink(
  c: AppContext,
  message: string,
  issued: { user: { id: string }; setupUrl: string },
) {
  const { id } = issued.user;
  await setFlash(c, { message, tone: "success", secret: { kind: "setup-link", subject: id, value: issued.setupUrl } });
  return c.redirect(`/admin/users/${id}/setup-link`, 303);
}

function header(c: AppContext, user: UserRow, ownedBy: { name: string } | null) {
  return {
    subject: userSubject(user, c.get("now")),
    tabs: visibleUserTabs(currentPrincipal(c)),
    managedBy: ownedBy?.name ?? null,
  };
}

function confirm(
  c: AppContext,
  user: UserRow,
  options: { title: string; message: string; action: string; label: string; cancelTab?: "details" },
) {
  return c.render(
    <ConfirmPage
      title={options.title}
      message={options.message}
      action={`/admin/users/${user.id}/${options.action}`}
      confirmLabel={options.label}
      cancelHref={options.cancelTab === "details" ? `/admin/users/${user.id}` : `/admin/users/${user.id}/security`}
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
  const { user, page, tenants, ownedBy } = tab;
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
      header={header(c, user, ownedBy)}
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

// The actions below read the user once, in the domain function (findManageableUser), which returns
// it for the message: no read here. Deactivation lives on the Details tab, the rest on Security.
async function backTo(c: AppContext, tab: "details" | "security", message: string) {
  await setFlash(c, { message, tone: "success", ...(tab === "details" ? { near: userStatusSectionId } : {}) });
  const base = `/admin/users/${c.req.param("id")}`;
  // The fragment scrolls to the section the message is placed in.
  return c.redirect(tab === "details" ? `${base}#${userStatusSectionId}` : `${base}/security`, 303);
}
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
        header={header(c, user, facts.ownedBy)}
        factors={facts.factors}
        timeZone={principal.user.timeZone}
        policyHref={isSuperAdmin ? "/admin/sign-in-policy" : undefined}
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
        flash={await takeFlash(c)}
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
      cancelTab: "details",
    });
  })
  .post("/:id/deactivate", usersDelete, async (c) => {
    const user = await deactivateUser(domainContext(c), c.req.param("id"));
    return backTo(c, "details", `${fullName(user)} was deactivated. Their sessions and API tokens stopped working.`);
  })
  .post("/:id/reactivate", usersDelete, async (c) => {
    const user = await reactivateUser(domainContext(c), c.req.param("id"));
    return backTo(c, "details", `${fullName(user)} was reactivated and can sign in again.`);
  })
  .post("/:id/end-sessions", usersUpdate, async (c) => {
    const user = await endUserSessions(domainContext(c), c.req.param("id"));
    return backTo(c, "security", `${fullName(user)}'s sessions were ended; they need to sign in again.`);
  })
  .post("/:id/clear-lock", usersUpdate, async (c) => {
    const user = await clearSignInLock(domainContext(c), c.req.param("id"));
    return backTo(c, "security", `The sign-in lock on ${fullName(user)}'s account was cleared.`);
  })
  .get("/:id/reset-two-factor", usersUpdate, async (c) => {
    const user = await requireSubject(c);
    assertRecentSignIn(domainContext(c));
    return confirm(c, user, {
      title: `Reset two-factor of ${user.displayName}?`,
      message:
        "Their passkeys, authenticator app and recovery codes stop working and their sessions end. You get a link for them to set up a passkey or an authenticator app again; they keep their password.",
      action: "reset-two-factor",
      label: "Reset two-factor",
    });
  })
  .post("/:id/reset-two-factor", usersUpdate, async (c) => {
    const issued = await resetTwoFactor(domainContext(c), c.req.param("id"));
    return redirectToSetupLink(
      c,
      `${fullName(issued.user)}'s passkeys and authenticator app were removed and their sessions ended. Give them this link to set up a passkey or an authenticator app again; an email tells them too.`,
      issued,
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
    const user = await eraseUser(domainContext(c), c.req.param("id"));
    await setFlash(c, {
      message: `${fullName(user)}'s personal data was erased. The audit log keeps its records.`,
      tone: "success",
    });
    return c.redirect("/admin/users", 303);
  });
