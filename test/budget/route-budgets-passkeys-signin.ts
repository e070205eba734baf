// Budget rows of passkey sign-in and the passkey second step (issue 19).
import { Agent, summarizeResponse } from "../helpers/agent";
import { createActiveUser } from "../helpers/factories";
import { fetchPasskeyOptions, registerTestPasskey } from "../helpers/passkeys";
import type { BudgetFixture, MeasuredRequest, RouteBudget } from "./route-budgets";

/** A fresh active user with a passkey, its authenticator, and a browser of its own. */
async function passkeyHolder(fixture: BudgetFixture) {
  const user = await createActiveUser(fixture.clock);
  const passkey = await registerTestPasskey(fixture.clock, user);
  fixture.clock.advanceSeconds(30);
  return { user, authenticator: passkey.authenticator, agent: new Agent(fixture.app) };
}

/** A passkey holder whose password step is done: the agent holds the sign-in attempt's cookie. */
async function holderAfterPassword(fixture: BudgetFixture) {
  const holder = await passkeyHolder(fixture);
  const step = await holder.agent.post("/login", { email: holder.user.email, password: holder.user.password });
  if (step.status !== 303) throw new Error(`password step failed: ${await summarizeResponse(step)}`);
  return holder;
}

/** The ceremony answered in advance (options and authenticator); the measured request posts the credential. */
function answered(
  paths: { options: string; submit: string },
  holderOf: (fixture: BudgetFixture) => ReturnType<typeof passkeyHolder>,
  userVerified = true,
) {
  return async (fixture: BudgetFixture): Promise<MeasuredRequest> => {
    const { agent, authenticator } = await holderOf(fixture);
    const { body } = await fetchPasskeyOptions(agent, paths.options);
    const credential = await authenticator.authenticate(body as never, { userVerified });
    return () => agent.post(paths.submit, { credential });
  };
}

const signIn = { options: "/login/passkey/options", submit: "/login/passkey" };
const secondStep = { options: "/login/verify/passkey/options", submit: "/login/verify/passkey" };

export const passkeySignInBudgets: RouteBudget[] = [
  {
    method: "POST",
    path: "/login/passkey/options",
    scenario: "options for Sign in with a passkey (address throttle, challenge)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async ({ app }) => {
      return () => new Agent(app).post(signIn.options, {}, { accept: "application/json" });
    },
  },
  {
    method: "POST",
    path: "/login/passkey",
    scenario: "a verified passkey signs in (throttles, challenge, credential, session batch)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: answered(signIn, passkeyHolder),
  },
  {
    method: "POST",
    path: "/login/passkey",
    scenario: "user not verified (failure recorded)",
    maxQueries: 4,
    expectStatus: 401,
    prepare: answered(signIn, passkeyHolder, false),
  },
  {
    method: "POST",
    path: "/login/verify/passkey/options",
    scenario: "options for the attempt's user's passkeys (attempt, challenge)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await holderAfterPassword(fixture);
      return () => agent.post(secondStep.options, {}, { accept: "application/json" });
    },
  },
  {
    method: "POST",
    path: "/login/verify/passkey",
    scenario: "the passkey completes the attempt (attempt, challenge, credential, session batch)",
    maxQueries: 4,
    expectStatus: 303,
    prepare: answered(secondStep, holderAfterPassword, false),
  },
  {
    method: "POST",
    path: "/login/verify/passkey",
    scenario: "another attempt's challenge (failure recorded)",
    maxQueries: 3,
    expectStatus: 401,
    prepare: async (fixture) => {
      const first = await holderAfterPassword(fixture);
      const { body } = await fetchPasskeyOptions(first.agent, secondStep.options);
      const credential = await first.authenticator.authenticate(body as never);
      const other = new Agent(fixture.app);
      await other.post("/login", { email: first.user.email, password: first.user.password });
      return () => other.post(secondStep.submit, { credential });
    },
  },
];
