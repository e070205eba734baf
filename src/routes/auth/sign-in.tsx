// /login, /login/verify, their passkey ceremonies and POST /logout (docs/PRODUCT.md §2 "Sign in",
// §9, docs/PASSKEYS.md "Sign-in"). The options half of a ceremony answers JSON to
// /static/passkeys.js; the form half answers a page like every form.
import { Hono } from "hono";
import * as z from "zod";
import { LoginPage, VerifyPage } from "../../../views/pages/auth/login-page";
import { credentialFieldSchema } from "../../domain/passkeys/passkey-responses";
import {
  signInWithPasskey,
  startPasskeySecondFactor,
  startPasskeySignIn,
  verifyPasskeySecondFactor,
} from "../../domain/sign-in/passkey-sign-in";
import { signOut, verifyPasswordStep, verifySecondFactor } from "../../domain/sign-in/sign-in";
import {
  findSignInAttempt,
  type SignedIn,
  type SignInAttempt,
  secondStepChoicesOf,
} from "../../domain/sign-in/sign-in-attempts";
import { type AppError, errorCatalogue } from "../../errors";
import { type AppContext, type AppEnv, clientOf, domainContext } from "../../http/app-env";
import { clearCookie, readCookie, writeCookie } from "../../http/cookies";
import { type FieldErrors, formRefusal, formValue, handleForm, readForm } from "../../http/forms";
import { landingPathFor, passkeyEnrolmentPath, sanitizeNextPath } from "../../http/navigation";
import { answerPasskeyOptions } from "../../http/passkey-options";

const nextField = z.string().max(500).optional();

const passwordStepSchema = z.object({
  email: z.string().trim().max(254),
  password: z.string().max(1024),
  next: nextField,
});

const codeStepSchema = z.object({ code: z.string().max(64).default(""), next: nextField });

/** What /static/passkeys.js posts for the options: the passkey form's fields, without the credential. */
const passkeyOptionsSchema = z.object({ next: nextField });

const passkeyStepSchema = z.object({ credential: credentialFieldSchema, next: nextField });

const passkeyRefusedMessage = errorCatalogue.PASSKEY_REFUSED.title;

function nextOf(value: string | undefined): string {
  return sanitizeNextPath(value) ?? "";
}

async function readPasskeyOptionsForm(c: AppContext): Promise<void> {
  const form = await readForm(c, passkeyOptionsSchema);
  if (!form.success) throw formRefusal(form.errors);
}

/** The session cookie, then where the person goes: the passkey the policy asks for first, else `next` or their landing page. */
function startSession(c: AppContext, signedIn: SignedIn, next: string): Response {
  writeCookie(c, "session", signedIn.session.token);
  if (signedIn.passkeyEnrolmentRequired) return c.redirect(passkeyEnrolmentPath, 303);
  return c.redirect(next || landingPathFor(signedIn.user), 303);
}

function renderLogin(c: AppContext, next: string, message: { error?: string; notice?: string } = {}) {
  return c.render(<LoginPage email="" next={next} {...message} />, { title: "Sign in" });
}

/** The step after the password, again with `error`; or, when the attempt is over, the password step with the reason. */
function showVerifyAgain(
  c: AppContext,
  attempt: SignInAttempt | null,
  next: string,
  errors: FieldErrors,
  refusal: AppError | null,
) {
  if (!attempt || refusal?.code === "SIGN_IN_EXPIRED") {
    // The attempt is over: back to the password step, which starts a new one.
    clearCookie(c, "challenge");
    return renderLogin(c, next, { notice: refusal?.title ?? errorCatalogue.SIGN_IN_EXPIRED.title });
  }
  const error = errors.code ?? errors.form ?? errors.credential;
  return c.render(<VerifyPage next={next} error={error} choices={secondStepChoicesOf(attempt)} />, {
    title: "Enter your code",
  });
}

export const signInRoutes = new Hono<AppEnv>()
  .get("/login", (c) => {
    const principal = c.get("principal");
    const next = nextOf(c.req.query("next"));
    if (principal) return c.redirect(next || landingPathFor(principal.user), 303);
    return renderLogin(c, next);
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
          { title: "Sign in" },
        ),
    });
  })
  .post("/login/passkey/options", (c) =>
    answerPasskeyOptions(c, async () => {
      await readPasskeyOptionsForm(c);
      const started = await startPasskeySignIn(domainContext(c));
      writeCookie(c, "passkey", started.bindingToken);
      return started.options;
    }),
  )
  .post("/login/passkey", async (c) => {
    const form = await readForm(c, passkeyStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    const bindingToken = readCookie(c, "passkey");
    // Answered or refused, the ceremony is over: its challenge is gone, and so is the cookie.
    clearCookie(c, "passkey");
    return handleForm(c, form, {
      act: async ({ credential }) =>
        startSession(c, await signInWithPasskey(domainContext(c), bindingToken, credential, clientOf(c)), next),
      showAgain: (_errors, refusal) => renderLogin(c, next, { error: refusal?.title ?? passkeyRefusedMessage }),
    });
  })
  .get("/login/verify", async (c) => {
    const next = nextOf(c.req.query("next"));
    const token = readCookie(c, "challenge");
    if (!token) return c.redirect("/login", 303);
    const attempt = await findSignInAttempt(domainContext(c), token);
    if (!attempt) return showVerifyAgain(c, null, next, {}, null);
    return c.render(<VerifyPage next={next} choices={secondStepChoicesOf(attempt)} />, { title: "Enter your code" });
  })
  .post("/login/verify", async (c) => {
    const form = await readForm(c, codeStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    const ctx = domainContext(c);
    const attempt = await findSignInAttempt(ctx, readCookie(c, "challenge"));
    // A code that does not parse is tried as no code at all: it still counts as a failed attempt.
    const tried = form.success ? form : { success: true as const, data: { code: "" }, values: form.values };
    return handleForm(c, tried, {
      act: async ({ code }) => {
        const signedIn = await verifySecondFactor(ctx, attempt, code, clientOf(c));
        clearCookie(c, "challenge");
        return startSession(c, signedIn, next);
      },
      showAgain: (errors, refusal) => showVerifyAgain(c, attempt, next, errors, refusal),
    });
  })
  .post("/login/verify/passkey/options", (c) =>
    answerPasskeyOptions(c, async () => {
      await readPasskeyOptionsForm(c);
      const ctx = domainContext(c);
      return startPasskeySecondFactor(ctx, await findSignInAttempt(ctx, readCookie(c, "challenge")));
    }),
  )
  .post("/login/verify/passkey", async (c) => {
    const form = await readForm(c, passkeyStepSchema);
    const next = nextOf(formValue(form.values, "next"));
    const ctx = domainContext(c);
    const attempt = await findSignInAttempt(ctx, readCookie(c, "challenge"));
    return handleForm(c, form, {
      act: async ({ credential }) => {
        const signedIn = await verifyPasskeySecondFactor(ctx, attempt, credential, clientOf(c));
        clearCookie(c, "challenge");
        return startSession(c, signedIn, next);
      },
      showAgain: (errors, refusal) =>
        showVerifyAgain(c, attempt, next, refusal ? errors : { credential: passkeyRefusedMessage }, refusal),
    });
  })
  .post("/logout", async (c) => {
    const principal = c.get("principal");
    if (principal) await signOut(domainContext(c), principal);
    clearCookie(c, "session");
    return c.redirect("/login", 303);
  });
