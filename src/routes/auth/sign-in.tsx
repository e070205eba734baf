// /login, /login/verify and POST /logout (docs/PRODUCT.md §2 "Sign in", §9).
import { Hono } from "hono";
import * as z from "zod";
import { LoginPage, VerifyPage } from "../../../views/pages/auth/login-page";
import { signOut, verifyPasswordStep, verifySecondFactor } from "../../domain/sign-in/sign-in";
import { type AppEnv, clientOf, domainContext } from "../../http/app-env";
import { clearCookie, readCookie, writeCookie } from "../../http/cookies";
import { formValue, handleForm, readForm } from "../../http/forms";
import { landingPathFor, sanitizeNextPath } from "../../http/navigation";

const passwordStepSchema = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
  next: z.string().max(500).optional(),
});

const codeStepSchema = z.object({ code: z.string().max(64).default(""), next: z.string().max(500).optional() });

function nextOf(value: string | undefined): string {
  return sanitizeNextPath(value) ?? "";
}

export const signInRoutes = new Hono<AppEnv>()
  .get("/login", (c) => {
    const principal = c.get("principal");
    const next = nextOf(c.req.query("next"));
    if (principal) return c.redirect(next || landingPathFor(principal.user), 303);
    return c.render(<LoginPage email="" next={next} />, { title: "Sign in" });
  })
  .post("/login", async (c) => {
    const form = await readForm(c, passwordStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    return handleForm(c, form, {
      act: async (credentials) => {
        const challenge = await verifyPasswordStep(domainContext(c), credentials);
        writeCookie(c, "challenge", challenge);
        return c.redirect(`/login/verify${next ? `?next=${encodeURIComponent(next)}` : ""}`, 303);
      },
      // One message for the whole form: which of email and password was wrong is never said.
      showAgain: (_errors, refusal) =>
        c.render(
          <LoginPage
            email={formValue(form.values, "email")}
            next={next}
            error={refusal ? refusal.title : "Enter your email and password."}
          />,
          {
            title: "Sign in",
          },
        ),
    });
  })
  .get("/login/verify", (c) => {
    const next = nextOf(c.req.query("next"));
    if (!readCookie(c, "challenge")) return c.redirect("/login", 303);
    return c.render(<VerifyPage next={next} />, { title: "Enter your code" });
  })
  .post("/login/verify", async (c) => {
    const form = await readForm(c, codeStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    // A code that does not parse is tried as no code at all: it still counts as a failed attempt.
    const attempt = form.success ? form : { success: true as const, data: { code: "" }, values: form.values };
    return handleForm(c, attempt, {
      act: async ({ code }) => {
        const signedIn = await verifySecondFactor(domainContext(c), readCookie(c, "challenge"), code, clientOf(c));
        clearCookie(c, "challenge");
        writeCookie(c, "session", signedIn.session.token);
        return c.redirect(next || landingPathFor(signedIn.user), 303);
      },
      showAgain: (_errors, refusal) => {
        if (refusal?.code !== "SIGN_IN_EXPIRED")
          return c.render(<VerifyPage next={next} error={refusal?.title} />, { title: "Enter your code" });
        // The attempt is over: back to the password step, which starts a new one.
        clearCookie(c, "challenge");
        return c.render(<LoginPage email="" next={next} notice={refusal.title} />, { title: "Sign in" });
      },
    });
  })
  .post("/logout", async (c) => {
    const principal = c.get("principal");
    if (principal) await signOut(domainContext(c), principal);
    clearCookie(c, "session");
    return c.redirect("/login", 303);
  });
