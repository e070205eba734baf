// /account (docs/PRODUCT.md §5, §9): profile, sessions, API tokens, password, recovery codes, and the
// step-up (/account/confirm) that makes a sign-in "recent" for sensitive admin actions.
import { Hono } from "hono";
import { AccountPage, type AccountPageProps } from "../../../views/pages/account-page";
import { ReauthenticatePage, RecoveryCodesPage } from "../../../views/pages/reauthenticate-page";
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
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
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
import { noticeFor } from "../../http/notices";
import { localDateTimeToIso } from "../../http/time-input";

type Overrides = Partial<Pick<AccountPageProps, "profile" | "password" | "tokens">>;

const timeZones = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];

async function showAccount(c: AppContext, overrides: Overrides = {}) {
  const principal = currentPrincipal(c);
  const ctx = domainContext(c);
  const { sessions, tokens, recoveryCodesLeft } = await readAccountOverview(ctx, principal);
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
      tokens={overrides.tokens ?? { values: {}, errors: {} }}
      sessions={sessions}
      apiTokens={tokens.map((token) => ({ ...token, status: toApiTokenDto(token, c.get("now")).status }))}
      recoveryCodesLeft={recoveryCodesLeft}
      notice={noticeFor(c.req.query("notice"))}
    />,
    { title: "Your account" },
  );
}

const reauthentications = {
  confirm: {
    title: "Confirm it's you",
    explanation:
      "Sensitive actions need your password and a fresh code from your authenticator. This lasts 15 minutes.",
    action: "/account/confirm",
    submitLabel: "Confirm",
  },
  recovery: {
    title: "Make new recovery codes",
    explanation: "New codes replace all your current ones. Confirm your password and a code from your authenticator.",
    action: "/account/recovery-codes",
    submitLabel: "Make new codes",
  },
} as const;

function showReauthenticate(c: AppContext, mode: keyof typeof reauthentications, errors: FieldErrors, next?: string) {
  const page = reauthentications[mode];
  return c.render(
    <ReauthenticatePage email={currentPrincipal(c).user.email} {...page} {...(next ? { next } : {})} errors={errors} />,
    {
      title: page.title,
    },
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
        return c.redirect("/account?notice=account-updated", 303);
      },
      showAgain: (errors) => showAccount(c, { profile: { values: formValuesAsStrings(form.values), errors } }),
    });
  })
  .post("/sessions/end", async (c) => {
    const values = await readFormValues(c, { fields: ["sessionId"] });
    await endOwnSession(domainContext(c), currentPrincipal(c), formValue(values, "sessionId"));
    return c.redirect("/account?notice=session-ended", 303);
  })
  .post("/sessions/end-others", async (c) => {
    await endOtherOwnSessions(domainContext(c), currentPrincipal(c));
    return c.redirect("/account?notice=other-sessions-ended", 303);
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
        c.status(201);
        return showAccount(c, {
          tokens: { values: {}, errors: {}, created: { name: created.token.name, secret: created.secret } },
        });
      },
      showAgain: (errors) => showAccount(c, { tokens: { values: formValuesAsStrings(form.values), errors } }),
    });
  })
  .post("/tokens/revoke", async (c) => {
    const values = await readFormValues(c, { fields: ["tokenId"] });
    await revokeOwnApiToken(domainContext(c), currentPrincipal(c), formValue(values, "tokenId"));
    return c.redirect("/account?notice=token-revoked", 303);
  })
  .post("/password", async (c) => {
    const form = await readForm(c, changePasswordSchema, ["username"]);
    return handleForm(c, form, {
      act: async (change) => {
        await changeOwnPassword(domainContext(c), currentPrincipal(c), change);
        return c.redirect("/account?notice=password-changed", 303);
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
        return c.render(<RecoveryCodesPage codes={codes} />, { title: "New recovery codes" });
      },
      showAgain: (errors) => showReauthenticate(c, "recovery", errors),
    });
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
