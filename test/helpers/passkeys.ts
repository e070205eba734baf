// Passkeys in tests: one registered straight through the domain (for tests about what a passkey
// unlocks, not about enrolling one), the options half of a ceremony through the pages, and a whole
// ceremony answered by the software authenticator as a browser would.
import { inArray } from "drizzle-orm";
import { expect, onTestFinished } from "vitest";
import { generateId } from "../../src/auth/crypto";
import type { PasskeyRefusalReason } from "../../src/auth/webauthn";
import { type GlobalRole, passkeyRequiredRoles } from "../../src/db/schema";
import type { SetupState } from "../../src/domain/invites/setup";
import { addSetupPasskey, startSetupPasskey } from "../../src/domain/invites/setup-passkeys";
import {
  buildCreationOptions,
  buildRequestOptions,
  checkAssertion,
  checkRegistration,
  insertPasskey,
  PasskeyCheckFailed,
} from "../../src/domain/passkeys/passkey-ceremonies";
import { issuePasskeyChallenge } from "../../src/domain/passkeys/passkey-challenges";
import type { Agent } from "./agent";
import { summarizeResponse } from "./agent";
import type { TestClock } from "./clock";
import { testContext } from "./factories";
import { type CeremonyOverrides, SoftwareAuthenticator } from "./software-authenticator";

export interface TestPasskey {
  id: string;
  name: string;
  authenticator: SoftwareAuthenticator;
}

/**
 * Gives the user a usable passkey held by `authenticator` (a new one unless given), as if they had
 * added it from their account page, without the pages and without an audit event.
 */
export async function registerTestPasskey(
  clock: TestClock,
  user: { id: string; email: string; displayName?: string | null },
  options: { name?: string; authenticator?: SoftwareAuthenticator; pendingSetupTokenHash?: string } = {},
): Promise<TestPasskey> {
  const ctx = testContext(clock);
  const authenticator = options.authenticator ?? new SoftwareAuthenticator();
  const bindingHash = `test-${crypto.randomUUID()}`;
  const challenge = await issuePasskeyChallenge(ctx, { purpose: "register", userId: user.id, bindingHash });
  const creation = buildCreationOptions(
    ctx,
    { id: user.id, email: user.email, displayName: user.displayName ?? user.email },
    challenge,
    [],
  );
  const credential = await authenticator.register(creation);
  const registration = await checkRegistration(ctx, credential, { purpose: "register", bindingHash });
  const id = generateId("pk");
  const name = options.name ?? "Test passkey";
  await insertPasskey(ctx, {
    id,
    userId: user.id,
    name,
    registration,
    ...(options.pendingSetupTokenHash ? { pendingSetupTokenHash: options.pendingSetupTokenHash } : {}),
  });
  return { id, name, authenticator };
}

/** The options half of a ceremony, as /static/passkeys.js asks for it (a same-origin form POST answering JSON). */
export async function fetchPasskeyOptions(
  agent: Agent,
  optionsPath: string,
  form: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await agent.post(optionsPath, form, { accept: "application/json" });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * A whole ceremony as a browser runs it: the options, the authenticator's answer, then the form
 * post with the credential JSON in the `credential` field. Returns the form post's response.
 */
export async function answerPasskeyCeremony(
  agent: Agent,
  paths: { options: string; submit: string },
  authenticator: SoftwareAuthenticator,
  options: {
    form?: Record<string, string>;
    overrides?: CeremonyOverrides;
    ceremony?: "register" | "authenticate";
  } = {},
): Promise<Response> {
  const form = options.form ?? {};
  const fetched = await fetchPasskeyOptions(agent, paths.options, form);
  expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
  const body = fetched.body as never;
  const ceremony = options.ceremony ?? ("rp" in fetched.body ? "register" : "authenticate");
  const credential =
    ceremony === "register"
      ? await authenticator.register(body, options.overrides)
      : await authenticator.authenticate(body, options.overrides);
  const response = await agent.post(paths.submit, { ...form, credential });
  if (response.status >= 500) throw new Error(`passkey ceremony failed: ${await summarizeResponse(response)}`);
  return response;
}

/**
 * Turns the passkey policy on for these roles straight in the database, for the current test only
 * (tests about what the policy does to sign-in; the policy page's own tests go through the page).
 * The policy is instance-wide: lifted when the test ends, later tests set people up without it.
 */
export async function requirePasskeysFor(clock: TestClock, roles: GlobalRole[]): Promise<void> {
  const { db } = testContext(clock);
  for (const role of roles) {
    await db
      .insert(passkeyRequiredRoles)
      .values({ role, requiredAt: clock.now(), requiredBy: null })
      .onConflictDoNothing();
  }
  onTestFinished(async () => {
    await db.delete(passkeyRequiredRoles).where(inArray(passkeyRequiredRoles.role, roles));
  });
}

/** Adds a passkey during setup below HTTP, as "Add a passkey" on the second step does. */
export async function addTestSetupPasskey(
  clock: TestClock,
  state: SetupState,
  options: { name?: string; authenticator?: SoftwareAuthenticator } = {},
): Promise<TestPasskey> {
  const ctx = testContext(clock);
  const authenticator = options.authenticator ?? new SoftwareAuthenticator();
  const name = options.name ?? "Setup passkey";
  const credential = await authenticator.register(await startSetupPasskey(ctx, state));
  const { id } = await addSetupPasskey(ctx, state, { name, credential });
  return { id, name, authenticator };
}

/**
 * Answers a fresh "Sign in with a passkey" challenge (user verification required) with the
 * authenticator's newest passkey, straight through checkAssertion: whom it would sign in, or why not.
 */
export async function assertWithTestPasskey(
  clock: TestClock,
  authenticator: SoftwareAuthenticator,
): Promise<{ userId: string } | { refused: PasskeyRefusalReason }> {
  const ctx = testContext(clock);
  const bindingHash = `test-${crypto.randomUUID()}`;
  const challenge = await issuePasskeyChallenge(ctx, { purpose: "sign_in", userId: null, bindingHash });
  const credential = await authenticator.authenticate(buildRequestOptions(ctx, challenge, [], "required"));
  try {
    const checked = await checkAssertion(ctx, credential, {
      purpose: "sign_in",
      bindingHash,
      requireUserVerification: true,
    });
    return { userId: checked.user.id };
  } catch (error) {
    if (error instanceof PasskeyCheckFailed) return { refused: error.reason };
    throw error;
  }
}
