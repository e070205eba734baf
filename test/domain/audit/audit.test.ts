import { describe, expect, it } from "vitest";
import type { Principal } from "../../../src/domain/access";
import { insertAuditEvent } from "../../../src/domain/audit/audit";
import type { Actor } from "../../../src/domain/context";
import { Agent } from "../../helpers/agent";
import { testActor, testService } from "../../helpers/audit";
import { TestClock } from "../../helpers/clock";
import { createActiveUser, createTestApp, signInAs, testContext } from "../../helpers/factories";
import { rawDb } from "../../helpers/store";

describe("audit log", () => {
  it("is refused UPDATE and DELETE by the database itself", async () => {
    const clock = new TestClock();
    await createActiveUser(clock);
    await expect(rawDb.prepare("UPDATE audit_events SET action = 'tampered'").run()).rejects.toThrow(/append-only/);
    await expect(rawDb.prepare("DELETE FROM audit_events").run()).rejects.toThrow(/append-only/);
    const tampered = await rawDb
      .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'tampered'")
      .first<{ n: number }>();
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
    expect(actions).toEqual([
      "user.invited",
      "user.setup_completed",
      "session.sign_in_failed",
      "session.signed_in",
      "session.signed_out",
    ]);
    // The same kinds that migration 0005 derived for rows written before actor_kind existed.
    expect(rows.results.map((row) => row.actor_kind)).toEqual(["system", "account", "anonymous", "account", "user"]);
    const failure = rows.results[2];
    expect(failure).toMatchObject({ ip: "192.0.2.44", actor_email: user.email, target_type: "user" });
    expect(JSON.parse(String(failure?.details))).toEqual({ factor: "password", reason: "wrong_password" });
    expect(rows.results[3]?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const everything = JSON.stringify(rows.results);
    const secretRow = await rawDb
      .prepare("SELECT password_hash, totp_secret FROM users WHERE id = ?")
      .bind(user.id)
      .first<Record<string, string>>();
    for (const secret of [
      user.password,
      user.totpSecret,
      secretRow?.password_hash,
      agent.sessionCookie(),
      ...user.recoveryCodes,
    ]) {
      if (secret) expect(everything).not.toContain(secret);
    }
  });

  it("records every kind of actor as kind, id, name and email, a service never as a person", async () => {
    const clock = new TestClock();
    const account = testActor("Ada Account");
    const principal: Principal = {
      user: {
        id: "usr_signed_in",
        email: "una@example.test",
        firstName: "Una",
        lastName: "User",
        displayName: "Una User",
        role: "OPERATOR",
        timeZone: "UTC",
        slackId: null,
        createdAt: clock.now(),
        lastLoginAt: null,
      },
      credential: {
        kind: "session",
        sessionId: "s",
        authenticatedAt: clock.now(),
        signInMethod: "password_totp",
        passkeyEnrolmentRequired: false,
      },
      memberships: [],
      permissions: new Set(),
    };
    const directory = testService("scim_directory", { kind: "staff" }, "Staff directory");
    const review = testService("access_review", { kind: "tenant", tenantId: "tnt_reviewed" }, "Q4 review of Acme");
    const connection = testService("sign_in_connection", { kind: "tenant", tenantId: "tnt_sso" }, "Acme SSO");
    const actors: Actor[] = [
      { kind: "system" },
      { kind: "anonymous", email: "who@example.test" },
      { kind: "anonymous", email: null },
      account,
      { kind: "user", principal },
      directory,
      review,
      connection,
    ];
    const targetId = `usr_${crypto.randomUUID().slice(0, 8)}`;
    for (const actor of actors) {
      await insertAuditEvent(testContext(clock, actor), {
        action: "user.updated",
        target: { type: "user", id: targetId, label: null },
      });
    }

    const rows = await rawDb
      .prepare("SELECT actor_kind, actor_id, actor_name, actor_email FROM audit_events WHERE target_id = ? ORDER BY id")
      .bind(targetId)
      .all();
    expect(rows.results).toEqual([
      { actor_kind: "system", actor_id: null, actor_name: "Gatehouse (system)", actor_email: null },
      { actor_kind: "anonymous", actor_id: null, actor_name: "anonymous", actor_email: "who@example.test" },
      { actor_kind: "anonymous", actor_id: null, actor_name: "anonymous", actor_email: null },
      { actor_kind: "account", actor_id: account.user.id, actor_name: "Ada Account", actor_email: account.user.email },
      { actor_kind: "user", actor_id: "usr_signed_in", actor_name: "Una User", actor_email: "una@example.test" },
      {
        actor_kind: "service:scim_directory",
        actor_id: directory.service.id,
        actor_name: "Staff directory",
        actor_email: null,
      },
      {
        actor_kind: "service:access_review",
        actor_id: review.service.id,
        actor_name: "Q4 review of Acme",
        actor_email: null,
      },
      {
        actor_kind: "service:sign_in_connection",
        actor_id: connection.service.id,
        actor_name: "Acme SSO",
        actor_email: null,
      },
    ]);
  });

  it("refuses to write details whose keys look like secrets", () => {
    const ctx = testContext(new TestClock());
    expect(() => insertAuditEvent(ctx, { action: "user.updated", details: { password: "x" } })).toThrow(/secrets/);
    expect(() => insertAuditEvent(ctx, { action: "user.updated", details: { setupToken: "x" } })).toThrow(/secrets/);
  });
});
