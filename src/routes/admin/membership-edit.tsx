// One membership's edit page (GET/POST /admin/memberships/:id/edit): role and expiry, typed in the
// admin's time zone. The tables link here with their page as `returnTo`; a saved change sets a
// flash about the row and goes back there, a refused one shows this page again with what was typed
// and the error by its field (never a message page).
import { Hono } from "hono";
import { MembershipEditPage } from "../../../views/pages/admin/membership-edit-page";
import { changeMembership, changeMembershipSchema } from "../../domain/memberships/memberships";
import { findManageableMembership, type MembershipWithParties } from "../../domain/memberships/memberships-read";
import { fittingRolesFor } from "../../domain/memberships/memberships-rules";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash } from "../../http/flash";
import { type FieldErrors, formValue, handleForm, parseFormInput, readFormFields } from "../../http/forms";
import { isoToLocalDateTime, localDateTimeToIso } from "../../http/time-input";
import { membershipReturnPath, membershipRowPath } from "./membership-return";
import { describeMembershipChange, toMembershipTableRow } from "./view-models";

const editFields = { fields: ["returnTo", "role", "expiresAt"] };

function renderEditPage(
  c: AppContext,
  found: MembershipWithParties,
  returnTo: string,
  form: { values: { role: string; expiresAt: string }; errors: FieldErrors },
) {
  return c.render(
    <MembershipEditPage
      membership={toMembershipTableRow(found)}
      roleOptions={fittingRolesFor(found.userRole)}
      timeZone={currentPrincipal(c).user.timeZone}
      returnTo={returnTo}
      values={form.values}
      errors={form.errors}
    />,
    { title: `${found.userName} in ${found.tenantName}` },
  );
}

const membershipsUpdate = requireAccess({ kind: "console", permission: "memberships:update" });

export const adminMembershipEditRoutes = new Hono<AppEnv>()
  .get("/:id/edit", membershipsUpdate, async (c) => {
    const found = await findManageableMembership(domainContext(c), c.req.param("id"));
    const timeZone = currentPrincipal(c).user.timeZone;
    return renderEditPage(c, found, membershipReturnPath(c.req.query("returnTo")), {
      values: { role: found.membership.role, expiresAt: isoToLocalDateTime(found.membership.expiresAt, timeZone) },
      errors: {},
    });
  })
  .post("/:id/edit", membershipsUpdate, async (c) => {
    const timeZone = currentPrincipal(c).user.timeZone;
    const form = await readFormFields(c, editFields);
    const returnTo = membershipReturnPath(form.values.returnTo);
    return handleForm(c, form, {
      act: async (values) => {
        const changes = parseFormInput(changeMembershipSchema, {
          role: formValue(values, "role"),
          expiresAt: localDateTimeToIso(formValue(values, "expiresAt"), timeZone, "expiresAt"),
        });
        const changed = await changeMembership(domainContext(c), c.req.param("id"), changes);
        await setFlash(c, {
          message: describeMembershipChange({ role: changed.previousRole }, changed, timeZone),
          tone: "success",
          near: `membership-${changed.id}`,
        });
        return c.redirect(membershipRowPath(returnTo, changed.id), 303);
      },
      // Read again, even when it expired meanwhile, so the page can say why; the user guard still holds.
      showAgain: async (errors) => {
        const found = await findManageableMembership(domainContext(c), c.req.param("id"), { expiredToo: true });
        const typed = { role: formValue(form.values, "role"), expiresAt: formValue(form.values, "expiresAt") };
        return renderEditPage(c, found, returnTo, { values: typed, errors });
      },
    });
  });
