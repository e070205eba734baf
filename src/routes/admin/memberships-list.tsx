// Admin → Memberships, the page: active memberships across tenants with their filters (soonest
// expiry first, a page at a time), the cron's health and the add form; also shown again, as typed,
// when a form posted from it is refused (memberships.tsx).
import { JobHealthLine } from "../../../views/components/job-health";
import { MembershipsPage } from "../../../views/pages/admin/memberships-page";
import { membershipRoles } from "../../db/schema";
import { hasPermission } from "../../domain/access";
import { listMembershipsQuerySchema, readMembershipsPage } from "../../domain/memberships/memberships-read";
import { currentPrincipal } from "../../http/access";
import { type AppContext, domainContext } from "../../http/app-env";
import { takeFlash } from "../../http/flash";
import { collectFieldErrors } from "../../http/forms";
import { membershipsListPath } from "./membership-return";
import { type MembershipFormsShownAgain, membershipFormProps, membershipTableProps } from "./view-models";

const filterKeys = ["tenantId", "userEmail", "role", "expiringWithinDays"] as const;

/** Admin → Memberships with the filters of `params` (the page's own query, or a form's returnTo). */
export async function showMembershipsList(
  c: AppContext,
  params: URLSearchParams,
  shownAgain: MembershipFormsShownAgain = {},
) {
  const principal = currentPrincipal(c);
  const filters = Object.fromEntries(filterKeys.map((key) => [key, params.get(key) ?? ""])) as Record<
    (typeof filterKeys)[number],
    string
  >;
  const parsed = listMembershipsQuerySchema.safeParse({
    ...Object.fromEntries(filterKeys.map((key) => [key, filters[key] || undefined])),
    cursor: params.get("cursor") || undefined,
  });
  const { page, tenants, health } = await readMembershipsPage(domainContext(c), parsed.success ? parsed.data : null);
  const filterQuery = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ""));
  const next = new URLSearchParams(filterQuery);
  if (page.nextCursor) next.set("cursor", page.nextCursor);
  const returnTo = filterQuery.size > 0 ? `${membershipsListPath}?${filterQuery.toString()}` : membershipsListPath;
  // A refusal shown again keeps its own status; filters that are not valid are the page's own 400.
  if (!parsed.success && !shownAgain.add && !shownAgain.row) c.status(400);
  return c.render(
    <MembershipsPage
      filters={filters}
      tenants={tenants}
      roles={membershipRoles}
      health={<JobHealthLine health={health} timeZone={principal.user.timeZone} />}
      table={membershipTableProps(principal, page.items, c.get("now"), {
        show: { user: true, tenant: true },
        returnTo,
        caption: "Active memberships",
        refused: shownAgain.row,
      })}
      nextPageHref={page.nextCursor ? `${membershipsListPath}?${next.toString()}` : null}
      form={
        hasPermission(principal, "memberships:create")
          ? membershipFormProps(
              principal,
              {
                action: membershipsListPath,
                returnTo,
                fixed: {},
                tenants,
                userEmail: true,
                roleOptions: membershipRoles,
              },
              shownAgain.add,
            )
          : null
      }
      flash={shownAgain.add || shownAgain.row ? undefined : await takeFlash(c)}
      filterError={
        parsed.success
          ? undefined
          : `These filters are not valid: ${Object.values(collectFieldErrors(parsed.error)).join(" ")}`
      }
    />,
    { title: "Memberships" },
  );
}
