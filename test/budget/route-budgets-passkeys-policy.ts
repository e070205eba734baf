// Budget rows of the sign-in policy page, the Security tab's factors and the factors API (issue 19).
// The policy rows turn the policy on for the measured request only and clear it after (through
// the raw binding, which is not counted): a policy left on would change every later sign-in.
import { env } from "cloudflare:test";
import type { GlobalRole } from "../../src/db/schema";
import { createActiveUser } from "../helpers/factories";
import { registerTestPasskey, requirePasskeysFor } from "../helpers/passkeys";
import { apiCaller, signedInWith } from "./budget-helpers";
import type { BudgetFixture, MeasuredRequest, RouteBudget } from "./route-budgets";

const policyPath = "/admin/sign-in-policy";

/** The request with `roles` required while it runs, and no policy after it. */
async function withPolicy(
  fixture: BudgetFixture,
  roles: GlobalRole[],
  send: MeasuredRequest,
): Promise<MeasuredRequest> {
  await requirePasskeysFor(fixture.clock, roles);
  return async () => {
    const response = await send();
    await env.DB.prepare("DELETE FROM passkey_required_roles").run();
    return response;
  };
}

export const passkeyPolicyBudgets: RouteBudget[] = [
  {
    method: "GET",
    path: policyPath,
    scenario: "Operators required: the roles, the first 50 operators without a passkey and their count (one batch)",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return withPolicy(fixture, ["OPERATOR"], () => agent.get(policyPath));
    },
  },
  {
    method: "POST",
    path: policyPath,
    scenario: "require passkeys for Contractors too: the difference and its audit event in one guarded batch",
    maxQueries: 2,
    expectStatus: 303,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return withPolicy(fixture, ["OPERATOR"], () =>
        agent.post(policyPath, [
          ["shown", "OPERATOR"],
          ["roles", "OPERATOR"],
          ["roles", "CONTRACTOR"],
        ]),
      );
    },
  },
  {
    method: "POST",
    path: policyPath,
    scenario:
      "refused: another Super admin changed the policy since the page was shown (409: the aborted batch, the page again)",
    maxQueries: 3,
    expectStatus: 409,
    prepare: async (fixture) => {
      const { agent } = await signedInWith(fixture);
      return withPolicy(fixture, ["OPERATOR"], () =>
        agent.post(policyPath, [
          ["shown", ""],
          ["roles", "CONTRACTOR"],
        ]),
      );
    },
  },
  {
    method: "GET",
    path: "/api/v1/users/:id/factors",
    scenario: "an operator with two passkeys: the user and their factors in one batch",
    maxQueries: 2,
    expectStatus: 200,
    prepare: async (fixture) => {
      const { api } = await apiCaller(fixture);
      const subject = await createActiveUser(fixture.clock, { role: "OPERATOR" });
      await registerTestPasskey(fixture.clock, subject, { name: "Laptop" });
      await registerTestPasskey(fixture.clock, subject, { name: "YubiKey" });
      return () => api.call("GET", `/api/v1/users/${subject.id}/factors`);
    },
  },
];
