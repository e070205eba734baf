// /enrol-passkey (docs/PASSKEYS.md "The policy"): the one place a session the policy confined
// (passkeyEnrolmentRequired) may reach, besides signing out. Adding the passkey releases the
// session in the same batch and sends the person to their landing page. No recent-sign-in check:
// the person has just signed in. A session that is not confined has nothing to do here.
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod";
import { EnrolPasskeyPage } from "../../../views/pages/auth/enrol-passkey-page";
import { addPasskey, startPasskeyRegistration } from "../../domain/passkeys/passkey-management";
import { passkeyNameSchema } from "../../domain/passkeys/passkey-names";
import { credentialFieldSchema } from "../../domain/passkeys/passkey-responses";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { type FieldErrors, formRefusal, formValue, handleForm, readForm } from "../../http/forms";
import { landingPathFor } from "../../http/navigation";
import { answerPasskeyOptions } from "../../http/passkey-options";
import { labelUserRole } from "../../labels";

const newPasskeySchema = z.object({ name: passkeyNameSchema, credential: credentialFieldSchema });

/** Only a confined session stays; any other is sent where it lands. */
const confinedOnly = createMiddleware<AppEnv>(async function confinedOnly(c, next) {
  const principal = currentPrincipal(c);
  const credential = principal.credential;
  if (credential.kind !== "session" || !credential.passkeyEnrolmentRequired)
    return c.redirect(landingPathFor(principal.user), 303);
  await next();
});

function showEnrolment(c: AppContext, values: Record<string, string>, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const credential = principal.credential;
  const byRecoveryCode = credential.kind === "session" && credential.signInMethod === "password_recovery_code";
  return c.render(
    <EnrolPasskeyPage
      reason={byRecoveryCode ? "recovery_code" : "policy"}
      roleLabel={labelUserRole(principal.user.role)}
      values={values}
      errors={errors}
    />,
    { title: "Add a passkey to continue" },
  );
}

export const enrolPasskeyRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "passkey-enrolment" }), confinedOnly)
  .get("/", (c) => showEnrolment(c, {}, {}))
  .post("/options", (c) =>
    answerPasskeyOptions(c, async () => {
      const form = await readForm(c, z.object({ name: passkeyNameSchema }));
      if (!form.success) throw formRefusal(form.errors);
      return startPasskeyRegistration(domainContext(c), currentPrincipal(c), { enrolment: true });
    }),
  )
  .post("/", async (c) => {
    const form = await readForm(c, newPasskeySchema);
    return handleForm(c, form, {
      act: async (input) => {
        const principal = currentPrincipal(c);
        await addPasskey(domainContext(c), principal, input, { enrolment: true });
        return c.redirect(landingPathFor(principal.user), 303);
      },
      showAgain: (errors) => showEnrolment(c, { name: formValue(form.values, "name") }, errors),
    });
  });
