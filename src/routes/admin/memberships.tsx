// Admin → Memberships (docs/PRODUCT.md §3): the list with filters, adding, extending and removing.
// The list, a user's Memberships tab and a tenant's settings page post here and name themselves in
// `returnTo` (membership-return.ts): a success sets a flash about the row and redirects there, a
// refusal shows that page again with the refused form as typed and the error next to its field.
// Editing one membership is its own page (membership-edit.tsx).
import { Hono } from "hono";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { hasPermission, type Permission } from "../../domain/access";
import {
  extendMembership,
  grantMembershipSchema,
  grantMembershipTo,
  revokeMembership,
} from "../../domain/memberships/memberships";
import { findMembershipWithParties } from "../../domain/memberships/memberships-read";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash } from "../../http/flash";
import {
  type FieldErrors,
  type FormValues,
  formRefusal,
  formValue,
  formValuesAsStrings,
  handleForm,
  parseFormInput,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { localDateTimeToIso } from "../../http/time-input";
import { labelMembershipRole } from "../../labels";
import { adminMembershipEditRoutes } from "./membership-edit";
import {
  type MembershipOrigin,
  membershipOriginPatterns,
  membershipReturnPath,
  membershipRowPath,
} from "./membership-return";
import { showMembershipsList } from "./memberships-list";
import { showTenantSettings } from "./tenants";
import { showUserMemberships } from "./user-tabs";
import { describeGrant, describeNewEnd, type MembershipFormsShownAgain } from "./view-models";

// The fields each form posts here (views/components/membership-form.tsx and membership-table.tsx).
const addFields = { fields: ["returnTo", "userId", "userEmail", "tenantId", "role", "expiresAt"] };
const extendFields = { fields: ["returnTo", "days"] };
const returnOnlyFields = { fields: ["returnTo"] };

/** The pages that post membership forms: the permissions their own routes require, and how to show each again. */
const originPages: Record<
  MembershipOrigin,
  {
    needs: Permission[];
    show: (c: AppContext, match: string, url: URL, shownAgain: MembershipFormsShownAgain) => Promise<Response>;
  }
> = {
  user: {
    needs: ["users:read", "memberships:read"],
    show: (c, userId, _url, shownAgain) => showUserMemberships(c, userId, shownAgain),
  },
  tenant: {
    needs: ["tenants:read"],
    show: (c, slug, url, shownAgain) =>
      showTenantSettings(c, slug, shownAgain, url.searchParams.get("cursor") || undefined),
  },
  list: {
    needs: ["memberships:read"],
    show: (c, _match, url, shownAgain) => showMembershipsList(c, url.searchParams, shownAgain),
  },
};

/**
 * The page a refused membership form came from (its returnTo), shown again with the form as typed
 * and the errors next to its fields. A caller who may not see that page gets the refusal on the
 * error page instead: showing it again must not reveal what its own route would not.
 */
function showOriginAgain(c: AppContext, values: FormValues, shownAgain: MembershipFormsShownAgain, refusal: AppError) {
  const url = new URL(membershipReturnPath(values.returnTo), "https://gatehouse.invalid");
  const principal = currentPrincipal(c);
  for (const [origin, pattern] of Object.entries(membershipOriginPatterns)) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    const page = originPages[origin as MembershipOrigin];
    if (!page.needs.every((permission) => hasPermission(principal, permission))) throw refusal;
    return page.show(c, match[1] ?? "", url, shownAgain);
  }
  throw refusal;
}

/** The refusal itself, for the error page, whether the form did not parse or the domain refused it. */
function refusalOf(errors: FieldErrors, refusal: AppError | null): AppError {
  return refusal ?? formRefusal(errors);
}

/** The membership a duplicate refusal names (errors.ts extensions), for a link to it. */
function existingMembershipOf(refusal: AppError | null): string | undefined {
  const id = refusal?.code === "DUPLICATE_MEMBERSHIP" ? refusal.extensions.existingMembershipId : undefined;
  return typeof id === "string" ? id : undefined;
}

export const adminMembershipRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "memberships:read" }), (c) =>
    showMembershipsList(c, new URL(c.req.url).searchParams),
  )
  .post("/", requireAccess({ kind: "console", permission: "memberships:create" }), async (c) => {
    const timeZone = currentPrincipal(c).user.timeZone;
    const form = await readFormFields(c, addFields);
    return handleForm(c, form, {
      act: async (values) => {
        const input = parseFormInput(grantMembershipSchema.omit({ userId: true }), {
          tenantId: formValue(values, "tenantId"),
          role: formValue(values, "role"),
          expiresAt: localDateTimeToIso(formValue(values, "expiresAt"), timeZone, "expiresAt"),
        });
        // The tab of a user posts their id; the memberships and tenant pages post an email.
        const userId = formValue(values, "userId");
        const granted = await grantMembershipTo(
          domainContext(c),
          userId ? { id: userId } : { email: formValue(values, "userEmail") },
          input,
        );
        await setFlash(c, {
          message: describeGrant(granted, timeZone),
          tone: "success",
          near: `membership-${granted.id}`,
        });
        return c.redirect(membershipRowPath(membershipReturnPath(values.returnTo), granted.id), 303);
      },
      showAgain: (errors, refusal) =>
        showOriginAgain(
          c,
          form.values,
          {
            add: {
              values: formValuesAsStrings(form.values),
              errors,
              existingMembershipId: existingMembershipOf(refusal),
            },
          },
          refusalOf(errors, refusal),
        ),
    });
  })
  .post("/:id/extend", requireAccess({ kind: "console", permission: "memberships:update" }), async (c) => {
    const form = await readFormFields(c, extendFields);
    return handleForm(c, form, {
      act: async (values) => {
        const days = Number(formValue(values, "days"));
        if (days !== 30 && days !== 90) throw formRefusal({ days: "Extend by 30 or 90 days." });
        const extended = await extendMembership(domainContext(c), c.req.param("id"), days);
        await setFlash(c, {
          message: describeNewEnd(extended, currentPrincipal(c).user.timeZone),
          tone: "success",
          near: `membership-${extended.id}`,
        });
        return c.redirect(membershipRowPath(membershipReturnPath(values.returnTo), extended.id), 303);
      },
      // Whatever refused it, the message goes next to the row's extend buttons.
      showAgain: (errors, refusal) =>
        showOriginAgain(
          c,
          form.values,
          { row: { id: c.req.param("id"), message: Object.values(errors).join(" ") } },
          refusalOf(errors, refusal),
        ),
    });
  })
  .get("/:id/remove", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    const found = await findMembershipWithParties(domainContext(c), c.req.param("id"));
    if (!found || found.membership.revokedAt) throw new AppError("NOT_FOUND");
    const backHref = membershipReturnPath(c.req.query("returnTo"));
    return c.render(
      <ConfirmPage
        title="Remove this membership?"
        message={`${found.userName} (${found.userEmail}) loses ${labelMembershipRole(found.membership.role)} access to ${found.tenantName} on their next request. The membership stays on record as revoked.`}
        action={`/admin/memberships/${found.membership.id}/remove`}
        confirmLabel="Remove membership"
        cancelHref={backHref}
        hiddenFields={{ returnTo: backHref }}
      />,
      { title: "Remove this membership?" },
    );
  })
  .post("/:id/remove", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    const values = await readFormValues(c, returnOnlyFields);
    const removed = await revokeMembership(domainContext(c), c.req.param("id"));
    await setFlash(c, {
      message: `${removed.userName}'s access to ${removed.tenantName} was removed`,
      tone: "success",
    });
    return c.redirect(membershipReturnPath(values.returnTo), 303);
  })
  .route("/", adminMembershipEditRoutes);
