// The browser suite moves time through POST /__test__/clock, which only its own Worker entry
// (test/e2e/worker.ts, configured by test/e2e/wrangler.e2e.toml) serves. The production entry —
// src/index.ts, wrangler.toml's `main`, the Worker these tests run — must not know the route.
// (.ci/run also greps the production bundle of `wrangler deploy --dry-run` for it.)
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";

describe("test-only hooks", () => {
  it("are not served by the production Worker entry", async () => {
    const get = await SELF.fetch("http://localhost:8787/__test__/clock");
    expect(get.status).toBe(404);
    const post = await SELF.fetch("http://localhost:8787/__test__/clock", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:8787" },
      body: JSON.stringify({ set: "2030-01-01T00:00:00Z" }),
    });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toContain("2030-01-01");
  });

  it("are not among the routes of the app", () => {
    expect(createApp().routes.filter((route) => route.path.includes("__test__"))).toEqual([]);
  });
});
