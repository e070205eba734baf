// /account (docs/PRODUCT.md §5, §9): profile, sessions, API tokens, password, recovery codes, and the
// step-up (/account/confirm) that makes a sign-in "recent" for sensitive admin actions.
import { Hono } from "hono";
import { AccountPage, type AccountPageProps } from "../../../views/pages/account-page";
import { ReauthenticatePage, RecoveryCodesPage } from "../../../views/pages/reauthenticate-page";
import { hasRecentSignIn } from "../../auth/session";
import {
  changeOwnPassword,
  changePasswordSchema,
  confirmRecentSignIn,
  endOtherOwnSessions,
  endOwnSession,
  profileSchema,
  readAccountOverview,
  reauthenticationSchema,
  regenerateRecoveryCodes,
  updateOwnProfile,
} from "../../domain/account/account";
import {
  createApiToken,
  createApiTokenSchema,
  revokeOwnApiToken,
  toApiTokenDto,
} from "../../domain/account/api-tokens";
import { readOwnFactors } from "../../domain/passkeys/passkey-management";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { type Flash, setFlash, takeFlash, takeSecret } from "../../http/flash";
import {
  type FieldErrors,
  formValue,
  formValuesAsStrings,
  handleForm,
  parseFormInput,
  readForm,
  readFormFields,
  readFormValues,
} from "../../http/forms";
import { sanitizeNextPath } from "../../http/navigation";
import { localDateTimeToIso } from "../../http/time-input";

type Overrides = Partial<Pick<AccountPageProps, "profile" | "password" | "tokens">> & {
  addPasskey?: AccountPageProps["factors"]["addPasskey"];
};

const timeZones = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];

/**
 * A new token's secret, shown once: it comes in the flash of the POST that made it (for that token
 * only); a reload of /account?token=… finds no flash and says it was shown once instead.
 */
function tokenShownOnce(
  c: AppContext,
  flash: Flash | undefined,
  tokens: ReadonlyArray<{ id: string; name: string }>,
): { created?: { name: string; secret: string }; flash: Flash | undefined } {
  const token = tokens.find((row) => row.id === c.req.query("token"));
  if (!token) return { flash };
  const secret = takeSecret(flash, "api-token", token.id);
  if (secret) return { created: { name: token.name, secret }, flash: undefined };
  return {
    flash: {
      tone: "warning",
      message: `The API token "${token.name}" was shown once, when it was created. If you did not copy it, revoke it and create a new one.`,
    },
  };
}

/** The account page; `overrides` show a form again with what was typed and its errors. */
export async function showAccount(c: AppContext, overrides: Overrides = {}) {
  const principal = currentPrincipal(c);
  const ctx = domainContext(c);
  const { sessions, tokens, recoveryCodesLeft, passkeys, hasTotp } = await readAccountOverview(ctx, principal);
  const credential = principal.credential;
  const shown = tokenShownOnce(c, c.req.method === "GET" ? await takeFlash(c) : undefined, tokens);
  return c.render(
    <AccountPage
      email={principal.user.email}
      timeZone={principal.user.timeZone}
      timeZones={timeZones}
      profile={
        overrides.profile ?? {
          values: { displayName: principal.user.displayName, timeZone: principal.user.timeZone },
          errors: {},
        }
      }
      password={overrides.password ?? { errors: {} }}
      tokens={overrides.tokens ?? { values: {}, errors: {}, ...(shown.created ? { created: shown.created } : {}) }}
      sessions={sessions}
      apiTokens={tokens.map((token) => ({ ...token, status: toApiTokenDto(token, c.get("now")).status }))}
      recoveryCodesLeft={recoveryCodesLeft}
      factors={{
        passkeys,
        hasTotp,
        recentSignIn: credential.kind === "session" && hasRecentSignIn(credential, c.get("now")),
        addPasskey: overrides.addPasskey ?? { values: {}, errors: {} },
      }}
      flash={shown.flash}
    />,
    { title: "Your account" },
  );
}

const reauthentications = {
  confirm: {
    title: "Confirm it's you",
    explanation: "Sensitive actions need a fresh proof that it's you, which lasts 15 minutes.",
    action: "/account/confirm",
    passkeyAction: "/reauthenticate/passkey",
    submitLabel: "Confirm",
  },
  recovery: {
    title: "Make new recovery codes",
    explanation: "New codes replace all your current ones. Confirm it's you first.",
    action: "/account/recovery-codes",
    passkeyAction: "/account/recovery-codes/passkey",
    submitLabel: "Make new codes",
  },
} as const;

/** Post/Redirect/Get: a reload of the page must not make (and kill) another ten codes. */
export async function showNewRecoveryCodes(c: AppContext, codes: string[]): Promise<Response> {
  await setFlash(c, {
    tone: "success",
    message: "Ten new recovery codes were made; the old ones no longer work.",
    secret: { kind: "recovery-codes", subject: currentPrincipal(c).user.id, value: codes.join(" ") },
  });
  return c.redirect("/account/recovery-codes/new", 303);
}

/** The step-up page offers the proofs the person holds: password + code with a TOTP secret, a passkey with one. */
export async function showReauthenticate(
  c: AppContext,
  mode: keyof typeof reauthentications,
  errors: FieldErrors,
  next?: string,
) {
  const page = reauthentications[mode];
  const principal = currentPrincipal(c);
  const factors = await readOwnFactors(domainContext(c), principal);
  return c.render(
    <ReauthenticatePage
      email={principal.user.email}
      {...page}
      {...(next ? { next } : {})}
      offerCode={factors.hasTotp}
      offerPasskey={factors.passkeys.length > 0}
      errors={errors}
    />,
    { title: page.title },
  );
}

export const accountRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "self" }))
  .get("/", (c) => showAccount(c))
  .post("/profile", async (c) => {
    const form = await readForm(c, profileSchema);
    return handleForm(c, form, {
      act: async (profile) => {
        await updateOwnProfile(domainContext(c), currentPrincipal(c), profile);
        await setFlash(c, {
          tone: "success",
          message: `Your profile was saved: you are shown as ${profile.displayName}, and times are in ${profile.timeZone}.`,
        });
        return c.redirect("/account", 303);
      },
      showAgain: (errors) => showAccount(c, { profile: { values: formValuesAsStrings(form.values), errors } }),
    });
  })
  .post("/sessions/end", async (c) => {
    const values = await readFormValues(c, { fields: ["sessionId"] });
    const ended = await endOwnSession(domainContext(c), currentPrincipal(c), formValue(values, "sessionId"));
    await setFlash(c, {
      tone: "success",
      message: `Your session from ${ended.ip ?? "an unknown address"} was ended: that browser is signed out.`,
    });
    return c.redirect("/account", 303);
  })
  .post("/sessions/end-others", async (c) => {
    await endOtherOwnSessions(domainContext(c), currentPrincipal(c));
    await setFlash(c, {
      tone: "success",
      message: "All your other sessions were ended: only this browser is still signed in.",
    });
    return c.redirect("/account", 303);
  })
  .post("/tokens", async (c) => {
    const principal = currentPrincipal(c);
    const form = await readFormFields(c, { fields: ["name", "expiresAt"] });
    return handleForm(c, form, {
      act: async (values) => {
        const input = parseFormInput(createApiTokenSchema, {
          name: formValue(values, "name"),
          expiresAt: localDateTimeToIso(formValue(values, "expiresAt"), principal.user.timeZone, "expiresAt"),
        });
        const created = await createApiToken(domainContext(c), principal, input);
        await setFlash(c, {
          tone: "success",
          message: `The API token "${created.token.name}" was created.`,
          secret: { kind: "api-token", subject: created.token.id, value: created.secret },
        });
        return c.redirect(`/account?token=${encodeURIComponent(created.token.id)}#tokens-heading`, 303);
      },
      showAgain: (errors) => showAccount(c, { tokens: { values: formValuesAsStrings(form.values), errors } }),
    });
  })
  .post("/tokens/revoke", async (c) => {
    const values = await readFormValues(c, { fields: ["tokenId"] });
    const revoked = await revokeOwnApiToken(domainContext(c), currentPrincipal(c), formValue(values, "tokenId"));
    await setFlash(c, {
      tone: "success",
      message: `The API token "${revoked.name}" was revoked: requests that send it are refused from now on.`,
    });
    return c.redirect("/account", 303);
  })
  .post("/password", async (c) => {
    const form = await readForm(c, changePasswordSchema, ["username"]);
    return handleForm(c, form, {
      act: async (change) => {
        await changeOwnPassword(domainContext(c), currentPrincipal(c), change);
        await setFlash(c, {
          tone: "success",
          message: "Your password was changed. Your other sessions were ended; this one stays signed in.",
        });
        return c.redirect("/account", 303);
      },
      showAgain: (errors) => showAccount(c, { password: { errors } }),
    });
  })
  .get("/recovery-codes", (c) => showReauthenticate(c, "recovery", {}))
  .post("/recovery-codes", async (c) => {
    const form = await readForm(c, reauthenticationSchema, ["username"]);
    return handleForm(c, form, {
      act: async (proof) => {
        const codes = await regenerateRecoveryCodes(domainContext(c), currentPrincipal(c), proof);
        return showNewRecoveryCodes(c, codes);
      },
      showAgain: (errors) => showReauthenticate(c, "recovery", errors),
    });
  })
  .get("/recovery-codes/new", async (c) => {
    const shown = takeSecret(await takeFlash(c), "recovery-codes", currentPrincipal(c).user.id);
    return c.render(<RecoveryCodesPage codes={shown ? shown.split(" ") : null} />, { title: "New recovery codes" });
  })
  .get("/confirm", (c) => showReauthenticate(c, "confirm", {}, sanitizeNextPath(c.req.query("next")) ?? undefined))
  .post("/confirm", async (c) => {
    const form = await readForm(
      c,
      reauthenticationSchema.extend({ next: reauthenticationSchema.shape.password.optional() }),
      ["username"],
    );
    const next = sanitizeNextPath(formValue(form.values, "next"));
    return handleForm(c, form, {
      act: async (proof) => {
        await confirmRecentSignIn(domainContext(c), currentPrincipal(c), proof);
        return c.redirect(next ?? "/account", 303);
      },
      showAgain: (errors) => showReauthenticate(c, "confirm", errors, next ?? undefined),
    });
  });
