// Admin → Access groups: the list and new groups (docs/PRODUCT.md §1, §9). One group's page and the
// forms posted from it: access-group.tsx.
import { Hono } from "hono";
import { AccessGroupsPage } from "../../../views/pages/admin/access-groups-page";
import { hasPermission } from "../../domain/access";
import { createGroup, createGroupSchema } from "../../domain/groups/groups";
import { listGroups } from "../../domain/groups/groups-read";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import { type FieldErrors, formList, formValue, handleForm, parseFormInput, readFormFields } from "../../http/forms";
import { groupFieldErrors } from "./access-group";

type GroupForm = { name: string; description: string; permissions: string[] };

async function showGroupList(c: AppContext, form: GroupForm | null, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const page = await listGroups(domainContext(c), { cursor: c.req.query("cursor") || undefined, limit: 50 });
  return c.render(
    <AccessGroupsPage
      groups={page.items}
      nextPageHref={page.nextCursor ? `/admin/access-groups?cursor=${encodeURIComponent(page.nextCursor)}` : null}
      createForm={
        hasPermission(principal, "groups:create")
          ? {
              values: form ?? { name: "", description: "", permissions: [] },
              errors,
              grantable: [...principal.permissions],
            }
          : null
      }
      flash={c.req.method === "GET" ? await takeFlash(c) : undefined}
    />,
    { title: "Access groups" },
  );
}

export const adminAccessGroupsRoutes = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "groups:read" }), (c) => showGroupList(c, null, {}))
  .post("/", requireAccess({ kind: "console", permission: "groups:create" }), async (c) => {
    const form = await readFormFields(c, { fields: ["name", "description"], lists: ["permissions"] });
    const typed = {
      name: formValue(form.values, "name"),
      description: formValue(form.values, "description"),
      permissions: formList(form.values, "permissions"),
    };
    return handleForm(c, form, {
      act: async () => {
        const group = await createGroup(domainContext(c), parseFormInput(createGroupSchema, typed));
        await setFlash(c, {
          tone: "success",
          message: `The access group "${group.name}" was created with ${group.permissions.length} permission${group.permissions.length === 1 ? "" : "s"}. Add its members below.`,
        });
        return c.redirect(`/admin/access-groups/${group.id}`, 303);
      },
      showAgain: (errors) => showGroupList(c, typed, groupFieldErrors(errors)),
    });
  });
