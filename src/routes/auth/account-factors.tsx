// /account's sign-in factors (docs/PASSKEYS.md, docs/PRODUCT.md §9): adding a passkey, renaming and
// removing one, adding and removing the authenticator app. Every change needs a recent sign-in:
// the pages send a person without one through /account/confirm and back, the posts refuse.
import { Hono } from "hono";
import * as z from "zod";
import { AuthenticatorAppPage, FactorRefusedPage, PasskeyPage } from "../../../views/pages/account-factor-pages";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import { hasRecentSignIn } from "../../auth/session";
import {
  confirmAuthenticatorApp,
  refusalToRemoveAuthenticatorApp,
  removeAuthenticatorApp,
  startAuthenticatorApp,
} from "../../domain/account/authenticator-app";
import {
  addPasskey,
  findOwnPasskey,
  readOwnFactors,
  refusalToRemovePasskey,
  removePasskey,
  renamePasskey,
  startPasskeyRegistration,
} from "../../domain/passkeys/passkey-management";
import { passkeyNameSchema } from "../../domain/passkeys/passkey-names";
import { credentialFieldSchema } from "../../domain/passkeys/passkey-responses";
import { AppError } from "../../errors";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash } from "../../http/flash";
import { type FieldErrors, formRefusal, formValue, handleForm, readForm, readFormValues } from "../../http/forms";
import { answerPasskeyOptions } from "../../http/passkey-options";
import { renderTotpQrSvg } from "../../http/totp-qr";
import { showAccount } from "./account";

const nameSchema = z.object({ name: passkeyNameSchema });
const newPasskeySchema = z.object({ name: passkeyNameSchema, credential: credentialFieldSchema });
const codeSchema = z.object({ code: z.string().max(64) });

/** A GET that leads to a change: without a recent sign-in, the step-up first, then back here. */
function confirmFirst(c: AppContext): Response | null {
  const credential = currentPrincipal(c).credential;
  if (credential.kind === "session" && hasRecentSignIn(credential, c.get("now"))) return null;
  return c.redirect(`/account/confirm?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
}

async function showPasskey(c: AppContext, values: Record<string, string>, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const factors = await readOwnFactors(domainContext(c), principal);
  const passkey = findOwnPasskey(factors, c.req.param("id") ?? "");
  return c.render(
    <PasskeyPage
      passkey={passkey}
      timeZone={principal.user.timeZone}
      values={values}
      errors={errors}
      removalRefused={refusalToRemovePasskey(factors)}
    />,
    { title: `Passkey ${passkey.name}` },
  );
}

function showRefusal(c: AppContext, error: unknown, title: string) {
  if (!(error instanceof AppError) || error.code !== "STATE_CONFLICT") throw error;
  c.status(409);
  return c.render(<FactorRefusedPage title={title} message={error.detail ?? error.title} />, { title });
}

async function showAuthenticatorApp(c: AppContext, errors: FieldErrors) {
  const principal = currentPrincipal(c);
  const secret = await startAuthenticatorApp(domainContext(c), principal);
  return c.render(
    <AuthenticatorAppPage qrSvg={renderTotpQrSvg(secret, principal.user.email)} secret={secret} errors={errors} />,
    { title: "Add an authenticator app" },
  );
}

async function isConfirmed(c: AppContext): Promise<boolean> {
  return formValue(await readFormValues(c, { fields: ["confirm"] }), "confirm") === "yes";
}

export const accountFactorRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "self" }))
  .post("/passkeys/options", (c) =>
    answerPasskeyOptions(c, async () => {
      const form = await readForm(c, nameSchema);
      if (!form.success) throw formRefusal(form.errors);
      return startPasskeyRegistration(domainContext(c), currentPrincipal(c), { enrolment: false });
    }),
  )
  .post("/passkeys", async (c) => {
    const form = await readForm(c, newPasskeySchema);
    return handleForm(c, form, {
      act: async (input) => {
        const added = await addPasskey(domainContext(c), currentPrincipal(c), input, { enrolment: false });
        await setFlash(c, {
          tone: "success",
          message: `The passkey "${added.name}" was added: it signs you in from now on.`,
        });
        return c.redirect("/account#factors-heading", 303);
      },
      showAgain: (errors) =>
        showAccount(c, { addPasskey: { values: { name: formValue(form.values, "name") }, errors } }),
    });
  })
  .get("/passkeys/:id", (c) => showPasskey(c, {}, {}))
  .post("/passkeys/:id/name", async (c) => {
    const form = await readForm(c, nameSchema);
    return handleForm(c, form, {
      act: async ({ name }) => {
        await renamePasskey(domainContext(c), currentPrincipal(c), c.req.param("id"), name);
        await setFlash(c, { tone: "success", message: `The passkey is now called "${name}".` });
        return c.redirect("/account#factors-heading", 303);
      },
      showAgain: (errors) => showPasskey(c, { name: formValue(form.values, "name") }, errors),
    });
  })
  .get("/passkeys/:id/remove", async (c) => {
    const factors = await readOwnFactors(domainContext(c), currentPrincipal(c));
    const passkey = findOwnPasskey(factors, c.req.param("id"));
    const refusal = refusalToRemovePasskey(factors);
    if (refusal) return showRefusal(c, new AppError("STATE_CONFLICT", { detail: refusal }), "Passkey not removed");
    return (
      confirmFirst(c) ??
      c.render(
        <ConfirmPage
          title={`Remove the passkey "${passkey.name}"?`}
          message="It stops signing you in here at once. You can add it again later."
          action={`/account/passkeys/${encodeURIComponent(passkey.id)}/remove`}
          confirmLabel="Remove passkey"
          cancelHref={`/account/passkeys/${encodeURIComponent(passkey.id)}`}
          hiddenFields={{ confirm: "yes" }}
        />,
        { title: "Remove passkey" },
      )
    );
  })
  .post("/passkeys/:id/remove", async (c) => {
    const id = c.req.param("id");
    if (!(await isConfirmed(c))) return c.redirect(`/account/passkeys/${encodeURIComponent(id)}/remove`, 303);
    try {
      await removePasskey(domainContext(c), currentPrincipal(c), id);
    } catch (error) {
      return showRefusal(c, error, "Passkey not removed");
    }
    await setFlash(c, { tone: "success", message: "The passkey was removed: it no longer signs you in." });
    return c.redirect("/account#factors-heading", 303);
  })
  .get("/authenticator-app", async (c) => confirmFirst(c) ?? showAuthenticatorApp(c, {}))
  .post("/authenticator-app", async (c) => {
    const form = await readForm(c, codeSchema);
    return handleForm(c, form, {
      act: async ({ code }) => {
        await confirmAuthenticatorApp(domainContext(c), currentPrincipal(c), code);
        await setFlash(c, {
          tone: "success",
          message: "Your authenticator app was added: its codes now confirm it's you after your password.",
        });
        return c.redirect("/account", 303);
      },
      showAgain: (errors) => showAuthenticatorApp(c, errors),
    });
  })
  .get("/authenticator-app/remove", async (c) => {
    const factors = await readOwnFactors(domainContext(c), currentPrincipal(c));
    if (!factors.hasTotp) throw new AppError("NOT_FOUND");
    const refusal = refusalToRemoveAuthenticatorApp(factors);
    if (refusal)
      return showRefusal(c, new AppError("STATE_CONFLICT", { detail: refusal }), "Authenticator app not removed");
    return (
      confirmFirst(c) ??
      c.render(
        <ConfirmPage
          title="Remove your authenticator app?"
          message="Its codes stop working at once; your passkeys and recovery codes still confirm it's you."
          action="/account/authenticator-app/remove"
          confirmLabel="Remove the authenticator app"
          cancelHref="/account#factors-heading"
          hiddenFields={{ confirm: "yes" }}
        />,
        { title: "Remove the authenticator app" },
      )
    );
  })
  .post("/authenticator-app/remove", async (c) => {
    if (!(await isConfirmed(c))) return c.redirect("/account/authenticator-app/remove", 303);
    try {
      await removeAuthenticatorApp(domainContext(c), currentPrincipal(c));
    } catch (error) {
      return showRefusal(c, error, "Authenticator app not removed");
    }
    await setFlash(c, { tone: "success", message: "Your authenticator app was removed: its codes no longer work." });
    return c.redirect("/account#factors-heading", 303);
  });
