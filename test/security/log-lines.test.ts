// docs/SECURITY.md "Logs": every line Gatehouse writes is one JSON object, so no value (a name in a
// subject, an error message) can end a line, forge another or turn a terminal's text around.
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Db } from "../../src/db/client";
import { readConfig } from "../../src/env";
import type { AppEnv } from "../../src/http/app-env";
import { logUnexpectedError } from "../../src/http/errors";
import { createEmailProvider } from "../../src/jobs/email-providers";
import { runJobs } from "../../src/jobs/scheduled";
import { TestClock } from "../helpers/clock";
import { testContext } from "../helpers/factories";
import { env } from "../helpers/store";

const token = "BG892QIeiv4_zTX8Hm7WlsSMjiyQuTj_4VcgyOVrSqo";
// Characters that some reader of a log takes for the end of a line, or that reorder what it shows.
const lineBreaking = /[\r\n\u0085\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

function expectOneJsonLine(lines: string[]): Record<string, unknown> {
  expect(lines).toHaveLength(1);
  const line = lines[0] as string;
  expect(line).not.toMatch(lineBreaking);
  return JSON.parse(line) as Record<string, unknown>;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("log lines", () => {
  it("prints an email whose subject carries CR/LF, NEL, a line separator and a direction override as exactly one JSON line", async () => {
    const lines: string[] = [];
    const provider = createEmailProvider({ ...readConfig(env), EMAIL_PROVIDER: "log" }, env, {
      log: (line) => lines.push(line),
    });
    const subject = "Access of Eve\r\nBcc: victim@example.com\u0085x\u2028y \u202Eevil expires";
    await provider.send({
      id: "out_1",
      to: "eve@example.test",
      subject,
      text: `Hello Eve,\n\nhttp://localhost:8787/setup/${token}\n\nBye`,
      html: "<p>Hello</p>",
    });
    const record = expectOneJsonLine(lines);
    expect(record).toMatchObject({ level: "info", event: "email_printed", id: "out_1", to: "eve@example.test" });
    expect(record.text).toBe("Hello Eve,\n\nhttp://localhost:8787/setup/[setup token hidden]\n\nBye");
    expect(lines[0]).not.toContain(token);
  });

  it("logs a failed job whose error message spans lines as exactly one JSON line", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const ctx = testContext(new TestClock("2026-06-02T10:00:00Z"));
    const failingBatch = new Proxy(ctx.db, {
      get(target, property, receiver) {
        if (property !== "batch") return Reflect.get(target, property, receiver);
        return (..._args: Parameters<Db["batch"]>) => Promise.reject(new Error("injected\r\n[gatehouse] forged line"));
      },
    });
    await runJobs({ ...ctx, db: failingBatch }, createEmailProvider(ctx.config, env, { log: () => undefined }));
    const jobLines = logged.mock.calls.map((call) => String(call[0])).filter((line) => line.includes("expiry_sweep"));
    expect(expectOneJsonLine(jobLines)).toMatchObject({
      level: "error",
      event: "job_failed",
      job: "expiry_sweep",
      requestId: "test",
    });
  });

  it("logs an unexpected request error whose message spans lines as exactly one JSON line", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const app = new Hono<AppEnv>().get("/boom", (c) => {
      logUnexpectedError(c, new Error("first\r\nsecond\u2028third"));
      return c.body(null, 204);
    });
    expect((await app.request("http://localhost:8787/boom?token=secret")).status).toBe(204);
    const record = expectOneJsonLine(logged.mock.calls.map((call) => String(call[0])));
    expect(record).toMatchObject({
      level: "error",
      event: "request_failed",
      method: "GET",
      path: "/boom",
      error: "Error: first",
    });
    expect(JSON.stringify(record)).not.toContain("secret");
  });
});
