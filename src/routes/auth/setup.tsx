// /setup/<token> and /setup (docs/PRODUCT.md §2 "Completing setup"; docs/SECURITY.md "Setup links").
// GET /setup/<token> changes nothing: it only moves the token into a short-lived __Host- cookie
// and redirects to the clean URL /setup, so the token leaves the address bar, the history and
// any Referer. Mail scanners that fetch the link consume nothing.
import { Hono } from "hono";
import { renderSVG } from "uqr";
import * as z from "zod";
import { SetupDonePage, SetupPasswordPage, SetupTotpPage } from "../../views/pages/auth/setup-pages";
import { buildTotpUri } from "../auth/totp";
import { choosePassword, completeSetup, confirmCurrentPassword, findSetupState, type SetupState } from "../domain/invites/setup";
import { displayNameSchema } from "../domain/users/users";
import { AppError } from "../errors";
import { type AppContext, type AppEnv, clientOf, domainContext } from "../http/app-env";
import { clearCookie, readCookie, writeCookie } from "../http/cookies";
import { type FieldErrors, fieldErrorsOf, formValue, readForm } from "../http/forms";
import { renderPage } from "../http/render";

const setupFormSchema = z.discriminatedUnion("step", [
  z.object({
    step: z.literal("password"),
    displayName: z.string().trim().max(100).optional(),
    password: z.string().max(4096),
    passwordConfirmation: z.string().max(4096).optional(),
  }),
  z.object({ step: z.literal("confirm"), code: z.string().max(64).default("") }),
]);

function renderQrSvg(uri: string): string {
  return renderSVG(uri, { border: 2 }).replace(
    "<svg ",
    '<svg width="240" height="240" role="img" aria-label="QR code to scan with your authenticator app" ',
  );
}

async function requireSetupState(c: AppContext): Promise<SetupState> {
  const state = await findSetupState(domainContext(c), readCookie(c, "setup"));
  if (!state) throw new AppError("SETUP_LINK_INVALID");
  return state;
}

function renderPasswordStep(c: AppContext, state: SetupState, errors: FieldErrors, displayName?: string) {
  const purpose = state.user.setupPurpose === "reset_two_factor" ? "reset_two_factor" : "invite";
  return renderPage(
    c,
    <SetupPasswordPage
      email={state.user.email}
      purpose={purpose}
      displayName={displayName ?? state.user.pendingDisplayName ?? state.user.displayName}
      errors={errors}
    />,
    Object.keys(errors).length > 0 ? 400 : 200,
  );
}

function renderTotpStep(c: AppContext, email: string, secret: string, errors: FieldErrors) {
  return renderPage(
    c,
    <SetupTotpPage email={email} qrSvg={renderQrSvg(buildTotpUri(secret, email))} secret={secret} errors={errors} />,
    Object.keys(errors).length > 0 ? 400 : 200,
  );
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
    if (!form.success) return renderPasswordStep(c, state, form.errors, formValue(form.values, "displayName"));
    const ctx = domainContext(c);
    if (form.data.step === "password") {
      try {
        if (state.user.setupPurpose === "reset_two_factor") {
          const secret = await confirmCurrentPassword(ctx, state, form.data.password);
          return renderTotpStep(c, state.user.email, secret, {});
        }
        const displayName = displayNameSchema.safeParse(form.data.displayName ?? "");
        if (!displayName.success) {
          return renderPasswordStep(c, state, { displayName: displayName.error.issues[0]?.message ?? "Invalid" }, form.data.displayName);
        }
        const secret = await choosePassword(ctx, state, {
          displayName: displayName.data,
          password: form.data.password,
          passwordConfirmation: form.data.passwordConfirmation ?? "",
        });
        return renderTotpStep(c, state.user.email, secret, {});
      } catch (error) {
        if (!(error instanceof AppError) || error.code === "SETUP_LINK_INVALID" || error.code === "THROTTLED") throw error;
        return renderPasswordStep(c, state, fieldErrorsOf(error), form.data.displayName);
      }
    }
    try {
      const completed = await completeSetup(ctx, state, form.data.code, clientOf(c));
      clearCookie(c, "setup");
      writeCookie(c, "session", completed.session.token);
      const continueHref = completed.user.role === "CLIENT_USER" ? "/portal" : "/admin";
      return renderPage(c, <SetupDonePage recoveryCodes={completed.recoveryCodes} continueHref={continueHref} />);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "VALIDATION_FAILED" || !state.user.pendingTotpSecret) throw error;
      return renderTotpStep(c, state.user.email, state.user.pendingTotpSecret, fieldErrorsOf(error));
    }
  });
