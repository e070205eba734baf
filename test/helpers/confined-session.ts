// A session the passkey policy confined (passkeyEnrolmentRequired), made straight in the database as
// sign-in makes it for a person under the policy without a passkey (docs/PASSKEYS.md "The policy").
import type { createApp } from "../../src/app";
import { insertSession, prepareSession } from "../../src/auth/session";
import { Agent } from "./agent";
import type { TestClock } from "./clock";
import { testContext } from "./factories";

export async function signInConfined(
  app: ReturnType<typeof createApp>,
  clock: TestClock,
  user: { id: string },
): Promise<{ agent: Agent; sessionId: string }> {
  const ctx = testContext(clock);
  const session = prepareSession(ctx.now);
  await insertSession(
    ctx.db,
    session,
    user.id,
    ctx.now,
    { ip: null, userAgent: null },
    { signInMethod: "password_totp", passkeyEnrolmentRequired: true },
  );
  const agent = new Agent(app);
  agent.cookies.set("__Host-gatehouse_session", session.token);
  return { agent, sessionId: session.id };
}
