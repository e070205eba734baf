// Signing in, completing a setup link and the caller's own account (docs/PRODUCT.md §2, §5, §9), and
// "/", which sends each caller where they land. The layouts are set here: sign-in and setup show
// nobody in the header (even when a session cookie came along); /account is a signed-in page.
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { landingPathFor } from "../../http/navigation";
import { publicPages, signedInPages } from "../../http/page-renderer";
import { accountRoutes } from "./account";
import { accountFactorRoutes } from "./account-factors";
import { enrolPasskeyRoutes } from "./enrol-passkey";
import { passkeyStepUpRoutes } from "./passkey-step-up";
import { setupRoutes } from "./setup";
import { signInRoutes } from "./sign-in";

export const authPages = new Hono<AppEnv>()
  .use("/login/*", publicPages)
  .use("/setup/*", publicPages)
  .use("/account/*", signedInPages)
  .use("/reauthenticate/*", signedInPages)
  .use("/enrol-passkey", publicPages)
  .use("/enrol-passkey/*", publicPages)
  .get("/", (c) => {
    const principal = c.get("principal");
    return c.redirect(principal ? landingPathFor(principal.user) : "/login", 303);
  })
  .route("/", signInRoutes)
  .route("/", setupRoutes)
  .route("/account", accountRoutes)
  .route("/account", accountFactorRoutes)
  .route("/", passkeyStepUpRoutes)
  .route("/enrol-passkey", enrolPasskeyRoutes);
