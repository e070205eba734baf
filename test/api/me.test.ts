import { describe, expect, it } from "vitest";
import { Agent } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

describe("GET /api/v1/me", () => {
  it("describes the caller of a live session", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock, { role: "SUPER_ADMIN", firstName: "Ada", lastName: "Admin" });
    const agent = await signInAs(app, clock, user);
    const response = await agent.get("/api/v1/me");
    expect(response.status).toBe(200);
    const body = await response.json<{
      user: Record<string, unknown>;
      memberships: unknown[];
      permissions: string[];
    }>();
    expect(body.user).toMatchObject({
      id: user.id,
      email: user.email,
      firstName: "Ada",
      role: "SUPER_ADMIN",
      status: "ACTIVE",
      setupLinkExpiresAt: null,
    });
    expect(body.user.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(body.memberships).toEqual([]);
    expect(body.permissions).toContain("users:create");
    expect(body.permissions).toHaveLength(20);
  });

  it("answers 401 as problem details without a session, with a dead session and after sign-out", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const anonymous = await new Agent(app).get("/api/v1/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    expect(await anonymous.json()).toMatchObject({
      status: 401,
      title: "Sign in or send a valid API token",
      type: expect.stringContaining("unauthenticated"),
    });

    const user = await createActiveUser(clock);
    const agent = await signInAs(app, clock, user);
    expect((await agent.get("/api/v1/me")).status).toBe(200);
    await agent.post("/logout", {});
    const stale = new Agent(app);
    stale.cookies.set("__Host-gatehouse_session", "A".repeat(43));
    expect((await stale.get("/api/v1/me")).status).toBe(401);
    expect((await new Agent(app).get("/api/v1/me", { authorization: "Bearer nonsense" })).status).toBe(401);
  });
});
