// SCIM clients for tests: a directory made through the domain as a SUPER_ADMIN would make it, a
// caller that sends its bearer token as Okta and Entra do, and the SCIM message URNs of RFC 7644.
import type { createApp } from "../../src/app";
import { createDirectory } from "../../src/domain/directories/directories";
import { origin } from "./agent";
import type { TestClock } from "./clock";
import { testContext } from "./factories";
import { env } from "./store";

type App = ReturnType<typeof createApp>;

export const scimUrn = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  enterpriseUser: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  searchRequest: "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

export type DirectoryInput = { name: string; scope: "staff" } | { name: string; scope: "tenant"; tenantId: string };

export interface CreatedDirectory {
  directory: { id: string };
  /** The bearer token (`gths_…`), shown once. */
  token: string;
  tokenId: string;
  scimBaseUrl: string;
}

/** A directory made as the console makes it (the system actor stands in for the SUPER_ADMIN). */
export async function createTestDirectory(clock: TestClock, input: DirectoryInput): Promise<CreatedDirectory> {
  const created = await createDirectory(testContext(clock), input);
  return {
    directory: created.directory,
    token: created.secret,
    tokenId: created.token.id,
    scimBaseUrl: created.scimBaseUrl,
  };
}

/** A SCIM client holding one directory token; bodies go out as application/scim+json unless headers say otherwise. */
export class ScimClient {
  constructor(
    private readonly app: App,
    readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: "application/scim+json",
        ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
        ...headers,
      },
    };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    return this.app.request(`${origin}${path}`, init, env);
  }

  /** The parsed body, after checking the status; the message carries the whole answer. */
  async expectJson<T = Record<string, unknown>>(
    method: string,
    path: string,
    body: unknown,
    status: number,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.request(method, path, body, headers);
    const text = await response.text();
    if (response.status !== status)
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** Creates a user from the fewest attributes a directory sends; returns the SCIM resource. */
  createUser(userName: string, extra: Record<string, unknown> = {}): Promise<ScimResource> {
    return this.expectJson<ScimResource>(
      "POST",
      "/scim/v2/Users",
      {
        schemas: [scimUrn.user],
        userName,
        name: { givenName: "Scim", familyName: "Person" },
        emails: [{ value: userName, type: "work", primary: true }],
        active: true,
        ...extra,
      },
      201,
    );
  }

  createGroup(displayName: string, extra: Record<string, unknown> = {}): Promise<ScimResource> {
    return this.expectJson<ScimResource>(
      "POST",
      "/scim/v2/Groups",
      { schemas: [scimUrn.group], displayName, ...extra },
      201,
    );
  }
}

export interface ScimResource {
  id: string;
  schemas: string[];
  meta: { resourceType: string; created: string; lastModified: string; location: string };
  [attribute: string]: unknown;
}

export interface ScimList {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources?: ScimResource[];
}

export interface ScimError {
  schemas: string[];
  status: string;
  scimType?: string;
  detail?: string;
}

/**
 * The SCIM error a refusal answers (RFC 7644 §3.12): its status, the SCIM media type, the Error
 * schema, `status` as a string, and the scimType when one is expected; throws with the whole answer otherwise.
 */
export async function expectScimError(response: Response, status: number, scimType?: string): Promise<ScimError> {
  const text = await response.text();
  const body = (() => {
    try {
      return JSON.parse(text) as ScimError;
    } catch {
      return null;
    }
  })();
  const fits =
    response.status === status &&
    /^application\/scim\+json/.test(response.headers.get("content-type") ?? "") &&
    body?.schemas?.length === 1 &&
    body.schemas[0] === scimUrn.error &&
    body.status === String(status) &&
    (scimType === undefined || body.scimType === scimType);
  if (!fits || !body) {
    const wanted = `${status}${scimType ? ` ${scimType}` : ""}`;
    throw new Error(
      `expected the SCIM error ${wanted}, got ${response.status} ${response.headers.get("content-type")} ${text}`,
    );
  }
  return body;
}

/** The filter as a query string, encoded as a client would send it. */
export function filterQuery(filter: string, extra: Record<string, string> = {}): string {
  return `?${new URLSearchParams({ filter, ...extra }).toString()}`;
}

/**
 * Where `actual` departs from `expected`, as paths: objects match on the keys `expected` names;
 * an array matches when each expected element matches some element of the actual one (SCIM
 * multi-valued attributes have no order, RFC 7643 §2.4); anything else must be equal.
 */
export function findMismatches(actual: unknown, expected: unknown, path = "$"): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    return expected.flatMap((item, index) =>
      actual.some((candidate) => findMismatches(candidate, item).length === 0)
        ? []
        : [`${path}[${index}]: nothing matches ${JSON.stringify(item)} in ${JSON.stringify(actual)}`],
    );
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual))
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([key, value]) => findMismatches(record[key], value, `${path}.${key}`));
  }
  return Object.is(actual, expected)
    ? []
    : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
