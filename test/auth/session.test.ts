// Sessions (docs/SECURITY.md "Sessions"): a random token stored as its SHA-256, validated on every
// request by domain/principal.ts#loadPrincipal against the idle timeout (30 minutes) and the
// absolute lifetime (12 hours) at the injected clock's time.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/crypto";
import { deleteSession, insertSession, prepareSession } from "../../src/auth/session";
import { loadPrincipal } from "../../src/domain/principal";
import { TestClock } from "../helpers/clock";
import { createActiveUser, testContext } from "../helpers/factories";
import { rawDb } from "../helpers/store";

const minuteSeconds = 60;

async function startSession(clock: TestClock, userId: string): Promise<string> {
  const session = prepareSession(clock.now());
  await insertSession(
    testContext(clock).db,
    session,
    userId,
    clock.now(),
    { ip: "203.0.113.7", userAgent: "vitest" },
    {
      signInMethod: "password_totp",
      passkeyEnrolmentRequired: false,
    },
  );
  return session.token;
}

function load(clock: TestClock, token: string) {
  return loadPrincipal(testContext(clock).db, { kind: "session", token }, clock.now());
}

describe("sessions", () => {
  it("stores only the SHA-256 of a random 32-byte token, with a 12-hour lifetime", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);

    const token = await startSession(clock, user.id);

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await rawDb
      .prepare("SELECT * FROM sessions WHERE id = ?")
      .bind(hashToken(token))
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      user_id: user.id,
      created_at: clock.now().getTime(),
      expires_at: clock.now().getTime() + 12 * 3_600_000,
    });
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("loads the signed-in user from a live token, and nobody from an unknown, malformed or deleted one", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await startSession(clock, user.id);

    const principal = await load(clock, token);

    expect(principal?.user.id).toBe(user.id);
    expect(principal?.credential).toEqual({
      kind: "session",
      sessionId: hashToken(token),
      authenticatedAt: clock.now(),
      signInMethod: "password_totp",
      passkeyEnrolmentRequired: false,
    });
    expect(await load(clock, prepareSession(clock.now()).token)).toBeNull();
    expect(await load(clock, "not a token")).toBeNull();
    await deleteSession(testContext(clock).db, hashToken(token));
    expect(await load(clock, token)).toBeNull();
  });

  it("ends a session 30 minutes after its last use, and each use moves that moment", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await startSession(clock, user.id);

    clock.advanceSeconds(29 * minuteSeconds);
    expect(await load(clock, token), "29 idle minutes").not.toBeNull();
    const lastSeen = await rawDb
      .prepare("SELECT last_seen_at FROM sessions WHERE id = ?")
      .bind(hashToken(token))
      .first();
    expect(lastSeen).toEqual({ last_seen_at: clock.now().getTime() });
    clock.advanceSeconds(29 * minuteSeconds);
    expect(await load(clock, token), "29 more idle minutes").not.toBeNull();
    clock.advanceSeconds(30 * minuteSeconds);
    expect(await load(clock, token), "30 idle minutes").toBeNull();
  });

  it("ends a session 12 hours after sign-in whatever the activity", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await startSession(clock, user.id);

    for (let step = 1; step <= 28; step++) {
      clock.advanceSeconds(25 * minuteSeconds);
      expect(await load(clock, token), `after ${step * 25} minutes`).not.toBeNull();
    }
    clock.advanceSeconds(20 * minuteSeconds);
    expect(await load(clock, token), "after 720 minutes").toBeNull();
  });

  it("refuses the session of a user deactivated since, on the next request", async () => {
    const clock = new TestClock();
    const user = await createActiveUser(clock);
    const token = await startSession(clock, user.id);

    await rawDb.prepare("UPDATE users SET deactivated_at = ? WHERE id = ?").bind(clock.now().getTime(), user.id).run();

    expect(await load(clock, token)).toBeNull();
  });
});
