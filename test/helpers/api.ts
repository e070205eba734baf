// API clients for tests: a personal API token created through the API itself, and a caller that
// sends it as a bearer token, as curl would.
import type { createApp } from "../../src/app";
import { type Agent, origin, summarizeResponse } from "./agent";
import { env } from "./store";

type App = ReturnType<typeof createApp>;

export async function createApiTokenFor(agent: Agent, name = "test token"): Promise<string> {
  const response = await agent.json("POST", "/api/v1/me/tokens", { name });
  if (response.status !== 201) throw new Error(`token creation failed: ${await summarizeResponse(response)}`);
  return (await response.json<{ token: string }>()).token;
}

export class ApiClient {
  constructor(
    private readonly app: App,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown, headers: HeadersInit = {}): Promise<Response> {
    return this.app.request(
      `${origin}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      env,
    );
  }

  async expectJson<T = Record<string, unknown>>(
    method: string,
    path: string,
    body: unknown,
    status: number,
  ): Promise<T> {
    const response = await this.call(method, path, body);
    const text = await response.text();
    if (response.status !== status)
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}
