// SCIM discovery (RFC 7644 §4): public, the same for every directory, ListResponse for the plural ones.
import { describe, expect, it } from "vitest";
import { origin } from "../helpers/agent";
import { TestClock } from "../helpers/clock";
import { createTestApp } from "../helpers/factories";
import { env } from "../helpers/store";

const app = createTestApp(new TestClock());

async function get(path: string) {
  const response = await app.request(`${origin}/scim/v2${path}`, {}, env);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: await response.json<Record<string, unknown>>(),
  };
}

describe("discovery", () => {
  it("answers ServiceProviderConfig without a token, advertising the limits and no ETags, bulk or sort", async () => {
    const config = await get("/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.type).toBe("application/scim+json");
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      etag: { supported: false },
      sort: { supported: false },
      meta: { location: `${origin}/scim/v2/ServiceProviderConfig` },
    });
  });

  it("lists resource types and schemas, and answers one by its id", async () => {
    const types = await get("/ResourceTypes");
    expect(types.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 2,
    });
    expect((await get("/ResourceTypes/User")).body).toMatchObject({ id: "User", endpoint: "/Users" });
    const schemas = await get("/Schemas");
    expect(schemas.body.totalResults).toBe(3);
    const user = await get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
    expect(user.body).toMatchObject({ id: "urn:ietf:params:scim:schemas:core:2.0:User", name: "User" });
  });

  it("answers 404 for an unknown resource type or schema, and 403 to a filter", async () => {
    expect((await get("/ResourceTypes/Printer")).status).toBe(404);
    expect((await get("/Schemas/urn:example:nothing")).body).toMatchObject({ status: "404" });
    expect((await get('/Schemas?filter=id%20eq%20"x"')).status).toBe(403);
  });

  it("still asks for a token everywhere else", async () => {
    const users = await app.request(`${origin}/scim/v2/Users`, {}, env);
    expect(users.status).toBe(401);
  });
});
