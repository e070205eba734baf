import { describe, expect, it } from "vitest";
import { insertAuditEvent } from "../../../src/domain/audit/audit";
import { Agent } from "../../helpers/agent";
import { TestClock } from "../../helpers/clock";
import { createActiveUser, createTestApp, signInAs, testContext } from "../../helpers/factories";
import { rawDb } from "../../helpers/store";

describe("audit log", () => {
  it("is refused UPDATE and DELETE by the database itself", async () => {
    const clock = new TestClock();
    await createActiveUser(clock);
    await expect(rawDb.prepare("UPDATE audit_events SET action = 'tampered'").run()).rejects.toThrow(/append-only/);
    await expect(rawDb.prepare("DELETE FROM audit_events").run()).rejects.toThrow(/append-only/);
    const tampered = await rawDb.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'tampered'").first<{ n: number }>();
    expect(tampered?.n).toBe(0);
  });

  it("records invite, setup, sign-in success and failure with actor, target, address and request id, and no secrets", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock, { clientAddress: () => "192.0.2.44" });
    const user = await createActiveUser(clock);
    await new Agent(app).post("/login", { email: user.email, password: "a wrong password" });
    const agent = await signInAs(app, clock, user);
    await agent.post("/logout", {});
    const rows = await rawDb
      .prepare("SELECT * FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(user.id)
      .all<Record<string, unknown>>();
    const actions = rows.results.map((row) => row.action);
    expect(actions).toEqual(["user.invited", "user.setup_completed", "session.sign_in_failed", "session.signed_in", "session.signed_out"]);
    const failure = rows.results[2];
    expect(failure).toMatchObject({ ip: "192.0.2.44", actor_email: user.email, target_type: "user" });
    expect(JSON.parse(String(failure?.details))).toEqual({ factor: "password", reason: "wrong_password" });
    expect(rows.results[3]?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const everything = JSON.stringify(rows.results);
    const secretRow = await rawDb
      .prepare("SELECT password_hash, totp_secret FROM users WHERE id = ?")
      .bind(user.id)
      .first<Record<string, string>>();
    for (const secret of [user.password, user.totpSecret, secretRow?.password_hash, agent.sessionCookie(), ...user.recoveryCodes]) {
      if (secret) expect(everything).not.toContain(secret);
    }
  });

  it("refuses to write details whose keys look like secrets", () => {
    const ctx = testContext(new TestClock());
    expect(() => insertAuditEvent(ctx, { action: "user.updated", details: { password: "x" } })).toThrow(/secrets/);
    expect(() => insertAuditEvent(ctx, { action: "user.updated", details: { setupToken: "x" } })).toThrow(/secrets/);
  });
});
