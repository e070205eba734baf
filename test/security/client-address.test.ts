import { describe, expect, it } from "vitest";
import { addressFailureLimit } from "../../src/auth/throttle";
import { type Bindings, readConfig } from "../../src/env";
import { Agent } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createTestApp, uniqueEmail } from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

const guess = { password: "a guess at it" };

// Storage is shared by the tests of this file: each test reads only its own addresses.
function addressThrottles(pattern: string) {
  return rawDb
    .prepare("SELECT key, failures FROM sign_in_throttles WHERE key LIKE ? ORDER BY key")
    .bind(`address:${pattern}`)
    .all<{ key: string; failures: number }>();
}

async function failureAuditIp(email: string) {
  const row = await rawDb
    .prepare("SELECT ip FROM audit_events WHERE action = 'session.sign_in_failed' AND actor_email = ?")
    .bind(email)
    .first<{ ip: string | null }>();
  return row?.ip;
}

describe("the client address", () => {
  // A hundred failed sign-ins take seconds alone and several times that on a busy two-core machine.
  it("ignores CF-Connecting-IP in local mode: the address throttle trips under 127.0.0.1 however the header changes", {
    timeout: 60_000,
  }, async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const local: Bindings = { ...env, CLIENT_ADDRESS_SOURCE: "local" };
    const firstEmail = uniqueEmail("spray");
    for (let attempt = 0; attempt < addressFailureLimit; attempt++) {
      const response = await new Agent(app, local).post(
        "/login",
        { email: attempt === 0 ? firstEmail : uniqueEmail("spray"), ...guess },
        { "cf-connecting-ip": `198.51.100.${attempt}` },
      );
      expect(response.status).toBe(401);
    }
    const blocked = await new Agent(app, local).post(
      "/login",
      { email: uniqueEmail("spray"), ...guess },
      { "cf-connecting-ip": "203.0.113.250" },
    );
    expect(blocked.status, await blocked.text()).toBe(429);
    expect((await addressThrottles("127.0.0.1")).results).toEqual([
      { key: "address:127.0.0.1", failures: addressFailureLimit },
    ]);
    expect((await addressThrottles("198.51.100.%")).results).toEqual([]);
    expect((await addressThrottles("203.0.113.%")).results).toEqual([]);
    expect(await failureAuditIp(firstEmail)).toBe("127.0.0.1");
  });

  it.each([
    ["missing (the production default)", env, "192.0.2.61"],
    ["cf-connecting-ip", { ...env, CLIENT_ADDRESS_SOURCE: "cf-connecting-ip" }, "192.0.2.62"],
  ])("takes the address from CF-Connecting-IP when CLIENT_ADDRESS_SOURCE is %s", async (_case, bindings, address) => {
    const app = createTestApp(new TestClock());
    const email = uniqueEmail("edge");
    const response = await new Agent(app, bindings).post(
      "/login",
      { email, ...guess },
      { "cf-connecting-ip": address },
    );
    expect(response.status).toBe(401);
    expect(await failureAuditIp(email)).toBe(address);
    expect((await addressThrottles(address)).results).toEqual([{ key: `address:${address}`, failures: 1 }]);
  });

  it("refuses an unknown CLIENT_ADDRESS_SOURCE with a message naming the setting", () => {
    expect(() => readConfig({ ...env, CLIENT_ADDRESS_SOURCE: "localhost" })).toThrow(
      /^Gatehouse configuration is invalid: CLIENT_ADDRESS_SOURCE: /,
    );
  });
});
