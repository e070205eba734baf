// Budget rows of a person's passkeys and authenticator app on /account, passkey enrolment and step-up by passkey (issue 19).
import type { Agent } from "../helpers/agent";
import { signInConfined } from "../helpers/confined-session";
import { createActiveUser, signInAs } from "../helpers/factories";
import { fetchPasskeyOptions, registerTestPasskey, type TestPasskey } from "../helpers/passkeys";
import { SoftwareAuthenticator } from "../helpers/software-authenticator";
import { extractTotpSecret, totpCode } from "../helpers/totp";
import { type SignedIn, signedInWith } from "./budget-helpers";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

/** A signed-in operator (recent sign-in) with one passkey. */
async function withPasskey(fixture: BudgetFixture): Promise<SignedIn & { passkey: TestPasskey }> {
  const signedIn = await signedInWith(fixture, { role: "OPERATOR" });
  return { ...signedIn, passkey: await registerTestPasskey(fixture.clock, signedIn.user, { name: "Laptop" }) };
}

/** The credential a browser would post after the options at `optionsPath`. */
async function ceremonyAnswer(agent: Agent, optionsPath: string, authenticator: SoftwareAuthenticator, form = {}) {
  const options = await fetchPasskeyOptions(agent, optionsPath, form);
  return "rp" in options.body
    ? authenticator.register(options.body as never)
    : authenticator.authenticate(options.body as never);
}

async function confined(fixture: BudgetFixture) {
  const user = await createActiveUser(fixture.clock, { role: "CONTRACTOR" });
  return signInConfined(fixture.app, fixture.clock, user);
}

function passkeyRows(): RouteBudget[] {
  return [
    {
      method: "POST",
      path: "/account/passkeys/options",
      scenario: "creation options: the caller's passkeys excluded, a register challenge stored",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await withPasskey(fixture);
        return () => agent.post("/account/passkeys/options", { name: "YubiKey" }, { accept: "application/json" });
      },
    },
    {
      method: "POST",
      path: "/account/passkeys",
      scenario: "a new passkey added (challenge consumed; own passkeys read for the limit; insert and audit)",
      maxQueries: 4,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await withPasskey(fixture);
        const credential = await ceremonyAnswer(agent, "/account/passkeys/options", new SoftwareAuthenticator(), {
          name: "YubiKey",
        });
        return () => agent.post("/account/passkeys", { name: "YubiKey", credential });
      },
    },
    {
      method: "POST",
      path: "/account/passkeys",
      scenario: "refused: the challenge is another session's (failure recorded; account page again)",
      maxQueries: 4,
      expectStatus: 401,
      prepare: async (fixture) => {
        const { agent, user } = await withPasskey(fixture);
        const other = await signInAs(fixture.app, fixture.clock, user);
        const credential = await ceremonyAnswer(other, "/account/passkeys/options", new SoftwareAuthenticator(), {
          name: "YubiKey",
        });
        return () => agent.post("/account/passkeys", { name: "YubiKey", credential });
      },
    },
    {
      method: "GET",
      path: "/account/passkeys/:id",
      scenario: "one passkey with the rename and remove forms",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, passkey } = await withPasskey(fixture);
        return () => agent.get(`/account/passkeys/${passkey.id}`);
      },
    },
    {
      method: "POST",
      path: "/account/passkeys/:id/name",
      scenario: "renamed and audited",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, passkey } = await withPasskey(fixture);
        return () => agent.post(`/account/passkeys/${passkey.id}/name`, { name: "Old laptop" });
      },
    },
    {
      method: "GET",
      path: "/account/passkeys/:id/remove",
      scenario: "the confirmation",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent, passkey } = await withPasskey(fixture);
        return () => agent.get(`/account/passkeys/${passkey.id}/remove`);
      },
    },
    {
      method: "POST",
      path: "/account/passkeys/:id/remove",
      scenario: "removed (the TOTP secret remains) and audited",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, passkey } = await withPasskey(fixture);
        return () => agent.post(`/account/passkeys/${passkey.id}/remove`, { confirm: "yes" });
      },
    },
  ];
}

function authenticatorAppRows(): RouteBudget[] {
  /** A person with a passkey and no authenticator app yet, on the page that shows its QR code. */
  async function withoutApp(fixture: BudgetFixture) {
    const signedIn = await withPasskey(fixture);
    await signedIn.agent.post("/account/authenticator-app/remove", { confirm: "yes" });
    return signedIn;
  }
  return [
    {
      method: "GET",
      path: "/account/authenticator-app",
      scenario: "a new secret (kept in KV for the session) and its QR code",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await withoutApp(fixture);
        return () => agent.get("/account/authenticator-app");
      },
    },
    {
      method: "POST",
      path: "/account/authenticator-app",
      scenario: "a code from the new secret: the secret set and audited",
      maxQueries: 2,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await withoutApp(fixture);
        const page = await (await agent.get("/account/authenticator-app")).text();
        const secret = extractTotpSecret(page);
        return () => agent.post("/account/authenticator-app", { code: totpCode(secret, fixture.clock.now()) });
      },
    },
    {
      method: "GET",
      path: "/account/authenticator-app/remove",
      scenario: "the confirmation (a passkey remains)",
      maxQueries: 2,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await withPasskey(fixture);
        return () => agent.get("/account/authenticator-app/remove");
      },
    },
    {
      method: "POST",
      path: "/account/authenticator-app/remove",
      scenario: "removed while a passkey remains, audited",
      maxQueries: 3,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await withPasskey(fixture);
        return () => agent.post("/account/authenticator-app/remove", { confirm: "yes" });
      },
    },
  ];
}

function stepUpRows(): RouteBudget[] {
  return [
    {
      method: "POST",
      path: "/reauthenticate/passkey/options",
      scenario: "request options: the caller's passkeys, user verification required",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await withPasskey(fixture);
        return () =>
          agent.post("/reauthenticate/passkey/options", { next: "/account" }, { accept: "application/json" });
      },
    },
    {
      method: "POST",
      path: "/reauthenticate/passkey",
      scenario: "a verified assertion: sign-in recent again (challenge; credential; counter, session and audit)",
      maxQueries: 4,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, passkey } = await withPasskey(fixture);
        const credential = await ceremonyAnswer(agent, "/reauthenticate/passkey/options", passkey.authenticator);
        return () => agent.post("/reauthenticate/passkey", { credential, next: "/account" });
      },
    },
    {
      method: "POST",
      path: "/account/recovery-codes/passkey",
      scenario: "a verified assertion: ten new codes (challenge; credential; counter, codes and audit)",
      maxQueries: 4,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent, passkey } = await withPasskey(fixture);
        const credential = await ceremonyAnswer(agent, "/reauthenticate/passkey/options", passkey.authenticator);
        return () => agent.post("/account/recovery-codes/passkey", { credential });
      },
    },
  ];
}

function enrolmentRows(): RouteBudget[] {
  return [
    {
      method: "GET",
      path: "/enrol-passkey",
      scenario: "a confined session: the page that adds the passkey",
      maxQueries: 1,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await confined(fixture);
        return () => agent.get("/enrol-passkey");
      },
    },
    {
      method: "POST",
      path: "/enrol-passkey/options",
      scenario: "creation options for a confined session",
      maxQueries: 3,
      expectStatus: 200,
      prepare: async (fixture) => {
        const { agent } = await confined(fixture);
        return () => agent.post("/enrol-passkey/options", { name: "Laptop" }, { accept: "application/json" });
      },
    },
    {
      method: "POST",
      path: "/enrol-passkey",
      scenario: "the passkey added and the session released in one batch, then the landing page",
      maxQueries: 4,
      expectStatus: 303,
      prepare: async (fixture) => {
        const { agent } = await confined(fixture);
        const credential = await ceremonyAnswer(agent, "/enrol-passkey/options", new SoftwareAuthenticator(), {
          name: "Laptop",
        });
        return () => agent.post("/enrol-passkey", { name: "Laptop", credential });
      },
    },
  ];
}

export const accountPasskeyBudgets: RouteBudget[] = [
  ...passkeyRows(),
  ...authenticatorAppRows(),
  ...stepUpRows(),
  ...enrolmentRows(),
];
