// /account: an API token made on the page is shown once, on the page the POST redirects to, and
// never again (docs/ARCHITECTURE.md "Feedback after a form"); the messages name the token.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { ApiClient } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

const clock = new TestClock("2026-11-24T12:00:00Z");
const app = createTestApp(clock);

describe("/account API tokens", () => {
  it("creates a token with a redirect, shows it once on the page, and says so on a reload", async () => {
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = await signInAs(app, clock, user);
    const created = await agent.post("/account/tokens", { name: "CI deploy", expiresAt: "" });
    expect(created.status, await summarizeResponse(created)).toBe(303);
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(/^\/account\?token=tok_[A-Za-z0-9_]+#tokens-heading$/);
    const tokenId = new URL(location, "https://gatehouse.test").searchParams.get("token");
    expect(await created.text()).not.toMatch(/value="[A-Za-z0-9_-]{43}"/);

    const shown = await (await agent.get(location)).text();
    expect(shown).toContain("Token &quot;CI deploy&quot; created. Copy it now: it is shown only once.");
    const secret = /id="new-api-token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="new-api-token"/.exec(shown);
    const value = secret?.[1] ?? secret?.[2] ?? "";
    const stored = await env.DB.prepare("SELECT id FROM api_tokens WHERE user_id = ?")
      .bind(user.id)
      .all<{ id: string }>();
    expect(stored.results.map((row) => row.id)).toEqual([tokenId]);
    expect(value.length).toBeGreaterThan(40);
    expect((await new ApiClient(app, value).call("GET", "/api/v1/me")).status).toBe(200);

    const reloaded = await (await agent.get(location)).text();
    expect(reloaded).not.toContain(value);
    expect(reloaded).toContain(
      "The API token &quot;CI deploy&quot; was shown once, when it was created. If you did not copy it, revoke it and create a new one.",
    );
  });

  it("never shows a token's secret to another user who opens the same address", async () => {
    const owner = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = await signInAs(app, clock, owner);
    const created = await agent.post("/account/tokens", { name: "Mine", expiresAt: "" });
    const location = created.headers.get("location") ?? "";
    const other = await signInAs(app, clock, await createActiveUser(clock, { role: "OPERATOR" }));
    // The other browser even carries the owner's flash cookie: it is sealed to the owner.
    const flash = agent.cookies.get("__Host-gatehouse_flash");
    expect(flash).toBeDefined();
    other.cookies.set("__Host-gatehouse_flash", flash as string);
    const html = await (await other.get(location)).text();
    expect(html).not.toContain('id="new-api-token"');
    expect(html).not.toContain("Mine");
  });

  it("names the token it revoked", async () => {
    const user = await createActiveUser(clock, { role: "OPERATOR" });
    const agent = await signInAs(app, clock, user);
    const created = await agent.json("POST", "/api/v1/me/tokens", { name: "Old laptop" });
    const { id } = await created.json<{ id: string }>();
    const revoked = await agent.post("/account/tokens/revoke", { tokenId: id });
    expect(revoked.status, await summarizeResponse(revoked)).toBe(303);
    expect(revoked.headers.get("location")).toBe("/account");
    const html = await (await agent.get("/account")).text();
    expect(html).toContain("The API token &quot;Old laptop&quot; was revoked");
    expect(await (await agent.get("/account")).text()).not.toContain("was revoked");
  });
});
