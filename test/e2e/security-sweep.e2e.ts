// The HTTP half of the security sweep, against the running app: every route of the access table
// without credentials (deny by default), every form post from a foreign origin (CSRF), every API
// write with a body that is not JSON (415) or a cookie from a foreign origin, open-redirect
// attempts on sign-in, and the security headers and cookie attributes of every answer.
// Counts go to test-output/sweep-report.json.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, Person, Recorder } from "./support/browser";
import { securityHeaderProblems, setCookieProblems } from "./support/checks";
import { signIn } from "./support/flows";
import { bearer, type HttpAnswer, HttpClient } from "./support/http";
import {
  fillPath,
  isApiRow,
  isScimDiscoveryRow,
  isScimRow,
  type RouteRow,
  routeAccessTable,
  scimErrorProblem,
} from "./support/routes";
import { type Credentials, currentRun, readWorld, recordSecret, writeSweepSection } from "./support/run";

const run = currentRun();
const evilOrigin = "https://evil.example";

/** Routes anyone may call without credentials. Everything else must send them to sign in (pages) or answer 401 (API). */
const publicRoutes = new Set([
  "GET /healthz",
  "GET /static/app.css",
  "GET /static/app.js",
  "GET /static/passkeys.js",
  // The audit log's verifier keys: public by design (docs/AUDIT.md "Keys").
  "GET /.well-known/gatehouse-audit-keys",
  "GET /login",
  "POST /login",
  "POST /login/verify",
  "POST /login/passkey/options",
  "POST /login/passkey",
  "POST /login/verify/passkey/options",
  "POST /login/verify/passkey",
  "POST /logout",
  "GET /setup/:token",
  "GET /setup",
  "POST /setup",
  "POST /setup/passkey/options",
  "POST /setup/passkey",
]);

const openRedirectAttempts = [
  "//evil.example",
  "///evil.example",
  "https://evil.example",
  "http://evil.example/",
  "https:evil.example",
  "/\\evil.example",
  "\\/evil.example",
  "/\\/evil.example",
  "/%2F%2Fevil.example",
  "%2F%2Fevil.example",
  "/%5Cevil.example",
  "/\t/evil.example",
  " //evil.example",
  "//evil.example@127.0.0.1",
  "//127.0.0.1.evil.example",
  "javascript:alert(document.domain)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/login/..//evil.example",
];

/** A Location (or link) stays on our origin, however a browser resolves it. */
function staysHome(location: string | null): boolean {
  if (location === null) return true;
  return new URL(location, run.baseUrl).origin === run.baseUrl;
}

describe.skipIf(run.skipped)("security sweep over HTTP", () => {
  const world = readWorld();
  const findings: string[] = [];
  const counts = { responses: 0 };
  const sessions: Partial<Record<"sa" | "cadm" | "cview", HttpClient>> = {};
  let apiToken = "";
  let placeholders: Record<string, string> = {};

  function check(answer: HttpAnswer): HttpAnswer {
    counts.responses += 1;
    findings.push(...securityHeaderProblems(answer), ...setCookieProblems(answer.url, answer.setCookies));
    return answer;
  }

  function send(
    client: HttpClient,
    row: RouteRow,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    if (row.method === "GET") return client.get(path, headers);
    if (isApiRow(row) || isScimRow(row)) {
      const body = row.method === "DELETE" ? undefined : JSON.stringify(row.body ?? {});
      const contentType = isScimRow(row) ? "application/scim+json" : "application/json";
      return client.request(row.method, path, {
        headers: { origin: run.baseUrl, ...(body ? { "content-type": contentType } : {}), ...headers },
        ...(body ? { body } : {}),
      });
    }
    return client.postForm(path, (row.body ?? {}) as Record<string, string>, headers);
  }

  beforeAll(async () => {
    const cast: Array<[keyof typeof sessions, Credentials | undefined]> = [
      ["sa", world.admin],
      ["cadm", world.people.clientAdmin],
      ["cview", world.people.viewer],
    ];
    for (const [persona, credentials] of cast) {
      if (!credentials) throw new Error(`people.e2e.ts must run first: no ${persona} in world.json`);
      const client = new HttpClient(persona);
      await client.signIn(credentials);
      sessions[persona] = client;
    }
    const admin = sessions.sa as HttpClient;
    // Post/Redirect/Get: the token travels in the sealed flash cookie to the page the POST redirects to.
    const posted = check(await admin.postForm("/account/tokens", { name: "security sweep", expiresAt: "" }));
    expect(posted.status, posted.text.slice(0, 400)).toBe(303);
    const created = check(await admin.get(posted.location ?? "/account"));
    expect(created.status, created.text.slice(0, 400)).toBe(200);
    apiToken = /id="new-api-token" type="text" readonly="" value="([^"]+)"/.exec(created.text)?.[1] ?? "";
    expect(apiToken).not.toBe("");
    recordSecret("api-token", apiToken, "admin API token (sweep)");

    const tenantId = world.tenant?.id ?? "";
    const updates = JSON.parse((await admin.get(`/api/v1/tenants/${tenantId}/updates`, bearer(apiToken))).text);
    const members = JSON.parse((await admin.get(`/api/v1/tenants/${tenantId}/members`, bearer(apiToken))).text);
    const outbox = (await admin.get("/admin/outbox")).text;
    const viewer = world.people.viewer as Credentials;
    if (!world.directory) throw new Error("directories.e2e.ts must run first: no directory in world.json");
    placeholders = {
      directoryId: world.directory.id,
      directoryGroupId: world.directory.groupId,
      directoryTokenId: world.directory.tokenId,
      slug: world.tenant?.slug ?? "",
      tenantId,
      userId: viewer.userId,
      membershipId:
        members.items.find((item: { userId: string }) => item.userId === viewer.userId)?.membershipId ?? "x_missing",
      updateId: updates.items[0]?.id ?? "x_missing",
      messageId: /\/admin\/outbox\/(msg_[0-9a-f]+)/.exec(outbox)?.[1] ?? "x_missing",
      missing: "x_missing",
    };
    for (const name of ["membershipId", "updateId", "messageId"])
      expect(placeholders[name], name).toMatch(/^(mbr|upd|msg)_/);
  });

  afterAll(() => {
    writeSweepSection("headers-and-cookies (HTTP answers)", { responses: counts.responses, problems: findings.length });
  });

  it("denies every route to a caller without credentials, except the public allowlist", async () => {
    const anonymous = new HttpClient("anonymous");
    const mismatches: string[] = [];
    for (const row of routeAccessTable) {
      const path = fillPath(row.path, placeholders);
      const answer = check(await send(anonymous, row, path));
      const key = `${row.method} ${row.route}`;
      if (answer.status !== row.expect.anon)
        mismatches.push(`${key}: expected ${row.expect.anon}, got ${answer.status}`);
      if (isScimRow(row)) {
        // Discovery is public and SCIM JSON; everything else a SCIM error 401, never a page or a redirect.
        const problem = isScimDiscoveryRow(row)
          ? answer.headers["content-type"]?.startsWith("application/scim+json")
            ? ""
            : `discovery is not application/scim+json (${answer.headers["content-type"]})`
          : scimErrorProblem(answer, 401);
        if (problem) mismatches.push(`${key}: ${problem}`);
        continue;
      }
      if (publicRoutes.has(key)) continue;
      if (isApiRow(row)) {
        if (answer.status !== 401 || !answer.headers["content-type"]?.startsWith("application/problem+json")) {
          mismatches.push(`${key}: not a 401 problem (${answer.status} ${answer.headers["content-type"]})`);
        }
      } else if (answer.status !== 303 || !answer.location?.startsWith("/login")) {
        mismatches.push(`${key}: not sent to sign in (${answer.status} → ${answer.location})`);
      }
    }
    expect(mismatches).toEqual([]);
    const pageRoutes = routeAccessTable.filter((row) => !isApiRow(row) && !isScimRow(row)).length;
    const scimRoutes = routeAccessTable.filter(isScimRow).length;
    writeSweepSection("deny-by-default", {
      routesChecked: routeAccessTable.length,
      pageRoutes,
      apiRoutes: routeAccessTable.length - pageRoutes - scimRoutes,
      scimRoutes,
      publicAllowlist: [...publicRoutes],
    });
  });

  it("refuses every form post from a foreign origin, before anything else runs", async () => {
    // SCIM writes are not forms: no cookie opens them (the SCIM test below), so no foreign page can ride one.
    const formRows = routeAccessTable
      .filter((row) => row.method === "POST" && !isApiRow(row) && !isScimRow(row))
      // Signing out ends the session the other rows use: last.
      .sort((a, b) => Number(a.route === "/logout") - Number(b.route === "/logout"));
    const failures: string[] = [];
    let requests = 0;
    for (const row of formRows) {
      const persona = (["sa", "cadm", "cview"] as const).find((candidate) => row.expect[candidate] !== 403) ?? "sa";
      const client = sessions[persona] as HttpClient;
      const path = fillPath(row.path, placeholders);
      const forged: Array<[string, Record<string, string>]> = [
        ["foreign Origin", { origin: evilOrigin, "sec-fetch-site": "cross-site" }],
        ["Origin null", { origin: "null" }],
        ["no Origin, Sec-Fetch-Site cross-site", { origin: "", "sec-fetch-site": "cross-site" }],
        ["no Origin, no Sec-Fetch-Site", { origin: "" }],
      ];
      for (const [how, headers] of forged) {
        const answer = check(await send(client, row, path, headers));
        requests += 1;
        if (answer.status !== 403) failures.push(`${row.route} (${how}, as ${persona}): ${answer.status}`);
      }
      // The same post from our own pages is not refused: the 403 above was the CSRF check. (Not
      // necessarily the table's answer: a placeholder this suite does not know points nowhere.)
      const control = check(await send(client, row, path));
      requests += 1;
      if (control.status === 403 || control.status >= 500) {
        failures.push(`${row.route} same-origin control as ${persona}: ${control.status}`);
      }
    }
    expect(failures).toEqual([]);
    writeSweepSection("csrf", {
      formRoutes: formRows.length,
      forgedRequests: requests - formRows.length,
      controls: formRows.length,
    });
    const admin = new HttpClient("sa again");
    await admin.signIn(world.admin as Credentials);
    sessions.sa = admin;
  });

  it("changes nothing when a foreign site posts a complete, valid form", async () => {
    const admin = sessions.sa as HttpClient;
    const viewer = sessions.cview as HttpClient;
    const foreign = { origin: evilOrigin, "sec-fetch-site": "cross-site" };
    const attempts: Array<[HttpClient, string, Record<string, string>]> = [
      [admin, "/admin/tenants", { name: "CSRF probe", slug: "csrf-probe", description: "" }],
      [
        admin,
        "/admin/users",
        { email: "csrf.probe@example.test", firstName: "Csrf", lastName: "Probe", role: "SUPER_ADMIN" },
      ],
      [admin, "/account/tokens", { name: "csrf-probe", expiresAt: "" }],
      [viewer, "/account/profile", { displayName: "CSRF probe", timeZone: "UTC" }],
    ];
    for (const [client, path, form] of attempts)
      expect(check(await client.postForm(path, form, foreign)).status).toBe(403);
    const tenants = await admin.get("/api/v1/tenants?limit=100", bearer(apiToken));
    expect(tenants.text).not.toContain("csrf-probe");
    const users = await admin.get("/api/v1/users?query=csrf.probe", bearer(apiToken));
    expect(JSON.parse(users.text).items).toEqual([]);
    expect((await admin.get("/api/v1/me/tokens", bearer(apiToken))).text).not.toContain("csrf-probe");
    expect(JSON.parse((await viewer.get("/api/v1/me")).text).user.displayName).not.toBe("CSRF probe");
    writeSweepSection("csrf-valid-forms", { refusedAndUnchanged: attempts.length });
  });

  it("refuses every API write whose body is not JSON with 415, whoever calls", async () => {
    const writeRows = routeAccessTable.filter((row) => isApiRow(row) && row.method !== "GET");
    const client = new HttpClient("api token");
    const variants: Array<[string, Record<string, string>, string | Uint8Array]> = [
      ["text/plain", { "content-type": "text/plain" }, "{}"],
      ["form", { "content-type": "application/x-www-form-urlencoded" }, "a=1"],
      [
        "multipart",
        { "content-type": "multipart/form-data; boundary=x" },
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
      ],
      ["json lookalike", { "content-type": "application/jsonp" }, "{}"],
      ["no content type", {}, new TextEncoder().encode("{}")],
    ];
    const failures: string[] = [];
    for (const row of writeRows) {
      const path = fillPath(row.path, placeholders);
      for (const [name, headers, body] of variants) {
        const answer = check(
          await client.request(row.method, path, {
            headers: { ...bearer(apiToken), ...headers },
            body: body as unknown as string,
          }),
        );
        if (answer.status !== 415 || !answer.headers["content-type"]?.startsWith("application/problem+json")) {
          failures.push(`${row.method} ${row.route} (${name}): ${answer.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    writeSweepSection("api-415", { writeRoutes: writeRows.length, requests: writeRows.length * variants.length });
  });

  it("refuses cookie-authenticated API writes from a foreign origin and allows no foreign origin to read", async () => {
    const admin = sessions.sa as HttpClient;
    const writeRows = routeAccessTable.filter((row) => isApiRow(row) && row.method !== "GET");
    const failures: string[] = [];
    for (const row of writeRows) {
      const answer = check(
        await send(admin, row, fillPath(row.path, placeholders), {
          origin: evilOrigin,
          "sec-fetch-site": "cross-site",
        }),
      );
      if (answer.status !== 403) failures.push(`${row.method} ${row.route}: ${answer.status}`);
    }
    const preflight = check(
      await admin.request("OPTIONS", "/api/v1/users", {
        headers: {
          origin: evilOrigin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      }),
    );
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    const read = check(await admin.get("/api/v1/me", { origin: evilOrigin }));
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
    expect(failures).toEqual([]);
    writeSweepSection("api-cross-origin", { writeRoutes: writeRows.length, corsProbes: 2 });
  });

  it("opens /scim/v2 to a directory's token only: a session cookie or a personal API token gets a SCIM 401", async () => {
    const admin = sessions.sa as HttpClient;
    const directoryToken = world.directory?.token ?? "";
    const scimRows = routeAccessTable.filter((row) => isScimRow(row) && !isScimDiscoveryRow(row));
    const failures: string[] = [];
    for (const row of scimRows) {
      const path = fillPath(row.path, placeholders);
      const attempts: Array<[string, HttpClient, Record<string, string>]> = [
        ["the admin's session, our origin", admin, {}],
        ["the admin's session, a foreign origin", admin, { origin: evilOrigin, "sec-fetch-site": "cross-site" }],
        ["the admin's API token", new HttpClient("scim with an API token"), bearer(apiToken)],
        ["a made-up directory token", new HttpClient("scim forged"), bearer(`gths_${"A".repeat(49)}`)],
      ];
      for (const [how, client, headers] of attempts) {
        const problem = scimErrorProblem(check(await send(client, row, path, headers)), 401);
        if (problem) failures.push(`${row.method} ${row.route} (${how}): ${problem}`);
      }
    }
    // The directory's own token is answered, in SCIM JSON, with no CORS header (check() looks).
    const reader = new HttpClient("scim directory token");
    const list = check(await reader.get("/scim/v2/Users?count=1", { ...bearer(directoryToken), origin: evilOrigin }));
    if (list.status !== 200 || !list.headers["content-type"]?.startsWith("application/scim+json"))
      failures.push(`GET /scim/v2/Users with the directory's token: ${list.status} ${list.headers["content-type"]}`);
    const missing = check(await reader.get("/scim/v2/Users/x_missing", bearer(directoryToken)));
    const missingProblem = scimErrorProblem(missing, 404);
    if (missingProblem) failures.push(`GET /scim/v2/Users/x_missing with the directory's token: ${missingProblem}`);
    expect(failures).toEqual([]);
    writeSweepSection("scim", { routes: scimRows.length, refusedRequests: scimRows.length * 4, tokenRequests: 2 });
  });

  it("never redirects off the site after sign-in, whatever `next` says", async () => {
    const admin = sessions.sa as HttpClient;
    const failures: string[] = [];
    let requests = 0;
    for (const attempt of openRedirectAttempts) {
      const encoded = encodeURIComponent(attempt);
      // Signed in already: /login sends you on at once.
      const signedIn = check(await admin.get(`/login?next=${encoded}`));
      requests += 1;
      if (signedIn.status !== 303 || !staysHome(signedIn.location))
        failures.push(`signed in, next=${attempt}: → ${signedIn.location}`);
      // The sign-in form keeps only a safe `next`.
      const anonymous = new HttpClient("open redirect");
      const form = check(await anonymous.get(`/login?next=${encoded}`));
      requests += 1;
      const kept = /name="next" value="([^"]*)"/.exec(form.text)?.[1] ?? "";
      if (kept !== "" && !staysHome(kept)) failures.push(`login form keeps next=${kept}`);
      // A full sign-in with the attempt forged into both form posts.
      const answers = (await anonymous.signIn(world.admin as Credentials, attempt)).map(check);
      requests += 2;
      for (const answer of answers)
        if (!staysHome(answer.location)) failures.push(`sign-in, next=${attempt}: → ${answer.location}`);
    }
    expect(failures).toEqual([]);
    writeSweepSection("open-redirect", { attempts: openRedirectAttempts.length, requests });
  });

  it("ends a browser sign-in with a hostile `next` on our own site", async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const person = await Person.open(browser, "redirect", new Recorder("redirect"));
      for (const attempt of ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]) {
        const landing = await signIn(person, world.admin as Credentials, attempt);
        expect(new URL(landing.url).origin, attempt).toBe(run.baseUrl);
        await person.clickButton("Sign out");
      }
    } finally {
      await browser?.close();
    }
  });

  it("sends the security headers and cookie attributes on every answer it received", () => {
    expect(counts.responses).toBeGreaterThan(routeAccessTable.length * 3);
    expect(findings).toEqual([]);
  });
});
