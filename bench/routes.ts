// What `npm run bench` measures: one row per route. Adding a route is adding a row.
import { decodeTotpSecret, generateTotpCodeAt } from "../src/auth/totp";
import type { LoadPlan, PlannedRequest } from "./lib/load";
import type { SignInUser } from "./seed";

/** better-auth 1.7 (organization, two-factor and admin plugins) on this machine, same local workerd (issue 9). */
export const betterAuthBareMs = "0.3–0.9";

/** Work better-auth 1.7 was measured doing on this machine (CPU ms per unit, docs/PERFORMANCE.md). */
export const betterAuthFigures = {
  "session read": { minMs: 2.1, maxMs: 3.3 },
  "page of 50 members": { minMs: 6.8, maxMs: 8.3 },
  "sign-in": { minMs: 62, maxMs: 70 },
} as const;
export type ComparableWork = keyof typeof betterAuthFigures;

export interface BenchFixtures {
  origin: string;
  largeTenantSlug: string;
  largeTenantId: string;
  /** Session cookie values of the users created through setup. */
  sessions: { superAdmin: string; operator: string; client: string };
  signInPool: SignInUser[];
  /** Requests of the 500-row bulk invite row (each invites 500 new people). */
  bulkInviteRequests: number;
  /** Filled by the password step, read by the TOTP step: the challenge cookie of each pool user. */
  challenges: Map<string, string>;
}

/** Console and portal pages are both held to 3x the bare route's p50 (docs/PERFORMANCE.md). */
export type RouteKind = "bare" | "console page" | "portal page" | "api" | "sign-in";

export interface BenchRoute {
  name: string;
  /** Who calls it and what it reads, for the report. */
  what: string;
  kind: RouteKind;
  expectStatus: number;
  plan: (fixtures: BenchFixtures) => LoadPlan;
  /** The better-auth work this route (alone or with the other rows of the same work) stands against. */
  comparesWith?: ComparableWork;
}

const sessionCookie = (token: string) => ({ cookie: `__Host-gatehouse_session=${token}` });

function repeat(request: PlannedRequest): LoadPlan {
  return { kind: "repeat", request };
}

function readSetCookie(headers: Record<string, string | string[]>, name: string): string | undefined {
  const values = [headers["set-cookie"] ?? headers["Set-Cookie"] ?? []].flat();
  for (const value of values) {
    const match = new RegExp(`^${name}=([^;]+)`).exec(value);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function formPost(
  fixtures: BenchFixtures,
  path: string,
  form: Record<string, string>,
  cookie?: string,
): PlannedRequest {
  return {
    method: "POST",
    path,
    body: new URLSearchParams(form).toString(),
    headers: {
      origin: fixtures.origin,
      "content-type": "application/x-www-form-urlencoded",
      ...(cookie ? { cookie } : {}),
    },
  };
}

const jsonPost = (fixtures: BenchFixtures, path: string, body: unknown, token: string): PlannedRequest => ({
  method: "POST",
  path,
  body: JSON.stringify(body),
  headers: { ...sessionCookie(token), origin: fixtures.origin, "content-type": "application/json" },
});

/** Every request invites 500 people nobody invited before (a repeated batch would only report "exists"). */
function bulkInviteOf500(fixtures: BenchFixtures): LoadPlan {
  const rowsPerRequest = 500;
  let batch = 0;
  return {
    kind: "sequence",
    sequence: {
      count: fixtures.bulkInviteRequests,
      next: () => {
        batch += 1;
        const users = Array.from({ length: rowsPerRequest }, (_, row) => ({
          email: `bulk${batch}-${row}@bench.example`,
          firstName: "Bulk",
          lastName: `Invitee ${batch}-${row}`,
          role: "OPERATOR",
        }));
        return jsonPost(fixtures, "/api/v1/users/bulk", { users }, fixtures.sessions.superAdmin);
      },
    },
  };
}

/** Each pool user signs in once per run: a TOTP step is never accepted twice for one user. */
function signInPasswordStep(fixtures: BenchFixtures): LoadPlan {
  let next = 0;
  return {
    kind: "sequence",
    sequence: {
      count: fixtures.signInPool.length,
      next: () => {
        const user = fixtures.signInPool[next++ % fixtures.signInPool.length] as SignInUser;
        return { ...formPost(fixtures, "/login", { email: user.email, password: user.password }), label: user.email };
      },
      onResponse: (request, _status, headers) => {
        const challenge = readSetCookie(headers, "__Host-gatehouse_challenge");
        if (request.label && challenge) fixtures.challenges.set(request.label, challenge);
      },
    },
  };
}

function signInTotpStep(fixtures: BenchFixtures): LoadPlan {
  const users = fixtures.signInPool.filter((user) => fixtures.challenges.has(user.email));
  let next = 0;
  return {
    kind: "sequence",
    sequence: {
      count: users.length,
      next: () => {
        const user = users[next++ % users.length] as SignInUser;
        const code = generateTotpCodeAt(decodeTotpSecret(user.totpSecret), Math.floor(Date.now() / 1000));
        return formPost(
          fixtures,
          "/login/verify",
          { code },
          `__Host-gatehouse_challenge=${fixtures.challenges.get(user.email)}`,
        );
      },
    },
  };
}

export const benchRoutes: BenchRoute[] = [
  {
    name: "GET /healthz",
    what: "bare route: no session, no store (the runtime's ceiling)",
    kind: "bare",
    expectStatus: 200,
    plan: () => repeat({ method: "GET", path: "/healthz" }),
  },
  {
    name: "GET /admin/users",
    what: "SUPER_ADMIN, first page (50 rows) of ~10,300 users",
    kind: "console page",
    expectStatus: 200,
    plan: (f) => repeat({ method: "GET", path: "/admin/users", headers: sessionCookie(f.sessions.superAdmin) }),
  },
  {
    name: "GET /admin/users?query=",
    what: "SUPER_ADMIN, search for one email (matches 1 row: scans every user)",
    kind: "console page",
    expectStatus: 200,
    plan: (f) =>
      repeat({
        method: "GET",
        path: "/admin/users?query=member4321%40bench",
        headers: sessionCookie(f.sessions.superAdmin),
      }),
  },
  {
    name: "GET /admin/tenants/globex",
    what: "SUPER_ADMIN, tenant settings of a tenant with 502 members (first page of 50)",
    kind: "console page",
    expectStatus: 200,
    comparesWith: "page of 50 members",
    plan: (f) =>
      repeat({
        method: "GET",
        path: `/admin/tenants/${f.largeTenantSlug}`,
        headers: sessionCookie(f.sessions.superAdmin),
      }),
  },
  {
    name: "GET /admin",
    what: "OPERATOR with 10 memberships, console home",
    kind: "console page",
    expectStatus: 200,
    plan: (f) => repeat({ method: "GET", path: "/admin", headers: sessionCookie(f.sessions.operator) }),
  },
  {
    name: "GET /api/v1/me",
    what: "CLIENT_USER with 3 memberships, session cookie",
    kind: "api",
    expectStatus: 200,
    comparesWith: "session read",
    plan: (f) => repeat({ method: "GET", path: "/api/v1/me", headers: sessionCookie(f.sessions.client) }),
  },
  {
    name: "GET /portal/globex",
    what: "CLIENT_USER (client admin) of the 502-member tenant: its portal, first pages of people (50 clients, 50 staff)",
    kind: "portal page",
    expectStatus: 200,
    plan: (f) =>
      repeat({ method: "GET", path: `/portal/${f.largeTenantSlug}`, headers: sessionCookie(f.sessions.client) }),
  },
  {
    name: "GET /api/v1/memberships?tenantId=",
    what: "SUPER_ADMIN session, first page (50) of the 502-member tenant's memberships",
    kind: "api",
    expectStatus: 200,
    plan: (f) =>
      repeat({
        method: "GET",
        path: `/api/v1/memberships?tenantId=${f.largeTenantId}`,
        headers: sessionCookie(f.sessions.superAdmin),
      }),
  },
  {
    name: "POST /api/v1/users/bulk",
    what: "SUPER_ADMIN session, 500 new invites per request (500 users, 500 setup links in KV, 500 audit events)",
    kind: "api",
    expectStatus: 200,
    plan: bulkInviteOf500,
  },
  {
    name: "POST /login",
    what: "sign-in step 1: email + password (argon2id), issues a challenge",
    kind: "sign-in",
    expectStatus: 303,
    comparesWith: "sign-in",
    plan: signInPasswordStep,
  },
  {
    name: "POST /login/verify",
    what: "sign-in step 2: TOTP code, creates the session",
    kind: "sign-in",
    expectStatus: 303,
    comparesWith: "sign-in",
    plan: signInTotpStep,
  },
];
