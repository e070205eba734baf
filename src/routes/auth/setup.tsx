// /setup/<token> and /setup (docs/PRODUCT.md §2 "Completing setup"; docs/SECURITY.md "Setup links").
// GET /setup/<token> changes nothing: it only moves the token into a short-lived __Host- cookie
// and redirects to the clean URL /setup, so the token leaves the address bar, the history and
// any Referer. Mail scanners that fetch the link consume nothing.
import { Hono } from "hono";
import * as z from "zod";
import { SetupDonePage, SetupPasswordPage, SetupTotpPage } from "../../../views/pages/auth/setup-pages";
import {
  choosePassword,
  completeSetup,
  confirmCurrentPassword,
  findSetupState,
  type SetupState,
} from "../../domain/invites/setup";
import { displayNameSchema } from "../../domain/users/users";
import { AppError, fieldError } from "../../errors";
import { type AppContext, type AppEnv, clientOf, domainContext } from "../../http/app-env";
import { clearCookie, readCookie, writeCookie } from "../../http/cookies";
import { type FieldErrors, formValue, handleForm, readForm } from "../../http/forms";
import { landingPathFor } from "../../http/navigation";
import { renderTotpQrSvg } from "../../http/totp-qr";

const setupFormSchema = z.discriminatedUnion("step", [
  z.object({
    step: z.literal("password"),
    displayName: z.string().trim().max(100).optional(),
    password: z.string().max(4096),
    passwordConfirmation: z.string().max(4096).optional(),
  }),
  z.object({ step: z.literal("confirm"), code: z.string().max(64).default("") }),
]);

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
    { title: purpose === "reset_two_factor" ? "Set up a new authenticator" : "Set up your account" },
  );
}

function renderTotpStep(c: AppContext, email: string, secret: string, errors: FieldErrors) {
  return c.render(
    <SetupTotpPage email={email} qrSvg={renderTotpQrSvg(secret, email)} secret={secret} errors={errors} />,
    {
      title: "Set up your authenticator",
    },
  );
}

/** The password step: after a two-factor reset the current password, otherwise a new one and a display name. */
async function choosePasswordStep(
  c: AppContext,
  state: SetupState,
  input: { displayName?: string | undefined; password: string; passwordConfirmation?: string | undefined },
) {
  const ctx = domainContext(c);
  if (state.user.setupPurpose === "reset_two_factor")
    return renderTotpStep(c, state.user.email, await confirmCurrentPassword(ctx, state, input.password), {});
  const displayName = displayNameSchema.safeParse(input.displayName ?? "");
  if (!displayName.success) throw fieldError("displayName", displayName.error.issues[0]?.message ?? "Invalid");
  const secret = await choosePassword(ctx, state, {
    displayName: displayName.data,
    password: input.password,
    passwordConfirmation: input.passwordConfirmation ?? "",
  });
  return renderTotpStep(c, state.user.email, secret, {});
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
    if (state.user.pendingTotpSecret && c.req.query("restart") === undefined) {
      return renderTotpStep(c, state.user.email, state.user.pendingTotpSecret, {});
    }
    return renderPasswordStep(c, state, {});
  })
  .post("/setup", async (c) => {
    const state = await requireSetupState(c);
    const form = await readForm(c, setupFormSchema, ["username"]);
    const pendingSecret = state.user.pendingTotpSecret;
    return handleForm(c, form, {
      act: async (step) => {
        if (step.step === "password") return choosePasswordStep(c, state, step);
        const completed = await completeSetup(domainContext(c), state, step.code, clientOf(c));
        clearCookie(c, "setup");
        writeCookie(c, "session", completed.session.token);
        const continueHref = landingPathFor(completed.user);
        return c.render(<SetupDonePage recoveryCodes={completed.recoveryCodes} continueHref={continueHref} />, {
          title: "Save your recovery codes",
        });
      },
      // A refused code shows the authenticator step again; anything else, the password step.
      showAgain: (errors) =>
        form.success && form.data.step === "confirm" && pendingSecret
          ? renderTotpStep(c, state.user.email, pendingSecret, errors)
          : renderPasswordStep(c, state, errors, formValue(form.values, "displayName")),
    });
  });
