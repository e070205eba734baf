// Directories for tests, made through the real createDirectory (as the system), and a SCIM client
// that sends the directory's bearer token as an identity provider would.
import type { createApp } from "../../src/app";
import { createDirectory } from "../../src/domain/directories/directories";
import { origin } from "./agent";
import type { TestClock } from "./clock";
import { createTestTenant, testContext } from "./factories";
import { env } from "./store";

type App = ReturnType<typeof createApp>;

export const scimMediaType = "application/scim+json";

export class ScimClient {
  constructor(
    private readonly app: App,
    readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: HeadersInit = {}): Promise<Response> {
    return await this.app.request(
      `${origin}/scim/v2${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { "content-type": scimMediaType }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      },
      env,
    );
  }

  /** The JSON of an answer that must have the given status; the message carries the body otherwise. */
  async expect<T = Record<string, unknown>>(method: string, path: string, body: unknown, status: number): Promise<T> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    if (response.status !== status)
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

export interface TestDirectory {
  id: string;
  tenant: { id: string; slug: string; name: string } | null;
  scim: ScimClient;
}

/** The staff directory (one per instance: each test file has its own database). */
export async function createStaffDirectory(app: App, clock: TestClock): Promise<TestDirectory> {
  const created = await createDirectory(testContext(clock), { scope: "staff", name: "Staff Okta" });
  return { id: created.directory.id, tenant: null, scim: new ScimClient(app, created.secret) };
}

/** A new tenant and its directory. */
export async function createClientDirectory(app: App, clock: TestClock, name = "Acme"): Promise<TestDirectory> {
  const tenant = await createTestTenant(clock, name);
  const created = await createDirectory(testContext(clock), {
    scope: "tenant",
    name: `${name} Entra`,
    tenantId: tenant.id,
  });
  return {
    id: created.directory.id,
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    scim: new ScimClient(app, created.secret),
  };
}

let counter = 0;

/** A User document as Okta sends it on create. */
export function oktaUser(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const local = `person.${counter}.${crypto.randomUUID().slice(0, 6)}`;
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: `${local}@example.test`,
    name: { givenName: "Pat", familyName: `Person${counter}` },
    emails: [{ primary: true, value: `${local}@example.test`, type: "work" }],
    displayName: `Pat Person${counter}`,
    locale: "en-US",
    externalId: `00u${counter}${crypto.randomUUID().slice(0, 8)}`,
    password: "not kept anywhere 1!",
    active: true,
    ...overrides,
  };
}
