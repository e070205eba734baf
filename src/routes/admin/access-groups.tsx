// Admin → Access groups: list and create, one group's name, description and permissions, and its
// deletion behind a confirmation (docs/PRODUCT.md §1, §9). Members: access-group-members.tsx.
import { Hono } from "hono";
import { AccessGroupsPage } from "../../../views/pages/admin/access-groups-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { hasPermission } from "../../domain/access";
import { deleteGroup } from "../../domain/groups/group-deletion";
import { assertMayChangeGroup } from "../../domain/groups/group-guards";
import { createGroup, createGroupSchema, updateGroup, updateGroupSchema } from "../../domain/groups/groups";
import { findGroup, listGroups } from "../../domain/groups/groups-read";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import {
  collectFieldErrors,
  type FieldErrors,
  fieldErrorsOf,
  formList,
  formStatus,
  formValue,
  isFormError,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { layoutProps } from "../../http/navigation";
import { noticeFor } from "../../http/notices";
import { renderPage } from "../../http/render";
import { renderAccessGroup } from "./render-access-group";

type GroupForm = { name: string; description: string; permissions: string[] };

/** Checkbox errors arrive as "permissions.3": show them on the matrix. */
function groupFieldErrors(errors: FieldErrors): FieldErrors {
  const merged: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) merged[field.startsWith("permissions") ? "permissions" : field] ??= message;
  return merged;
}

async function renderGroupList(c: AppContext, form: GroupForm | null, errors: FieldErrors, status: 200 | 400 | 403 | 409 = 200) {
  const principal = currentPrincipal(c);
  const page = await listGroups(domainContext(c), { cursor: c.req.query("cursor") || undefined, limit: 50 });
  return renderPage(
    c,
    <AccessGroupsPage
      {...layoutProps(c, principal)}
      groups={page.items}
      nextPageHref={page.nextCursor ? `/admin/access-groups?cursor=${encodeURIComponent(page.nextCursor)}` : null}
      createForm={
        hasPermission(principal, "groups:create")
          ? { values: form ?? { name: "", description: "", permissions: [] }, errors, grantable: [...principal.permissions] }
          : null
      }
      notice={noticeFor(c.req.query("notice"))}
    />,
    status,
  );
}

export const adminAccessGroupRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "groups:read" }), (c) => renderGroupList(c, null, {}))
  .post("/", requireAccess({ kind: "console", permission: "groups:create" }), async (c) => {
    const { values, errors } = await readFormFields(c, { fields: ["name", "description"], lists: ["permissions"] });
    const form = {
      name: formValue(values, "name"),
      description: formValue(values, "description"),
      permissions: formList(values, "permissions"),
    };
    if (errors.form) return renderGroupList(c, form, errors, 400);
    const parsed = createGroupSchema.safeParse(form);
    if (!parsed.success) return renderGroupList(c, form, groupFieldErrors(collectFieldErrors(parsed.error)), 400);
    try {
      const group = await createGroup(domainContext(c), parsed.data);
      return c.redirect(`/admin/access-groups/${group.id}?notice=group-created`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderGroupList(c, form, groupFieldErrors(fieldErrorsOf(error)), formStatus(error));
    }
  })
  .get("/:id", requireAccess({ kind: "console", permission: "groups:read" }), (c) => renderAccessGroup(c, c.req.param("id")))
  .post("/:id", requireAccess({ kind: "console", permission: "groups:update" }), async (c) => {
    const values = await readFormValues(c, { fields: ["name", "description"] });
    const form = { name: formValue(values, "name"), description: formValue(values, "description") };
    const parsed = updateGroupSchema.safeParse(form);
    try {
      if (!parsed.success)
        return renderAccessGroup(c, c.req.param("id"), {
          details: { values: form, errors: collectFieldErrors(parsed.error) },
          status: 400,
        });
      await updateGroup(domainContext(c), c.req.param("id"), parsed.data);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderAccessGroup(c, c.req.param("id"), {
        details: { values: form, errors: fieldErrorsOf(error) },
        status: formStatus(error),
      });
    }
    return c.redirect(`/admin/access-groups/${c.req.param("id")}?notice=group-updated`, 303);
  })
  .post("/:id/permissions", requireAccess({ kind: "console", permission: "groups:update" }), async (c) => {
    const selected = formList(await readFormValues(c, { fields: [], lists: ["permissions"] }), "permissions");
    const parsed = updateGroupSchema.safeParse({ permissions: selected });
    try {
      if (!parsed.success) {
        const error = groupFieldErrors(collectFieldErrors(parsed.error)).permissions;
        return renderAccessGroup(c, c.req.param("id"), { permissions: { selected, error }, status: 400 });
      }
      await updateGroup(domainContext(c), c.req.param("id"), parsed.data);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.detail ?? error.title;
      return renderAccessGroup(c, c.req.param("id"), { permissions: { selected, error: message }, status: formStatus(error) });
    }
    return c.redirect(`/admin/access-groups/${c.req.param("id")}?notice=group-updated`, 303);
  })
  .post("/:id/delete", requireAccess({ kind: "console", permission: "groups:delete" }), async (c) => {
    const confirmed = formValue(await readFormValues(c, { fields: ["confirm"] }), "confirm") === "yes";
    if (confirmed) {
      // deleteGroup reads the group, its members and their permissions itself, in one batch.
      await deleteGroup(domainContext(c), c.req.param("id"));
      return c.redirect("/admin/access-groups?notice=group-deleted", 303);
    }
    const group = await findGroup(domainContext(c), c.req.param("id"));
    if (!group) throw new AppError("NOT_FOUND");
    assertMayChangeGroup(domainContext(c), group);
    return renderPage(
      c,
      <ConfirmPage
        {...layoutProps(c, currentPrincipal(c))}
        title={`Delete the group “${group.name}”?`}
        message={`Its ${group.memberCount} member(s) lose its permissions (${group.permissions.join(", ") || "none"}) on their next request. This cannot be undone; the audit log keeps the group's history.`}
        action={`/admin/access-groups/${group.id}/delete`}
        hiddenFields={{ confirm: "yes" }}
        confirmLabel="Delete group"
        cancelHref={`/admin/access-groups/${group.id}`}
      />,
    );
  });
