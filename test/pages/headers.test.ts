import { describe, expect, it } from "vitest";
import { Agent } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

describe("security headers", () => {
  it("sends the CSP, nosniff, HSTS, frame and referrer headers on pages, errors and the API", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const agent = await signInAs(app, clock, user);
    for (const path of ["/login", "/admin", "/admin/users", "/no-such-page", "/api/v1/me", "/setup/bogus"]) {
      const response = await agent.get(path);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("strict-transport-security")).toContain("max-age=");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("server")).toBeNull();
      expect(response.headers.get("x-powered-by")).toBeNull();
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("serves its script and stylesheet from the Worker so no inline code is needed", async () => {
    const agent = new Agent(createTestApp(new TestClock()));
    const page = await (await agent.get("/login")).text();
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).not.toMatch(/<script(?![^>]*src=)/);
    expect(page).not.toMatch(/ style="/);
    expect((await agent.get("/static/app.js")).headers.get("content-type")).toContain("javascript");
  });

  it("answers an unexpected error with a generic page and a reference, never a stack trace", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    app.get("/explode", () => {
      throw new Error("secret internals");
    });
    const response = await new Agent(app).get("/explode");
    const html = await response.text();
    expect(response.status).toBe(500);
    expect(html).toContain("Something went wrong");
    expect(html).not.toContain("secret internals");
    expect(html).toContain(response.headers.get("x-request-id") ?? "missing");
  });
});
