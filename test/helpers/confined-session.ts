// A session made straight in the database, as sign-in makes it: for tests about what a session may
// do (a confined one, passkeyEnrolmentRequired, as the passkey policy makes it: docs/PASSKEYS.md
// "The policy") rather than about signing in.
import type { createApp } from "../../src/app";
import { insertSession, prepareSession } from "../../src/auth/session";
import type { SignInMethod } from "../../src/db/schema";
import { Agent } from "./agent";
import type { TestClock } from "./clock";
import { testContext } from "./factories";

/** A new session of the user; its token is the cookie's value, its id the token's hash. */
export async function insertTestSession(
  clock: TestClock,
  userId: string,
  options: { passkeyEnrolmentRequired: boolean; signInMethod?: SignInMethod },
): Promise<{ token: string; id: string }> {
  const ctx = testContext(clock);
  const session = prepareSession(ctx.now);
  await insertSession(
    ctx.db,
    session,
    userId,
    ctx.now,
    { ip: null, userAgent: null },
    {
      signInMethod: options.signInMethod ?? "password_totp",
      passkeyEnrolmentRequired: options.passkeyEnrolmentRequired,
    },
  );
  return { token: session.token, id: session.id };
}

/** A browser holding a session the passkey policy confined. */
export async function signInConfined(
  app: ReturnType<typeof createApp>,
  clock: TestClock,
  user: { id: string },
  signInMethod: SignInMethod = "password_totp",
): Promise<{ agent: Agent; sessionId: string }> {
  const session = await insertTestSession(clock, user.id, { passkeyEnrolmentRequired: true, signInMethod });
  const agent = new Agent(app);
  agent.cookies.set("__Host-gatehouse_session", session.token);
  return { agent, sessionId: session.id };
}
