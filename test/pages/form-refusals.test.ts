// Which refusals a form shows next to its fields is decided once, in the error catalogue
// (docs/DECISIONS.md "Form refusals"): a throttled attempt is one of them, on every form it can
// reach, with its status and Retry-After; not being allowed is not, and goes to the error page.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, grantPermissionsThroughGroup, signInAs } from "../helpers/factories";

describe("form refusals", () => {
  it("shows a locked account's password change on the account form, with 429 and Retry-After, and changes nothing", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const user = await createActiveUser(clock);
    const agent = await signInAs(app, clock, user);
    const before = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ password_hash: string }>();
    const attempt = (currentPassword: string) =>
      agent.post("/account/password", {
        currentPassword,
        newPassword: "a brand new passphrase",
        newPasswordConfirmation: "a brand new passphrase",
      });
    for (let failure = 0; failure < 10; failure++) expect((await attempt(`wrong guess ${failure}`)).status).toBe(400);
    const locked = await attempt(user.password);
    const html = await locked.text();
    expect(locked.status, html).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("900");
    expect(html).toContain("<h1>Your account</h1>");
    expect(html).toContain('<form method="post" action="/account/password" novalidate="">');
    expect(html).toContain("Too many attempts. Wait a little and try again.");
    const after = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ password_hash: string }>();
    expect(after?.password_hash).toBe(before?.password_hash);
  });

  it("answers a change the caller may not make with the error page, not the form", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const manager = await createActiveUser(clock, { role: "OPERATOR" });
    await grantPermissionsThroughGroup(manager.id, ["users:read", "users:update"]);
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN", firstName: "Sam", lastName: "Super" });
    const agent = await signInAs(app, clock, manager);
    const response = await agent.post(`/admin/users/${admin.id}`, {
      firstName: "Renamed",
      lastName: "Super",
      displayName: "Renamed",
      slackId: "",
      role: "SUPER_ADMIN",
    });
    const html = await response.text();
    expect(response.status, html).toBe(403);
    expect(html).toContain("<h1>Access denied</h1>");
    expect(html).toContain("Only a Super admin can change a Super admin.");
    expect(html).not.toContain('action="/admin/users/');
    const row = await env.DB.prepare("SELECT first_name FROM users WHERE id = ?")
      .bind(admin.id)
      .first<{ first_name: string }>();
    expect(row?.first_name).toBe("Sam");
  });
});
