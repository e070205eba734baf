// Admin → Directories (docs/PRODUCT.md "Directories (SCIM)"): SUPER_ADMIN only, whatever access
// groups grant, since a directory creates accounts and its token is a standing credential. Every
// form is Post/Redirect/Get; a new token travels once in the sealed flash (src/http/flash.ts).
import { Hono } from "hono";
import { directoryGroupRowId, type RefusedGroupMapping } from "../../../views/components/directory-tables";
import { DirectoriesPage } from "../../../views/pages/admin/directories-page";
import { DirectoryPage } from "../../../views/pages/admin/directory-page";
import { NewDirectoryPage } from "../../../views/pages/admin/new-directory-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import {
  createDirectory,
  createDirectorySchema,
  renameDirectory,
  renameDirectorySchema,
  revokeDirectoryToken,
  rotateDirectoryToken,
} from "../../domain/directories/directories";
import {
  type DirectoryGroupOfDirectory,
  listDirectories,
  loadDirectoryGroup,
  loadDirectoryPage,
  loadNewDirectoryChoices,
} from "../../domain/directories/directories-read";
import {
  type DirectoryGroupMapping,
  directoryGroupMappingSchema,
  setDirectoryGroupMapping,
} from "../../domain/directories/directory-group-mapping";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash, takeSecret } from "../../http/flash";
import {
  collectFieldErrors,
  type FieldErrors,
  formRefusal,
  formValue,
  handleForm,
  parseFormInput,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { directoryGroupRoleLabels } from "../../labels";

const forbiddenDetail =
  "Only a Super admin can manage directories: a directory creates accounts and holds a standing token.";

/** The form's one "Provisions" select: "staff" or "tenant:<id>". */
function readOwner(name: string, owner: string) {
  if (owner === "staff") return parseFormInput(createDirectorySchema, { scope: "staff", name });
  if (owner.startsWith("tenant:")) {
    return parseFormInput(createDirectorySchema, { scope: "tenant", name, tenantId: owner.slice("tenant:".length) });
  }
  // Say what is wrong with the name too: the form shows every problem at once.
  const named = createDirectorySchema.safeParse({ scope: "staff", name });
  const nameErrors = named.success ? {} : collectFieldErrors(named.error);
  throw formRefusal({ ...nameErrors, owner: "Choose whom the directory provisions: the staff or one company." });
}

/** The domain names the scope or the tenant; the form has one select for both. */
function ownerErrors(errors: FieldErrors): FieldErrors {
  const { scope, tenantId, ...rest } = errors;
  const owner = rest.owner ?? scope ?? tenantId;
  return owner ? { ...rest, owner } : rest;
}

async function showNewDirectory(c: AppContext, values: { name: string; owner: string }, errors: FieldErrors) {
  const choices = await loadNewDirectoryChoices(domainContext(c));
  return c.render(<NewDirectoryPage {...choices} values={values} errors={errors} />, { title: "New directory" });
}

/** A name inside a flash (at most 500 characters in all), cut short when it is very long. */
function quoted(name: string): string {
  return `“${name.length > 80 ? `${name.slice(0, 79)}…` : name}”`;
}

/** What the group grants now, in words, for the flash next to its row. */
function describeGroupMapping(found: DirectoryGroupOfDirectory, mapping: DirectoryGroupMapping): string {
  const group = quoted(found.group.displayName);
  if (found.directory.scope === "tenant") {
    const company = found.directory.tenantName ?? "the company";
    if (mapping.mappedRole === "CLIENT_ADMIN") return `Members of ${group} are now Client admins of ${company}.`;
    if (mapping.mappedRole === "CLIENT_VIEWER") {
      return `Members of ${group} are now Client viewers of ${company}, unless another group makes them Client admins.`;
    }
    return `${group} grants nothing now: its members are Client viewers of ${company} unless another group makes them Client admins.`;
  }
  const accessGroup = found.accessGroupName ? quoted(found.accessGroupName) : null;
  const role = mapping.mappedRole ? `${directoryGroupRoleLabels[mapping.mappedRole]}s` : null;
  if (role && accessGroup) return `Members of ${group} are now ${role} and members of the access group ${accessGroup}.`;
  if (role) return `Members of ${group} are now ${role}; the group fills no access group.`;
  if (accessGroup) {
    return `Members of ${group} are now members of the access group ${accessGroup}; the group grants no role (they are Operators unless another group makes them Contractors).`;
  }
  return `${group} grants nothing now: no role and no access group.`;
}

async function showDirectory(
  c: AppContext,
  rename?: { value: string; errors: FieldErrors },
  mappingRefusal?: RefusedGroupMapping,
) {
  const page = await loadDirectoryPage(domainContext(c), c.req.param("id") ?? "");
  const flash = c.req.method === "GET" ? await takeFlash(c) : undefined;
  const newToken = takeSecret(flash, "directory-token", page.directory.id);
  return c.render(
    <DirectoryPage
      timeZone={currentPrincipal(c).user.timeZone}
      page={page}
      newToken={newToken}
      tokenWasShown={!newToken && c.req.query("token") !== undefined}
      shownTokenId={newToken ? (c.req.query("token") ?? null) : null}
      flash={flash}
      rename={rename ?? { value: page.directory.name, errors: {} }}
      mappingRefusal={mappingRefusal}
    />,
    { title: page.directory.name },
  );
}

export const adminDirectoryRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "console" }), requireAccess({ kind: "instance-admin" }, { forbiddenDetail }))
  .get("/", async (c) => {
    const { items, truncated } = await listDirectories(domainContext(c));
    return c.render(
      <DirectoriesPage
        timeZone={currentPrincipal(c).user.timeZone}
        rows={items}
        truncated={truncated}
        flash={await takeFlash(c)}
      />,
      { title: "Directories" },
    );
  })
  .get("/new", (c) => showNewDirectory(c, { name: "", owner: "" }, {}))
  .post("/", async (c) => {
    const form = await readFormFields(c, { fields: ["name", "owner"] });
    const typed = { name: formValue(form.values, "name"), owner: formValue(form.values, "owner") };
    return handleForm(c, form, {
      act: async () => {
        const created = await createDirectory(domainContext(c), readOwner(typed.name, typed.owner));
        await setFlash(c, {
          tone: "success",
          message: `The directory "${created.directory.name}" was created for ${created.tenantName ?? "the staff"}. Copy its token now: it is shown only once.`,
          secret: { kind: "directory-token", subject: created.directory.id, value: created.secret },
        });
        return c.redirect(`/admin/directories/${created.directory.id}?token=${created.token.id}`, 303);
      },
      showAgain: (errors) => showNewDirectory(c, typed, ownerErrors(errors)),
    });
  })
  .get("/:id", (c) => showDirectory(c))
  .post("/:id/tokens", async (c) => {
    await readFormValues(c, { fields: [] });
    const rotated = await rotateDirectoryToken(domainContext(c), c.req.param("id"));
    await setFlash(c, {
      tone: "success",
      message: `"${rotated.directory.name}" has a new token; its older tokens keep working until 24 hours from now. Copy the new one now: it is shown only once.`,
      secret: { kind: "directory-token", subject: rotated.directory.id, value: rotated.secret },
    });
    return c.redirect(`/admin/directories/${rotated.directory.id}?token=${rotated.token.id}`, 303);
  })
  .post("/:id/tokens/:tokenId/revoke", async (c) => {
    const id = c.req.param("id");
    const confirmed = formValue(await readFormValues(c, { fields: ["confirm"] }), "confirm") === "yes";
    if (confirmed) {
      const { directory } = await revokeDirectoryToken(domainContext(c), id, c.req.param("tokenId"));
      await setFlash(c, {
        tone: "success",
        message: `A token of "${directory.name}" was revoked: requests that send it are refused from now on.`,
      });
      return c.redirect(`/admin/directories/${id}#tokens-heading`, 303);
    }
    const page = await loadDirectoryPage(domainContext(c), id);
    const title = `Revoke a token of "${page.directory.name}"?`;
    return c.render(
      <ConfirmPage
        title={title}
        message="The identity provider's requests that send this token are refused from the next one on. If it is the only live token, provisioning stops until you replace it."
        action={`/admin/directories/${id}/tokens/${c.req.param("tokenId")}/revoke`}
        hiddenFields={{ confirm: "yes" }}
        confirmLabel="Revoke token"
        cancelHref={`/admin/directories/${id}`}
      />,
      { title },
    );
  })
  .post("/:id/groups/:groupId/mapping", async (c) => {
    const form = await readFormFields(c, { fields: ["mappedRole", "accessGroupId"] });
    const typed = {
      mappedRole: formValue(form.values, "mappedRole"),
      accessGroupId: formValue(form.values, "accessGroupId"),
    };
    const groupId = c.req.param("groupId");
    return handleForm(c, form, {
      act: async () => {
        const mapping = parseFormInput(directoryGroupMappingSchema, typed);
        const found = await loadDirectoryGroup(domainContext(c), c.req.param("id"), groupId, mapping.accessGroupId);
        await setDirectoryGroupMapping(domainContext(c), found.group.id, mapping);
        await setFlash(c, {
          tone: "success",
          message: describeGroupMapping(found, mapping),
          near: directoryGroupRowId(found.group.id),
        });
        return c.redirect(`/admin/directories/${found.directory.id}#${directoryGroupRowId(found.group.id)}`, 303);
      },
      showAgain: (errors) => showDirectory(c, undefined, { groupId, values: typed, errors }),
    });
  })
  .post("/:id/name", async (c) => {
    const form = await readFormFields(c, { fields: ["name"] });
    const typed = formValue(form.values, "name");
    return handleForm(c, form, {
      act: async () => {
        const renamed = await renameDirectory(
          domainContext(c),
          c.req.param("id"),
          parseFormInput(renameDirectorySchema, { name: typed }),
        );
        await setFlash(c, { tone: "success", message: `The directory is now called "${renamed.directory.name}".` });
        return c.redirect(`/admin/directories/${renamed.directory.id}`, 303);
      },
      showAgain: (errors) => showDirectory(c, { value: typed, errors }),
    });
  });
