// A path or method no endpoint of /api/v1 answers gets the API's own problem+json 404 (its last
// route in src/routes/api/v1/index.ts): a sub-app's notFound() is never consulted once mounted.
import { describe, expect, it } from "vitest";
import { Agent } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

const apiNotFound = "No /api/v1 endpoint answers this method and path.";

async function expectApiNotFound(response: Response, detail = apiNotFound) {
  const text = await response.text();
  expect(response.status, text).toBe(404);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(JSON.parse(text)).toMatchObject({
    status: 404,
    code: "NOT_FOUND",
    detail,
    type: "https://gatehouse.dev/problems/not-found",
    requestId: response.headers.get("x-request-id"),
  });
}

describe("unknown API endpoints", () => {
  it("answer a path and a method no endpoint has with the API's 404, for a token, a session and nobody", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const agent = await signInAs(app, clock, await createActiveUser(clock, { role: "SUPER_ADMIN" }));
    const api = new ApiClient(app, await createApiTokenFor(agent));
    await expectApiNotFound(await api.call("GET", "/api/v1/no-such-endpoint"));
    await expectApiNotFound(await api.call("DELETE", "/api/v1/me"));
    await expectApiNotFound(await api.call("POST", "/api/v1/tenants/x/y/z", { name: "x" }));
    await expectApiNotFound(await agent.get("/api/v1/no-such-endpoint"));
    await expectApiNotFound(await new Agent(app).get("/api/v1"));
  });

  it("keep the API's own rules before the 404: a body that is not JSON is still 415", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    const response = await new Agent(app).post("/api/v1/no-such-endpoint", { field: "value" });
    expect(response.status, await response.clone().text()).toBe(415);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("leave paths outside /api/v1 to the app, which still answers /api/ with problem details", async () => {
    const clock = new TestClock();
    const app = createTestApp(clock);
    await expectApiNotFound(await new Agent(app).get("/api/v2/users"), "Not found");
  });
});
