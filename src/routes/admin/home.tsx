// /admin: where staff land after signing in (docs/PRODUCT.md §9): the sections they may open, their
// tenants, and who to ask when they have no access yet.
import { differenceInCalendarDays } from "date-fns";
import { Hono } from "hono";
import { ConsoleHomePage } from "../../../views/pages/admin/console-home-page";
import { listActiveSuperAdmins } from "../../domain/users/users-list";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppEnv, domainContext } from "../../http/app-env";
import { buildNavigation } from "../../http/navigation";

export const adminHomeRoutes = new Hono<AppEnv>().get("/", requireAccess({ kind: "console" }), async (c) => {
  const principal = currentPrincipal(c);
  const now = c.get("now");
  const sections = buildNavigation(principal, "/admin").filter((item) => item.href !== "/admin");
  const administrators =
    sections.length === 0 && principal.memberships.length === 0 ? await listActiveSuperAdmins(domainContext(c)) : [];
  return c.render(
    <ConsoleHomePage
      displayName={principal.user.displayName}
      timeZone={principal.user.timeZone}
      sections={sections}
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
