// `npm run scim:directory`: the arguments it reads and what it prints or refuses, on the real
// domain code and a real store (scripts/scim-directory.ts only adds wrangler's local bindings).
import { describe, expect, it } from "vitest";
import { readPlatformOptions } from "../../scripts/local-platform";
import {
  CommandRefusal,
  createDirectoryForCommand,
  parseScimDirectoryArguments,
} from "../../scripts/scim-directory-command";
import { hashToken } from "../../src/auth/crypto";
import { TestClock } from "../helpers/clock";
import { createTestTenant, testContext } from "../helpers/factories";
import { rawDb } from "../helpers/store";

async function refusalOf(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    if (error instanceof CommandRefusal) return error.message;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("npm run scim:directory", () => {
  it("reaches the local database npm start serves: --persist-to, else GATEHOUSE_STATE_DIR, else wrangler's own", () => {
    expect(readPlatformOptions(["--staff", "--persist-to=/a"], "/b")).toEqual({ remote: false, persistTo: "/a" });
    expect(readPlatformOptions(["--staff"], "/b")).toEqual({ remote: false, persistTo: "/b" });
    expect(readPlatformOptions(["--staff"], undefined)).toEqual({ remote: false, persistTo: undefined });
    expect(readPlatformOptions(["--staff"], "")).toEqual({ remote: false, persistTo: undefined });
  });

  it("reads --tenant <slug>, --tenant=<slug>, --staff and --name", () => {
    expect(parseScimDirectoryArguments(["--tenant", "acme"])).toEqual({ scope: "tenant", slug: "acme", name: null });
    expect(parseScimDirectoryArguments(["--tenant=acme", "--name", "Acme Entra"])).toEqual({
      scope: "tenant",
      slug: "acme",
      name: "Acme Entra",
    });
    expect(parseScimDirectoryArguments(["--staff", "--name=Okta"])).toEqual({ scope: "staff", name: "Okta" });
  });

  it("refuses arguments that do not say whose directory it is, or that it does not know", async () => {
    expect(await refusalOf(() => parseScimDirectoryArguments([]))).toContain("--tenant <slug> or --staff");
    expect(await refusalOf(() => parseScimDirectoryArguments(["--staff", "--tenant", "x"]))).toContain("not both");
    expect(await refusalOf(() => parseScimDirectoryArguments(["--tenant"]))).toContain("--tenant needs a value.");
    expect(await refusalOf(() => parseScimDirectoryArguments(["--stafff"]))).toContain("Unknown option --stafff.");
  });

  it("creates a company's directory, audited as the system, and prints its SCIM base URL and working token", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    const tenant = await createTestTenant(clock, "Acme");
    const printed = await createDirectoryForCommand(ctx, { scope: "tenant", slug: tenant.slug, name: null });
    expect(printed).toContain('created the directory "Acme directory" for Acme.');
    expect(printed).toContain(`SCIM base URL: ${ctx.config.APP_ORIGIN}/scim/v2`);
    const token = /Bearer token: {2}(gths_\S+)/.exec(printed)?.[1] ?? "";
    const stored = await rawDb
      .prepare(
        "SELECT d.name, t.revoked_at, t.expires_at FROM directory_tokens t JOIN directories d ON d.id = t.directory_id WHERE t.token_hash = ?",
      )
      .bind(hashToken(token))
      .first();
    expect(stored).toEqual({ name: "Acme directory", revoked_at: null, expires_at: null });
    const audit = await rawDb
      .prepare("SELECT actor_kind FROM audit_events WHERE action = 'directory.created' AND tenant_id = ?")
      .bind(tenant.id)
      .first();
    expect(audit).toEqual({ actor_kind: "system" });
  });

  it("says so clearly for an unknown slug and for a directory that exists", async () => {
    const clock = new TestClock();
    const ctx = testContext(clock);
    expect(await refusalOf(() => createDirectoryForCommand(ctx, { scope: "tenant", slug: "nobody", name: null }))).toBe(
      'No tenant has the slug "nobody". Its slug is on its page under Admin → Tenants.',
    );
    await createDirectoryForCommand(ctx, { scope: "staff", name: "Okta" });
    expect(await refusalOf(() => createDirectoryForCommand(ctx, { scope: "staff", name: null }))).toContain(
      "The staff already has a directory.",
    );
  });
});
