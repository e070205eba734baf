// /login, /login/verify and POST /logout (docs/PRODUCT.md §2 "Sign in", §9).
import { Hono } from "hono";
import * as z from "zod";
import { LoginPage, VerifyPage } from "../../views/pages/auth/login-page";
import { signOut, verifyPasswordStep, verifySecondFactor } from "../domain/sign-in/sign-in";
import { AppError } from "../errors";
import { type AppContext, type AppEnv, clientOf, domainContext } from "../http/app-env";
import { clearCookie, readCookie, writeCookie } from "../http/cookies";
import { formValue, readForm } from "../http/forms";
import { landingPathFor, sanitizeNextPath } from "../http/navigation";
import { renderPage } from "../http/render";

const passwordStepSchema = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
  next: z.string().max(500).optional(),
});

const codeStepSchema = z.object({ code: z.string().max(64).default(""), next: z.string().max(500).optional() });

function nextOf(value: string | undefined): string {
  return sanitizeNextPath(value) ?? "";
}

type RefusalStatus = 400 | 401 | 429;

function renderSignInRefusal(
  c: AppContext,
  error: unknown,
  render: (message: string, status: RefusalStatus) => Response | Promise<Response>,
) {
  if (!(error instanceof AppError) || !["THROTTLED", "SIGN_IN_FAILED", "SIGN_IN_EXPIRED"].includes(error.code)) throw error;
  if (error.code === "THROTTLED") c.header("Retry-After", String(error.retryAfterSeconds ?? 60));
  return render(error.title, error.code === "THROTTLED" ? 429 : error.code === "SIGN_IN_EXPIRED" ? 400 : 401);
}

export const signInRoutes = new Hono<AppEnv>()
  .get("/login", (c) => {
    const principal = c.get("principal");
    const next = nextOf(c.req.query("next"));
    if (principal) return c.redirect(next || landingPathFor(principal), 303);
    return renderPage(c, <LoginPage email="" next={next} />);
  })
  .post("/login", async (c) => {
    const form = await readForm(c, passwordStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    const email = formValue(form.values, "email");
    if (!form.success) return renderPage(c, <LoginPage email={email} next={next} error="Enter your email and password." />, 400);
    try {
      const challenge = await verifyPasswordStep(domainContext(c), form.data);
      writeCookie(c, "challenge", challenge);
      return c.redirect(`/login/verify${next ? `?next=${encodeURIComponent(next)}` : ""}`, 303);
    } catch (error) {
      return renderSignInRefusal(c, error, (message, status) =>
        renderPage(c, <LoginPage email={email} next={next} error={message} />, status),
      );
    }
  })
  .get("/login/verify", (c) => {
    const next = nextOf(c.req.query("next"));
    if (!readCookie(c, "challenge")) return c.redirect("/login", 303);
    return renderPage(c, <VerifyPage next={next} />);
  })
  .post("/login/verify", async (c) => {
    const form = await readForm(c, codeStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    const code = form.success ? form.data.code : "";
    try {
      const signedIn = await verifySecondFactor(domainContext(c), readCookie(c, "challenge"), code, clientOf(c));
      clearCookie(c, "challenge");
      writeCookie(c, "session", signedIn.session.token);
      const landing = signedIn.user.role === "CLIENT_USER" ? "/portal" : "/admin";
      return c.redirect(next || landing, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === "SIGN_IN_EXPIRED") {
        clearCookie(c, "challenge");
        return renderPage(c, <LoginPage email="" next={next} notice={error.title} />, 400);
      }
      return renderSignInRefusal(c, error, (message, status) => renderPage(c, <VerifyPage next={next} error={message} />, status));
    }
  })
  .post("/logout", async (c) => {
    const principal = c.get("principal");
    if (principal) await signOut(domainContext(c), principal);
    clearCookie(c, "session");
    return c.redirect("/login", 303);
  });
