// Setup's steps in tests: past the password step below HTTP (for the second step's domain tests)
// or through the pages (for its page tests and budget rows).
import { choosePassword, findSetupState, type SetupState } from "../../src/domain/invites/setup";
import type { InviteInput } from "../../src/domain/users/users";
import type { Agent } from "./agent";
import type { TestClock } from "./clock";
import { inviteTestUser, testContext, testPassword } from "./factories";

/** The state of a setup link that must still be valid. */
export async function requireSetupState(clock: TestClock, token: string): Promise<SetupState> {
  const state = await findSetupState(testContext(clock), token);
  if (!state) throw new Error("the setup link is not valid");
  return state;
}

/** A fresh invitee past the password step (display name "Pat Person"), with the state the second step reads. */
export async function invitedPastPassword(clock: TestClock, input: Partial<InviteInput> = {}) {
  const invited = await inviteTestUser(clock, input);
  const secret = await choosePassword(testContext(clock), await requireSetupState(clock, invited.token), {
    displayName: "Pat Person",
    password: testPassword,
    passwordConfirmation: testPassword,
  });
  return { invited, secret, state: await requireSetupState(clock, invited.token) };
}

/** Opens a setup link in the agent and chooses a password: the agent is on the second step; its HTML. */
export async function reachSetupSecondStep(agent: Agent, token: string): Promise<string> {
  const opened = await agent.get(`/setup/${token}`);
  if (opened.status !== 303) throw new Error(`the setup link answered ${opened.status}`);
  const step = await agent.post("/setup", {
    step: "password",
    displayName: "Pat Person",
    password: testPassword,
    passwordConfirmation: testPassword,
  });
  const html = await step.text();
  if (step.status !== 200) throw new Error(`the password step answered ${step.status}: ${html.slice(0, 400)}`);
  return html;
}
