// A minimal browser for tests: keeps cookies, sends same-origin Origin headers on form posts and
// never follows redirects by itself, so tests see every step.
import type { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { env } from "./store";

export const origin = "http://localhost:8787";

type App = ReturnType<typeof createApp>;

export class Agent {
  readonly cookies = new Map<string, string>();

  /** bindings: the Worker's env, or a copy with other vars (e.g. CLIENT_ADDRESS_SOURCE). */
  constructor(
    private readonly app: App,
    private readonly bindings: Bindings = env,
  ) {}

  private storeCookies(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0$/i.test(attribute)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has("cookie")) headers.set("cookie", this.cookieHeader());
    const response = await this.app.request(
      `${origin}${path}`,
      { ...init, headers, redirect: "manual" },
      this.bindings,
    );
    this.storeCookies(response);
    return response;
  }

  get(path: string, headers: HeadersInit = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** A form post; pairs express repeated fields (checkboxes). */
  post(
    path: string,
    form: Record<string, string> | Array<[string, string]>,
    headers: HeadersInit = {},
  ): Promise<Response> {
    return this.request(path, {
      method: "POST",
      body: new URLSearchParams(form),
      headers: { origin, "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  json(method: string, path: string, body?: unknown, headers: HeadersInit = {}): Promise<Response> {
    return this.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { origin, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    });
  }

  sessionCookie(): string | undefined {
    return this.cookies.get("__Host-gatehouse_session");
  }
}

/** Text of a response for assertion messages. */
export async function summarizeResponse(response: Response): Promise<string> {
  return `${response.status} ${await response.clone().text()}`;
}
