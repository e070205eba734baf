// Budget rows of setup's second step with passkeys (issue 19).
import { Agent, summarizeResponse } from "../helpers/agent";
import { inviteTestUser } from "../helpers/factories";
import { answerPasskeyCeremony, fetchPasskeyOptions } from "../helpers/passkeys";
import { reachSetupSecondStep } from "../helpers/setup-steps";
import { SoftwareAuthenticator } from "../helpers/software-authenticator";
import type { BudgetFixture, RouteBudget } from "./route-budgets";

const passkeyPaths = { options: "/setup/passkey/options", submit: "/setup/passkey" };

/** An agent past the password step of a fresh invite. */
async function secondStepAgent(fixture: BudgetFixture): Promise<Agent> {
  const invited = await inviteTestUser(fixture.clock);
  const agent = new Agent(fixture.app);
  await reachSetupSecondStep(agent, invited.token);
  return agent;
}

async function agentWithSetupPasskey(fixture: BudgetFixture): Promise<Agent> {
  const agent = await secondStepAgent(fixture);
  const added = await answerPasskeyCeremony(agent, passkeyPaths, new SoftwareAuthenticator(), {
    form: { name: "Laptop" },
  });
  if (added.status !== 303) throw new Error(`adding a setup passkey failed: ${await summarizeResponse(added)}`);
  return agent;
}

/** The credential JSON answering a fresh options request, ready to post (origin overridable to be refused). */
async function preparedRegistration(agent: Agent, origin?: string): Promise<string> {
  const options = await fetchPasskeyOptions(agent, passkeyPaths.options, { name: "Laptop" });
  return new SoftwareAuthenticator().register(options.body as never, origin ? { origin } : {});
}

export const setupPasskeyBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: "/setup",
    scenario: "second step with a passkey added: the link, then its passkeys and the policy in one batch",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const agent = await agentWithSetupPasskey(fixture);
      return () => agent.get("/setup");
    },
  },
  {
    method: "POST",
    path: "/setup/passkey/options",
    scenario: "a setup challenge for the invitee, the passkeys of this link excluded",
    maxQueries: 3,
    expectStatus: 200,
    prepare: async (fixture) => {
      const agent = await secondStepAgent(fixture);
      return () => agent.post(passkeyPaths.options, { name: "Laptop" }, { accept: "application/json" });
    },
  },
  {
    method: "POST",
    path: "/setup/passkey",
    scenario: "passkey added as pending (redirect to the second step)",
    maxQueries: 3,
    expectStatus: 303,
    prepare: async (fixture) => {
      const agent = await secondStepAgent(fixture);
      const credential = await preparedRegistration(agent);
      return () => agent.post(passkeyPaths.submit, { name: "Laptop", credential });
    },
  },
  {
    method: "POST",
    path: "/setup/passkey",
    scenario: "passkey refused (wrong origin): audited, the second step again",
    maxQueries: 3,
    expectStatus: 401,
    prepare: async (fixture) => {
      const agent = await secondStepAgent(fixture);
      const credential = await preparedRegistration(agent, "https://gatehouse.example.net");
      return () => agent.post(passkeyPaths.submit, { name: "Laptop", credential });
    },
  },
  {
    method: "POST",
    path: "/setup",
    scenario: "Finish setup with passkeys only",
    maxQueries: 3,
    expectStatus: 200,
    prepare: async (fixture) => {
      const agent = await agentWithSetupPasskey(fixture);
      return () => agent.post("/setup", { step: "finish" });
    },
  },
  {
    method: "POST",
    path: "/setup",
    scenario: "Finish setup refused with no passkey yet: the second step again",
    maxQueries: 3,
    expectStatus: 400,
    prepare: async (fixture) => {
      const agent = await secondStepAgent(fixture);
      return () => agent.post("/setup", { step: "finish" });
    },
  },
];
