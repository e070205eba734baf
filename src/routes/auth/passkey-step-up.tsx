// Step-up by passkey (docs/PASSKEYS.md): the options of a `reauthenticate` ceremony for the
// caller's passkeys, and the two proofs it can stand for — a recent sign-in (/account/confirm's
// passkey form) and new recovery codes (/account/recovery-codes's). A refused passkey shows the
// same step-up page again with "That passkey was not accepted".
import { Hono } from "hono";
import * as z from "zod";
import { regenerateRecoveryCodesWithPasskey } from "../../domain/account/account";
import { credentialFieldSchema } from "../../domain/passkeys/passkey-responses";
import { confirmRecentSignInWithPasskey, startPasskeyStepUp } from "../../domain/passkeys/passkey-step-up";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppEnv, domainContext } from "../../http/app-env";
import { formValue, handleForm, readForm, readFormValues } from "../../http/forms";
import { sanitizeNextPath } from "../../http/navigation";
import { answerPasskeyOptions } from "../../http/passkey-options";
import { showNewRecoveryCodes, showReauthenticate } from "./account";

const nextSchema = z.string().max(500).optional();

export const passkeyStepUpRoutes = new Hono<AppEnv>()
  .use("/reauthenticate/*", requireAccess({ kind: "self" }))
  .use("/account/recovery-codes/passkey", requireAccess({ kind: "self" }))
  .post("/reauthenticate/passkey/options", async (c) => {
    await readFormValues(c, { fields: ["next"] });
    return answerPasskeyOptions(c, () => startPasskeyStepUp(domainContext(c), currentPrincipal(c)));
  })
  .post("/reauthenticate/passkey", async (c) => {
    const form = await readForm(c, z.object({ credential: credentialFieldSchema, next: nextSchema }));
    const next = sanitizeNextPath(formValue(form.values, "next"));
    return handleForm(c, form, {
      act: async ({ credential }) => {
        await confirmRecentSignInWithPasskey(domainContext(c), currentPrincipal(c), credential);
        return c.redirect(next ?? "/account", 303);
      },
      showAgain: (errors) => showReauthenticate(c, "confirm", errors, next ?? undefined),
    });
  })
  .post("/account/recovery-codes/passkey", async (c) => {
    const form = await readForm(c, z.object({ credential: credentialFieldSchema }));
    return handleForm(c, form, {
      act: async ({ credential }) => {
        const codes = await regenerateRecoveryCodesWithPasskey(domainContext(c), currentPrincipal(c), credential);
        return showNewRecoveryCodes(c, codes);
      },
      showAgain: (errors) => showReauthenticate(c, "recovery", errors),
    });
  });
