// Admin → Sign-in policy (docs/PASSKEYS.md "The policy"): which global roles must sign in with a
// passkey, and who under it has none yet. SUPER_ADMIN only, like every instance-wide setting;
// saving needs a recent sign-in (the domain checks both again).
import { Hono } from "hono";
import * as z from "zod";
import { SignInPolicyPage } from "../../../views/pages/admin/sign-in-policy-page";
import { hasRecentSignIn } from "../../auth/session";
import { type GlobalRole, globalRoles } from "../../db/schema";
import {
  type PasskeyPolicyChange,
  passkeyPolicyRolesSchema,
  readPasskeyPolicyPage,
  setPasskeyRequiredRoles,
} from "../../domain/passkeys/passkey-policy";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash } from "../../http/flash";
import { formList, formValue, handleForm, parseFormInput, readFormFields } from "../../http/forms";
import { labelUserRole } from "../../labels";

const policyPath = "/admin/sign-in-policy";
const forbiddenDetail = "Only a Super admin can open the sign-in policy.";

// `shown` carries the roles the page showed, so a save made on a page another Super admin has
// changed since is refused (409) rather than undoing their change.
const policyFormSchema = z.strictObject({
  roles: passkeyPolicyRolesSchema,
  shown: z
    .string()
    .max(200)
    .transform((value) => value.split(",").filter(Boolean))
    .pipe(passkeyPolicyRolesSchema),
});

function describeChange({ added, removed }: PasskeyPolicyChange): string {
  const named = (roles: GlobalRole[]) => roles.map(labelUserRole).join(", ");
  if (added.length === 0 && removed.length === 0) return "Nothing changed: the sign-in policy was already as chosen.";
  const parts = [
    ...(added.length > 0 ? [`a passkey is now required for ${named(added)}`] : []),
    ...(removed.length > 0 ? [`no longer for ${named(removed)}`] : []),
  ];
  return `The sign-in policy was saved: ${parts.join("; ")}. It applies from each person's next sign-in.`;
}

/** The page; after a refusal, with the error and the boxes as ticked (or as stored, when `chosen` is unset). */
async function showPolicy(c: AppContext, refused?: { chosen: string[] | undefined; error: string }) {
  const principal = currentPrincipal(c);
  const policy = await readPasskeyPolicyPage(domainContext(c));
  const credential = principal.credential;
  const chosen = refused?.chosen ?? policy.requiredRoles;
  return c.render(
    <SignInPolicyPage
      roles={globalRoles.map((role) => ({ value: role, label: labelUserRole(role), checked: chosen.includes(role) }))}
      shown={policy.requiredRoles.join(",")}
      nonCompliant={policy.nonCompliant}
      hasRecentSignIn={credential.kind === "session" && hasRecentSignIn(credential, c.get("now"))}
      error={refused?.error}
      flash={refused ? undefined : await takeFlash(c)}
    />,
    { title: "Sign-in policy" },
  );
}

export const adminSignInPolicyRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "console" }), requireAccess({ kind: "instance-admin" }, { forbiddenDetail }))
  .get("/", (c) => showPolicy(c))
  .post("/", async (c) => {
    const form = await readFormFields(c, { fields: ["shown"], lists: ["roles"] });
    const chosen = formList(form.values, "roles");
    return handleForm(c, form, {
      act: async (values) => {
        const input = parseFormInput(policyFormSchema, { roles: chosen, shown: formValue(values, "shown") });
        const change = await setPasskeyRequiredRoles(domainContext(c), input.roles, input.shown);
        await setFlash(c, { tone: "success", message: describeChange(change) });
        return c.redirect(policyPath, 303);
      },
      // After a refusal (another admin's change, say) the page shows the policy as it stands now.
      showAgain: (errors, refusal) =>
        showPolicy(c, {
          chosen: refusal?.code === "STATE_CONFLICT" ? undefined : chosen,
          error: Object.values(errors).join(" "),
        }),
    });
  });
