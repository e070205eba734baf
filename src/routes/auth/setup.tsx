// /setup/<token> and /setup (docs/PRODUCT.md §2 "Completing setup"; docs/SECURITY.md "Setup links").
// GET /setup/<token> changes nothing: it only moves the token into a short-lived __Host- cookie
// and redirects to the clean URL /setup, so the token leaves the address bar, the history and
// any Referer. Mail scanners that fetch the link consume nothing.
import { Hono } from "hono";
import * as z from "zod";
import { SetupFactorsPage } from "../../../views/pages/auth/setup-factors-page";
import { SetupDonePage, SetupPasswordPage } from "../../../views/pages/auth/setup-pages";
import {
  type CompletedSetup,
  choosePassword,
  completeSetup,
  confirmCurrentPassword,
  findSetupState,
  readSetupFactors,
  type SetupState,
} from "../../domain/invites/setup";
import { addSetupPasskey, completeSetupWithPasskeys, startSetupPasskey } from "../../domain/invites/setup-passkeys";
import { passkeyNameSchema } from "../../domain/passkeys/passkey-names";
import { credentialFieldSchema } from "../../domain/passkeys/passkey-responses";
import { displayNameSchema } from "../../domain/users/users";
import { AppError, fieldError } from "../../errors";
import { type AppContext, type AppEnv, clientOf, domainContext } from "../../http/app-env";
import { clearCookie, readCookie, writeCookie } from "../../http/cookies";
import { type FieldErrors, formRefusal, formValue, handleForm, readForm } from "../../http/forms";
import { landingPathFor } from "../../http/navigation";
import { answerPasskeyOptions } from "../../http/passkey-options";
import { renderTotpQrSvg } from "../../http/totp-qr";

const setupFormSchema = z.discriminatedUnion("step", [
  z.object({
    step: z.literal("password"),
    displayName: z.string().trim().max(100).optional(),
    password: z.string().max(4096),
    passwordConfirmation: z.string().max(4096).optional(),
  }),
  z.object({ step: z.literal("confirm"), code: z.string().max(64).default("") }),
  z.object({ step: z.literal("finish") }),
]);

const passkeyOptionsSchema = z.object({ name: passkeyNameSchema });
const passkeyFormSchema = z.object({ name: passkeyNameSchema, credential: credentialFieldSchema });

async function requireSetupState(c: AppContext): Promise<SetupState> {
  const state = await findSetupState(domainContext(c), readCookie(c, "setup"));
  if (!state) throw new AppError("SETUP_LINK_INVALID");
  return state;
}

function renderPasswordStep(c: AppContext, state: SetupState, errors: FieldErrors, displayName?: string) {
  const purpose = state.user.setupPurpose === "reset_two_factor" ? "reset_two_factor" : "invite";
  return c.render(
    <SetupPasswordPage
      email={state.user.email}
      purpose={purpose}
      displayName={displayName ?? state.user.pendingDisplayName ?? state.user.displayName}
      errors={errors}
    />,
    { title: purpose === "reset_two_factor" ? "Set up your sign-in again" : "Set up your account" },
  );
}

/** The second step: passkeys, the authenticator app, or both (reads the link's passkeys and the policy). */
async function renderFactorsStep(c: AppContext, state: SetupState, errors: FieldErrors, passkeyName?: string) {
  const secret = state.user.pendingTotpSecret;
  if (!secret) throw new AppError("SETUP_LINK_INVALID");
  const factors = await readSetupFactors(domainContext(c), state);
  const { email } = state.user;
  return c.render(
    <SetupFactorsPage
      email={email}
      qrSvg={renderTotpQrSvg(secret, email)}
      secret={secret}
      passkeys={factors.passkeys}
      passkeyRequired={factors.passkeyRequired}
      {...(passkeyName === undefined ? {} : { passkeyName })}
      errors={errors}
    />,
    { title: "Add a passkey or an authenticator app" },
  );
}

function renderDone(c: AppContext, completed: CompletedSetup) {
  clearCookie(c, "setup");
  writeCookie(c, "session", completed.session.token);
  return c.render(
    <SetupDonePage recoveryCodes={completed.recoveryCodes} continueHref={landingPathFor(completed.user)} />,
    { title: "Save your recovery codes" },
  );
}

/** The password step: after a two-factor reset the current password, otherwise a new one and a display name. */
async function choosePasswordStep(
  c: AppContext,
  state: SetupState,
  input: { displayName?: string | undefined; password: string; passwordConfirmation?: string | undefined },
) {
  const ctx = domainContext(c);
  if (state.user.setupPurpose === "reset_two_factor") {
    const secret = await confirmCurrentPassword(ctx, state, input.password);
    return renderFactorsStep(c, { ...state, user: { ...state.user, pendingTotpSecret: secret } }, {});
  }
  const displayName = displayNameSchema.safeParse(input.displayName ?? "");
  if (!displayName.success) throw fieldError("displayName", displayName.error.issues[0]?.message ?? "Invalid");
  const secret = await choosePassword(ctx, state, {
    displayName: displayName.data,
    password: input.password,
    passwordConfirmation: input.passwordConfirmation ?? "",
  });
  return renderFactorsStep(c, { ...state, user: { ...state.user, pendingTotpSecret: secret } }, {});
}

export const setupRoutes = new Hono<AppEnv>()
  .get("/setup/:token", async (c) => {
    const token = c.req.param("token");
    const state = await findSetupState(domainContext(c), token);
    if (!state) throw new AppError("SETUP_LINK_INVALID");
    writeCookie(c, "setup", token);
    return c.redirect("/setup", 303);
  })
  .get("/setup", async (c) => {
    const state = await requireSetupState(c);
    if (state.user.pendingTotpSecret && c.req.query("restart") === undefined) return renderFactorsStep(c, state, {});
    return renderPasswordStep(c, state, {});
  })
  .post("/setup", async (c) => {
    const state = await requireSetupState(c);
    const form = await readForm(c, setupFormSchema, ["username"]);
    const secondStep = state.user.pendingTotpSecret !== null;
    return handleForm(c, form, {
      act: async (step) => {
        if (step.step === "password") return choosePasswordStep(c, state, step);
        const ctx = domainContext(c);
        const completed =
          step.step === "finish"
            ? await completeSetupWithPasskeys(ctx, state, clientOf(c))
            : await completeSetup(ctx, state, step.code, clientOf(c));
        return renderDone(c, completed);
      },
      // A refused code or finish shows the second step again; anything else, the password step.
      showAgain: (errors) =>
        form.success && form.data.step !== "password" && secondStep
          ? renderFactorsStep(c, state, errors)
          : renderPasswordStep(c, state, errors, formValue(form.values, "displayName")),
    });
  })
  // The options of "Add a passkey", as JSON for /static/passkeys.js; the name is checked first so a
  // missing one is said before the browser's prompt.
  .post("/setup/passkey/options", async (c) => {
    const state = await requireSetupState(c);
    const form = await readForm(c, passkeyOptionsSchema);
    return answerPasskeyOptions(c, async () => {
      if (!form.success) throw formRefusal(form.errors);
      return startSetupPasskey(domainContext(c), state);
    });
  })
  .post("/setup/passkey", async (c) => {
    const state = await requireSetupState(c);
    const form = await readForm(c, passkeyFormSchema);
    return handleForm(c, form, {
      act: async (input) => {
        await addSetupPasskey(domainContext(c), state, input);
        return c.redirect("/setup", 303);
      },
      showAgain: (errors) => renderFactorsStep(c, state, errors, formValue(form.values, "name")),
    });
  });
