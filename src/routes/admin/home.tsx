// /admin: where staff land after signing in (docs/PRODUCT.md §9): what needs their attention (only
// the parts authorize() lets them open), their tenants, and who to ask when they have no access yet.
import { differenceInCalendarDays } from "date-fns";
import { Hono } from "hono";
import { ConsoleHomePage } from "../../../views/pages/admin/console-home-page";
import { authorize } from "../../domain/access";
import { readAttention } from "../../domain/attention";
import { listActiveSuperAdmins } from "../../domain/users/users-list";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppEnv, domainContext } from "../../http/app-env";
import { buildNavigation } from "../../http/navigation";

export const adminHomeRoutes = new Hono<AppEnv>().get("/", requireAccess({ kind: "console" }), async (c) => {
  const principal = currentPrincipal(c);
  const now = c.get("now");
  // Access reviews is every staff member's section (the reviews they are asked about, if any): it
  // grants access to nothing, so someone who has only it still has no access yet.
  const sections = buildNavigation(principal, "/admin").filter(
    (item) => item.href !== "/admin" && item.href !== "/admin/reviews",
  );
  const ctx = domainContext(c);
  const hasNoAccess = sections.length === 0 && principal.memberships.length === 0;
  const attention = await readAttention(ctx, {
    pendingInvites: authorize(principal, { kind: "console", permission: "users:read" }).allowed,
    expiringMemberships: authorize(principal, { kind: "console", permission: "memberships:read" }).allowed,
    failedEmails: authorize(principal, { kind: "instance-admin" }).allowed,
  });
  const administrators = hasNoAccess ? await listActiveSuperAdmins(ctx) : [];
  return c.render(
    <ConsoleHomePage
      displayName={principal.user.displayName}
      timeZone={principal.user.timeZone}
      hasNoAccess={hasNoAccess}
      attention={{
        pendingInvites: attention.pendingInvites,
        failedEmails: attention.failedEmails,
        expiringMemberships: attention.expiringMemberships && {
          count: attention.expiringMemberships.count,
          soonest: attention.expiringMemberships.soonest.map((row) => ({
            userName: row.userName,
            tenantName: row.tenantName,
            expiresAt: row.membership.expiresAt,
          })),
        },
      }}
      tenants={principal.memberships.map((membership) => ({
        slug: membership.tenantSlug,
        name: membership.tenantName,
        role: membership.role,
        expiresAt: membership.expiresAt,
        daysLeft: membership.expiresAt ? differenceInCalendarDays(membership.expiresAt, now) : null,
      }))}
      administrators={administrators}
    />,
    { title: "Home" },
  );
});
