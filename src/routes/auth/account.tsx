// /account (docs/PRODUCT.md §5, §9): profile, sessions, API tokens, password, recovery codes, and the
// step-up (/account/confirm) that makes a sign-in "recent" for sensitive admin actions.
import { Hono } from "hono";
import { AccountPage, type AccountPageProps } from "../../views/pages/account-page";
import { ReauthenticatePage, RecoveryCodesPage } from "../../views/pages/reauthenticate-page";
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
} from "../domain/account/account";
import { createApiToken, createApiTokenSchema, revokeOwnApiToken, toApiTokenDto } from "../domain/account/api-tokens";
import { AppError } from "../errors";
import { currentPrincipal, requireAccess } from "../http/access";
import { type AppContext, type AppEnv, domainContext } from "../http/app-env";
import { fieldErrorsOf, formRefusal, formValue, formValuesAsStrings, readForm, readFormFields, readFormValues } from "../http/forms";
import { layoutProps, sanitizeNextPath } from "../http/navigation";
import { noticeFor } from "../http/notices";
import { renderPage } from "../http/render";
import { localDateTimeToIso } from "../http/time-input";

type Overrides = Partial<Pick<AccountPageProps, "profile" | "password" | "tokens">>;

const timeZones = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];

async function renderAccount(c: AppContext, overrides: Overrides = {}, status: 200 | 201 | 400 = 200) {
  const principal = currentPrincipal(c);
  const ctx = domainContext(c);
  const { sessions, tokens, recoveryCodesLeft } = await readAccountOverview(ctx, principal);
  return renderPage(
    c,
    <AccountPage
      {...layoutProps(c, principal)}
      timeZone={principal.user.timeZone}
      timeZones={timeZones}
      profile={overrides.profile ?? { values: { displayName: principal.user.displayName, timeZone: principal.user.timeZone }, errors: {} }}
      password={overrides.password ?? { errors: {} }}
      tokens={overrides.tokens ?? { values: {}, errors: {} }}
      sessions={sessions}
      apiTokens={tokens.map((token) => ({ ...token, status: toApiTokenDto(token, c.get("now")).status }))}
      recoveryCodesLeft={recoveryCodesLeft}
      notice={noticeFor(c.req.query("notice"))}
    />,
    status,
  );
}

function refusedFields(error: unknown) {
  if (!(error instanceof AppError) || error.status >= 500 || error.code === "THROTTLED" || error.status === 401) throw error;
  return fieldErrorsOf(error);
}

function renderReauthenticate(c: AppContext, mode: "confirm" | "recovery", errors: Record<string, string>, next?: string) {
  const principal = currentPrincipal(c);
  const confirm = mode === "confirm";
  return renderPage(
    c,
    <ReauthenticatePage
      {...layoutProps(c, principal)}
      title={confirm ? "Confirm it's you" : "Make new recovery codes"}
      explanation={
        confirm
          ? "Sensitive actions need your password and a fresh code from your authenticator. This lasts 15 minutes."
          : "New codes replace all your current ones. Confirm your password and a code from your authenticator."
      }
      action={confirm ? "/account/confirm" : "/account/recovery-codes"}
      {...(next ? { next } : {})}
      submitLabel={confirm ? "Confirm" : "Make new codes"}
      errors={errors}
    />,
    Object.keys(errors).length > 0 ? 400 : 200,
  );
}

export const accountRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "self" }))
  .get("/", (c) => renderAccount(c))
  .post("/profile", async (c) => {
    const form = await readForm(c, profileSchema);
    if (!form.success) return renderAccount(c, { profile: { values: formValuesAsStrings(form.values), errors: form.errors } }, 400);
    await updateOwnProfile(domainContext(c), currentPrincipal(c), form.data);
    return c.redirect("/account?notice=account-updated", 303);
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
    const { values, errors } = await readFormFields(c, { fields: ["name", "expiresAt"] });
    try {
      if (errors.form) throw formRefusal(errors);
      const parsed = createApiTokenSchema.safeParse({
        name: formValue(values, "name"),
        expiresAt: localDateTimeToIso(formValue(values, "expiresAt"), principal.user.timeZone, "expiresAt"),
      });
      if (!parsed.success)
        throw new AppError("VALIDATION_FAILED", {
          fieldErrors: parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message })),
        });
      const created = await createApiToken(domainContext(c), principal, parsed.data);
      return renderAccount(c, { tokens: { values: {}, errors: {}, created: { name: created.token.name, secret: created.secret } } }, 201);
    } catch (error) {
      return renderAccount(c, { tokens: { values: formValuesAsStrings(values), errors: refusedFields(error) } }, 400);
    }
  })
  .post("/tokens/revoke", async (c) => {
    const values = await readFormValues(c, { fields: ["tokenId"] });
    await revokeOwnApiToken(domainContext(c), currentPrincipal(c), formValue(values, "tokenId"));
    return c.redirect("/account?notice=token-revoked", 303);
  })
  .post("/password", async (c) => {
    const form = await readForm(c, changePasswordSchema, ["username"]);
    try {
      if (!form.success) throw formRefusal(form.errors);
      await changeOwnPassword(domainContext(c), currentPrincipal(c), form.data);
    } catch (error) {
      return renderAccount(c, { password: { errors: refusedFields(error) } }, 400);
    }
    return c.redirect("/account?notice=password-changed", 303);
  })
  .get("/recovery-codes", (c) => renderReauthenticate(c, "recovery", {}))
  .post("/recovery-codes", async (c) => {
    const form = await readForm(c, reauthenticationSchema, ["username"]);
    try {
      if (!form.success) throw formRefusal(form.errors);
      const codes = await regenerateRecoveryCodes(domainContext(c), currentPrincipal(c), form.data);
      return renderPage(c, <RecoveryCodesPage {...layoutProps(c, currentPrincipal(c))} codes={codes} />);
    } catch (error) {
      return renderReauthenticate(c, "recovery", refusedFields(error));
    }
  })
  .get("/confirm", (c) => renderReauthenticate(c, "confirm", {}, sanitizeNextPath(c.req.query("next")) ?? undefined))
  .post("/confirm", async (c) => {
    const form = await readForm(c, reauthenticationSchema.extend({ next: reauthenticationSchema.shape.password.optional() }), ["username"]);
    const next = sanitizeNextPath(formValue(form.values, "next"));
    try {
      if (!form.success) throw formRefusal(form.errors);
      await confirmRecentSignIn(domainContext(c), currentPrincipal(c), form.data);
    } catch (error) {
      return renderReauthenticate(c, "confirm", refusedFields(error), next ?? undefined);
    }
    return c.redirect(next ?? "/account", 303);
  });
