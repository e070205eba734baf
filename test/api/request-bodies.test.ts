// Request bodies on /api/v1 (docs/SECURITY.md "Request bodies", docs/API.md "Request limits"):
// capped per route before they are read, and refused when a key appears twice in one object.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { origin } from "../helpers/agent";
import { createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, createTestTenant, signInAs, uniqueEmail } from "../helpers/factories";

const clock = new TestClock();
const app = createTestApp(clock);

async function adminToken() {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return createApiTokenFor(await signInAs(app, clock, admin));
}

/** Sends `body` exactly as written: duplicate keys survive only in raw text. */
function send(token: string, path: string, body: BodyInit, headers: HeadersInit = {}) {
  return app.request(
    `${origin}${path}`,
    {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    },
    env,
  );
}

type Problem = {
  status: number;
  code: string;
  detail: string;
  limitBytes?: number;
  errors?: Array<{ field: string; message: string }>;
};

async function problemOf(response: Response, status: number): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return JSON.parse(text) as Problem;
}

async function userByEmail(email: string) {
  return env.DB.prepare("SELECT id, role FROM users WHERE email = ?").bind(email).first<{ id: string; role: string }>();
}

/** A JSON invite whose text is exactly `bytes` long (padded inside lastName's neighbour, slackId). */
function inviteOfSize(email: string, bytes: number): string {
  const shell = JSON.stringify({ email, firstName: "Big", lastName: "Body", role: "OPERATOR", slackId: "" });
  const body = shell.replace('"slackId":""', `"slackId":"${"x".repeat(bytes - shell.length)}"`);
  expect(body.length).toBe(bytes);
  return body;
}

describe("request body limits", () => {
  it("refuses a JSON body one byte over 64 KiB with 413 problem details naming the limit, creating nothing", async () => {
    const token = await adminToken();
    const email = uniqueEmail("too-big");
    const problem = await problemOf(await send(token, "/api/v1/users", inviteOfSize(email, 64 * 1024 + 1)), 413);
    expect(problem).toMatchObject({ code: "PAYLOAD_TOO_LARGE", limitBytes: 65536 });
    expect(problem.detail).toContain("64 KiB (65536 bytes)");
    expect(await userByEmail(email)).toBeNull();
    // At the limit the body is read and validated as usual.
    const atLimit = await problemOf(await send(token, "/api/v1/users", inviteOfSize(email, 64 * 1024)), 400);
    expect(atLimit.code).toBe("VALIDATION_FAILED");
  });

  it("refuses a streamed body without Content-Length as soon as it passes the limit", async () => {
    const token = await adminToken();
    const chunk = new TextEncoder().encode(`{"padding":"${"x".repeat(16 * 1024)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        // 100 chunks would be 1.6 MB; the limit stops the reading long before.
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const problem = await problemOf(await send(token, "/api/v1/users", stream), 413);
    expect(problem.detail).toContain("64 KiB");
    expect(sent).toBeLessThan(20);
  });

  it("refuses a streamed body over the limit on a route that reads no body (a DELETE)", async () => {
    const token = await adminToken();
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await app.request(
      `${origin}/api/v1/memberships/mbr_does_not_exist`,
      { method: "DELETE", body: stream, headers: { authorization: `Bearer ${token}` }, duplex: "half" } as RequestInit,
      env,
    );
    const problem = await problemOf(response, 413);
    expect(problem.detail).toContain("64 KiB");
    expect(sent).toBeLessThan(20);
  });

  it("refuses a bulk invite one byte over 1 MiB with 413 naming 1 MiB", async () => {
    const token = await adminToken();
    const marker = crypto.randomUUID().slice(0, 8);
    const shell = JSON.stringify({
      users: [{ email: `bulk-big.${marker}@example.test`, firstName: "A", lastName: "" }],
    });
    const body = shell.replace('"lastName":""', `"lastName":"${"x".repeat(1024 * 1024 + 1 - shell.length)}"`);
    expect(body.length).toBe(1024 * 1024 + 1);
    const problem = await problemOf(await send(token, "/api/v1/users/bulk", body), 413);
    expect(problem).toMatchObject({ code: "PAYLOAD_TOO_LARGE", limitBytes: 1048576 });
    expect(problem.detail).toContain("1 MiB (1048576 bytes)");
    expect(await userByEmail(`bulk-big.${marker}@example.test`)).toBeNull();
  });

  it("accepts a 500-row bulk invite far over the default limit", async () => {
    const token = await adminToken();
    const marker = crypto.randomUUID().slice(0, 8);
    const users = Array.from({ length: 500 }, (_, i) => ({
      email: `bulk-wide.${marker}.${i}@example.test`,
      firstName: "F".repeat(100),
      lastName: "L".repeat(100),
      role: "OPERATOR",
      slackId: "U012AB3CD",
    }));
    const body = JSON.stringify({ users });
    expect(body.length).toBeGreaterThan(128 * 1024);
    const response = await send(token, "/api/v1/users/bulk", body);
    expect(response.status, await response.clone().text()).toBe(200);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email LIKE ?")
      .bind(`bulk-wide.${marker}.%`)
      .first<{ n: number }>();
    expect(count?.n).toBe(500);
  });
});

describe("duplicate keys in JSON bodies", () => {
  it("refuses a repeated top-level key instead of keeping the last one, creating nothing", async () => {
    const token = await adminToken();
    const email = uniqueEmail("dup-role");
    const body = `{"email":"${email}","firstName":"Dup","lastName":"Role","role":"OPERATOR","role":"SUPER_ADMIN"}`;
    const problem = await problemOf(await send(token, "/api/v1/users", body), 400);
    expect(problem.code).toBe("INVALID_JSON");
    expect(problem.detail).toBe('The request body repeats the key "role". Send each key once.');
    expect(problem.errors).toEqual([{ field: "role", message: "This key appears more than once in its object." }]);
    expect(await userByEmail(email)).toBeNull();
  });

  it("refuses a repeated key however it is escaped", async () => {
    const token = await adminToken();
    const email = uniqueEmail("dup-escaped");
    const body = `{"email":"${email}","firstName":"Dup","lastName":"Escaped","role":"OPERATOR","r\\u006fle":"SUPER_ADMIN"}`;
    expect(JSON.parse(body).role).toBe("SUPER_ADMIN");
    const problem = await problemOf(await send(token, "/api/v1/users", body), 400);
    expect(problem.detail).toContain('"role"');
    expect(await userByEmail(email)).toBeNull();
  });

  it("refuses a repeated key nested in a membership or a bulk row, creating nothing", async () => {
    const token = await adminToken();
    const tenant = await createTestTenant(clock, "Dup");
    const email = uniqueEmail("dup-nested");
    const nested = `{"email":"${email}","firstName":"Dup","lastName":"Nested","role":"OPERATOR","memberships":[{"tenantId":"${tenant.id}","role":"OPERATOR_READONLY","role":"OPERATOR_FULL"}]}`;
    const problem = await problemOf(await send(token, "/api/v1/users", nested), 400);
    expect(problem.detail).toContain('"memberships.0.role"');
    expect(await userByEmail(email)).toBeNull();
    const bulkEmail = uniqueEmail("dup-bulk");
    const bulk = `{"users":[{"email":"${bulkEmail}","firstName":"Dup","lastName":"Bulk","role":"OPERATOR","role":"SUPER_ADMIN"}]}`;
    const bulkProblem = await problemOf(await send(token, "/api/v1/users/bulk", bulk), 400);
    expect(bulkProblem.errors).toEqual([
      { field: "users.0.role", message: "This key appears more than once in its object." },
    ]);
    expect(await userByEmail(bulkEmail)).toBeNull();
  });

  it("still accepts the same key in different objects", async () => {
    const token = await adminToken();
    const tenant = await createTestTenant(clock, "Same key");
    const email = uniqueEmail("same-key");
    const body = `{"email":"${email}","firstName":"Same","lastName":"Key","role":"OPERATOR","memberships":[{"tenantId":"${tenant.id}","role":"OPERATOR_FULL"}]}`;
    const response = await send(token, "/api/v1/users", body);
    expect(response.status, await response.clone().text()).toBe(201);
    expect(await userByEmail(email)).toMatchObject({ role: "OPERATOR" });
  });
});
