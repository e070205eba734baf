// A cookie-keeping HTTP client for the sweep's requests that a browser would not send (foreign
// origins, wrong content types, no credentials). Never follows redirects, so every answer is seen.
import { expect } from "vitest";
import { advanceClock, currentCode } from "./flows";
import type { Credentials } from "./run";
import { currentRun, recordSecret } from "./run";

export interface HttpAnswer {
  status: number;
  url: string;
  headers: Record<string, string>;
  setCookies: string[];
  location: string | null;
  text: string;
}

export class HttpClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly label: string) {}

  async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<HttpAnswer> {
    const url = `${currentRun().baseUrl}${path}`;
    // An empty value leaves the header out (a forged post without Origin, say).
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).filter(([, value]) => value !== ""));
    if (this.cookies.size > 0 && !("cookie" in headers)) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    }
    const response = await fetch(url, { method, headers, body: init.body, redirect: "manual" });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ""] = line.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const value = pair.slice(pair.indexOf("=") + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
      if (name === "__Host-gatehouse_session") recordSecret("session-token", value, `${this.label} session (HTTP)`);
      if (name === "__Host-gatehouse_challenge")
        recordSecret("challenge-token", value, `${this.label} challenge (HTTP)`);
    }
    const headerRecord: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headerRecord[name] = value;
    });
    return {
      status: response.status,
      url,
      headers: headerRecord,
      setCookies,
      location: response.headers.get("location"),
      text: await response.text(),
    };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.request("GET", path, { headers });
  }

  /** A form post as our own pages send it (same origin), unless `headers` says otherwise. */
  postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.request("POST", path, {
      headers: { origin: currentRun().baseUrl, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Signs in over HTTP with password and a fresh TOTP code (the clock moves to the next step first). */
  async signIn(
    credentials: Pick<Credentials, "email" | "password" | "totpSecret">,
    next?: string,
  ): Promise<HttpAnswer[]> {
    await advanceClock(30);
    const withNext = (form: Record<string, string>) => (next === undefined ? form : { ...form, next });
    const password = await this.postForm(
      "/login",
      withNext({ email: credentials.email, password: credentials.password }),
    );
    expect(password.status, password.text.slice(0, 500)).toBe(303);
    const code = await currentCode(credentials.totpSecret, `${this.label} sign-in code (HTTP)`);
    const verify = await this.postForm("/login/verify", withNext({ code }));
    expect(verify.status, verify.text.slice(0, 500)).toBe(303);
    return [password, verify];
  }

  /**
   * Completes a setup link over HTTP, as the setup pages ask: display name and password, then a
   * code for the secret the page shows for manual entry. Leaves this client signed in.
   */
  async completeSetup(link: string, input: { displayName: string; password: string }): Promise<{ totpSecret: string }> {
    const path = new URL(link).pathname;
    recordSecret("setup-token", path.split("/").pop() ?? "", `${this.label} setup link (HTTP)`);
    recordSecret("password", input.password, `${this.label} password (HTTP)`);
    const opened = await this.get(path);
    expect(opened.location, opened.text.slice(0, 500)).toBe("/setup");
    const step = await this.postForm("/setup", {
      step: "password",
      displayName: input.displayName,
      password: input.password,
      passwordConfirmation: input.password,
    });
    expect(step.status, step.text.slice(0, 500)).toBe(200);
    const totpSecret = (/id="totp-secret"[^>]*>([^<]+)</.exec(step.text)?.[1] ?? "").replaceAll(/\s/g, "");
    expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    recordSecret("totp-secret", totpSecret, `${this.label} TOTP secret (HTTP)`);
    const done = await this.postForm("/setup", {
      step: "confirm",
      code: await currentCode(totpSecret, `${this.label} setup code (HTTP)`),
    });
    expect(done.status, done.text.slice(0, 500)).toBe(200);
    for (const code of done.text.matchAll(/<li>([A-Za-z0-9-]+)<\/li>/g))
      recordSecret("recovery-code", code[1] as string, `${this.label} (HTTP)`);
    return { totpSecret };
  }
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
