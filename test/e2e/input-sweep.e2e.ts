// The input half of the security sweep, over HTTP only (no browser): control, direction-changing
// and invisible characters in every text field of every form (found by following links, as the
// stored-HTML pass finds them) and of every API write; calendar-invalid dates in every date field;
// duplicate JSON keys on every API write with a body; oversized bodies on every write route of the
// access table; and a client admin or operator inviting every kind of existing account, which must
// get one answer that tells nothing about the account. Every refusal is also checked to have
// written nothing, through the API's lists. Counts go to test-output/sweep-report.json.
import { beforeAll, describe, expect, it } from "vitest";
import {
  apiRefusalProblem,
  normalizedAnswer,
  pageRefusalProblem,
  parseJson,
  recordSecretsIn,
  rowRefusalProblem,
} from "./support/answers";
import { apiWriteSpecs, bodylessApiWrites, bodyWithDuplicateKey, type ProbeIds, withValue } from "./support/api-writes";
import { advanceClock, canaryPassword, serverNow } from "./support/flows";
import {
  type DiscoveredForm,
  discoverFormsOverHttp,
  type FormControl,
  formEntries,
  isDateField,
  isTextField,
  pathShape,
} from "./support/forms";
import { everyHostileText, HostileRotation, hostileValue, type TextFormat } from "./support/hostile-text";
import { bearer, type HttpAnswer, HttpClient } from "./support/http";
import { type BodyDelivery, type LargeBodyAnswer, sendLargeBody } from "./support/large-body";
import { fillPath, isApiRow, isScimRow, type RouteRow, routeAccessTable } from "./support/routes";
import { type Credentials, currentRun, readWorld, recordSecret, writeSweepSection } from "./support/run";

const run = currentRun();
const probeDomain = "input-sweep.example";
const invalidLocalDates = ["2027-02-30T10:00", "2027-13-45T99:99"];
const validLocalDate = "2027-02-27T10:00";
const invalidApiDates = ["2027-02-30T10:00:00Z", "2027-02-29T10:00:00Z", "2027-13-45T99:99:00Z"];
const kib = 1024;
// SCIM's POST, PUT and PATCH take a group replaced with all its members (src/http/body-limits.ts).
const bodyLimits = { default: 64 * kib, bulk: 1024 * kib, scim: 1024 * kib };
const answerWithinMs = 5_000;
/** Forms whose text fields are credentials, not content. */
const credentialForms =
  /^\/(logout|login|setup|enrol-passkey|reauthenticate|account\/(password|confirm|recovery-codes|authenticator-app))\b/;
/** Values of the API's lists that move without anyone writing (the sweep's own token is used). */
const volatileKeys = new Set(["lastUsedAt", "lastLoginAt", "requestId"]);
/** Each kind of form the generic discovery must find, so a broken crawl cannot pass by probing nothing. */
const knownTextForms = [
  "/admin/users",
  "/admin/users/:id",
  "/admin/tenants",
  "/admin/tenants/:slug",
  "/admin/memberships",
  "/admin/access-groups",
  "/admin/access-groups/:id",
  "/account/profile",
  "/account/tokens",
  "/tenants/:slug/profile",
  "/tenants/:slug/updates",
  "/tenants/:slug/updates/:id/edit",
  "/tenants/:slug/clients",
  "/portal/:slug/users",
];
/** Invite (new user), Admin → Memberships, a tenant's and a user's add form, a membership's edit page, a token. */
const knownDateForms: Array<[string, number]> = [
  ["/admin/users", 1],
  ["/admin/memberships", 3],
  ["/admin/memberships/:id/edit", 1],
  ["/account/tokens", 1],
];

let tagCount = 0;
/** A fresh marker for one probe: it shows up in whatever the probe would have written. */
function nextTag(): string {
  tagCount += 1;
  return `ix${String(tagCount).padStart(4, "0")}`;
}

function fieldFormat(control: FormControl): TextFormat {
  if (control.type === "email" || /email$/i.test(control.name)) return "email";
  if (control.name === "slug") return "slug";
  if (control.name === "slackId") return "slack-id";
  return "text";
}

describe.skipIf(run.skipped)("input sweep over HTTP", () => {
  const world = readWorld();
  /** Bearer-token calls go through a client without cookies, so the token is the only credential. */
  const tokenClient = new HttpClient("input sweep token");
  const admin = new HttpClient("input sweep admin");
  const clientAdmin = new HttpClient("input sweep client admin");
  const operator = new HttpClient("input sweep operator");
  let token = "";
  let ids: ProbeIds;
  let tenantA: { id: string; slug: string };
  let tenantB: { id: string; slug: string };
  const accounts: Array<{ kind: string; email: string }> = [];
  let forms: DiscoveredForm[] = [];
  let pagesVisited = 0;

  function callApi(
    client: HttpClient,
    method: string,
    path: string,
    body?: unknown,
    headers = bearer(token),
  ): Promise<HttpAnswer> {
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return client.request(method, path, {
      headers: {
        origin: run.baseUrl,
        ...(text === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(text === undefined ? {} : { body: text }),
    });
  }

  async function create<T>(path: string, body: unknown): Promise<T> {
    const answer = await callApi(tokenClient, "POST", path, body);
    expect(answer.status, `POST ${path}: ${answer.text.slice(0, 400)}`).toBeLessThan(300);
    recordSecretsIn(answer.text);
    return JSON.parse(answer.text) as T;
  }

  async function inviteUser(name: string, role: string, memberships: unknown[] = []) {
    const email = `${name}@example.test`;
    const body = await create<{ user: { id: string }; setupUrl: string }>("/api/v1/users", {
      email,
      firstName: "Input",
      lastName: "Sweep",
      role,
      memberships,
    });
    return { id: body.user.id, email, setupUrl: body.setupUrl };
  }

  function postEntries(client: HttpClient, action: string, entries: Array<[string, string]>): Promise<HttpAnswer> {
    return client.request("POST", action, {
      headers: { origin: run.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(entries).toString(),
    });
  }

  /** Every list the API offers, as the admin (and the client admin for their own account) reads it. */
  async function snapshot(): Promise<Map<string, string>> {
    const adminReads = [
      "/api/v1/users?limit=100",
      "/api/v1/tenants?limit=100",
      "/api/v1/memberships?limit=100",
      "/api/v1/access-groups?limit=100",
      "/api/v1/me",
      "/api/v1/me/tokens",
      ...[tenantA.id, tenantB.id].flatMap((id) => [
        `/api/v1/tenants/${id}/updates?limit=100`,
        `/api/v1/tenants/${id}/members?limit=100`,
      ]),
    ];
    const reads: Array<[HttpClient, string, Record<string, string>]> = [
      ...adminReads.map((path): [HttpClient, string, Record<string, string>] => [tokenClient, path, bearer(token)]),
      [clientAdmin, "/api/v1/me", {}],
      [clientAdmin, "/api/v1/me/tokens", {}],
    ];
    const lists = new Map<string, string>();
    for (const [client, path, headers] of reads) {
      const answer = await client.get(path, headers);
      const stable = JSON.stringify(parseJson(answer.text), (key, value) =>
        volatileKeys.has(key) ? undefined : value,
      );
      lists.set(`${client.label}: ${path}`, `${answer.status} ${stable}`);
    }
    return lists;
  }

  /** The lists that changed between two snapshots, with the probes whose markers appeared. */
  function changesBetween(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after]
      .filter(([list, text]) => before.get(list) !== text)
      .map(([list, text]) => {
        const tags = [...new Set(text.match(/ix\d{4}/g) ?? [])].filter(
          (tag) => !(before.get(list) ?? "").includes(tag),
        );
        return `something was written: ${list} changed${tags.length > 0 ? ` (values of probes ${tags.slice(0, 10).join(", ")})` : ""}`;
      });
  }

  /** A value every field accepts, so a refusal is the probed field's: the page's own (an edit form), or made up. */
  function baselineValues(form: DiscoveredForm, tag: string, changes: Record<string, string>): Record<string, string> {
    const values: Record<string, string> = {};
    for (const control of form.controls) {
      if (isTextField(control) && control.value === "") {
        const format = fieldFormat(control);
        if (format === "email") values[control.name] = `${tag}@${probeDomain}`;
        else if (format === "slug") values[control.name] = `${tag}-slug`;
        else if (format === "text") values[control.name] = `Probe ${tag}`;
      }
      // "— choose —" is no tenant: pick one. The invite form's optional rows stay empty unless their date is probed.
      if (control.tag === "select" && control.name === "tenantId" && control.value === "") {
        values.tenantId = control.options.find((option) => option !== "") ?? "";
      }
    }
    return { ...values, ...changes };
  }

  /** What the probes target: tenant B, a user to edit, one to add, a group, an update and a membership. */
  async function createProbeTargets(): Promise<ProbeIds> {
    tenantB = (
      await create<{ tenant: { id: string; slug: string } }>("/api/v1/tenants", {
        name: "Input Sweep B",
        slug: "input-sweep-b",
      })
    ).tenant;
    const inThirtyDays = new Date((await serverNow()).getTime() + 30 * 86_400_000).toISOString();
    const candidate = await inviteUser("input.candidate", "OPERATOR");
    const subject = await inviteUser("input.subject", "OPERATOR");
    const group = await create<{ id: string }>("/api/v1/access-groups", { name: "Input sweep group" });
    const update = await create<{ update: { id: string } }>(`/api/v1/tenants/${tenantB.id}/updates`, {
      title: "Input sweep",
      body: "First line",
    });
    const membership = await create<{ membership: { id: string } }>("/api/v1/memberships", {
      userId: subject.id,
      tenantId: tenantB.id,
      role: "OPERATOR_READONLY",
      expiresAt: inThirtyDays,
    });
    return {
      tenantB: tenantB.id,
      subject: subject.id,
      candidate: candidate.id,
      group: group.id,
      update: update.update.id,
      membership: membership.membership.id,
    };
  }

  /**
   * The delegated-invite cast: an operator of tenant A (signed in), and every kind of account that
   * exists elsewhere. None of them appears on A's pages, so an answer that differs is the probe's.
   */
  async function createInviteCast(superAdminEmail: string): Promise<void> {
    const inB = (role: string, expiresAt?: string) => [
      { tenantId: tenantB.id, role, ...(expiresAt ? { expiresAt } : {}) },
    ];
    const operatorInvite = await inviteUser("input.operator", "OPERATOR", [
      { tenantId: tenantA.id, role: "OPERATOR_FULL" },
    ]);
    await operator.completeSetup(operatorInvite.setupUrl, {
      displayName: "Input Operator",
      password: canaryPassword(),
    });
    const clientOfB = await inviteUser("input.client.b", "CLIENT_USER", inB("CLIENT_VIEWER"));
    await new HttpClient("input sweep client of B").completeSetup(clientOfB.setupUrl, {
      displayName: "Client of B",
      password: canaryPassword(),
    });
    const revoked = await inviteUser("input.client.revoked", "CLIENT_USER", inB("CLIENT_VIEWER"));
    const revokedMembership = JSON.parse(
      (await tokenClient.get(`/api/v1/memberships?userId=${revoked.id}`, bearer(token))).text,
    );
    expect((await callApi(tokenClient, "DELETE", `/api/v1/memberships/${revokedMembership.items[0].id}`)).status).toBe(
      204,
    );
    const now = (await serverNow()).getTime();
    const expired = await inviteUser(
      "input.client.expired",
      "CLIENT_USER",
      inB("CLIENT_VIEWER", new Date(now + 90_000).toISOString()),
    );
    const deactivated = await inviteUser("input.client.deactivated", "CLIENT_USER", inB("CLIENT_VIEWER"));
    const staffOperator = await inviteUser("input.staff.operator", "OPERATOR", inB("OPERATOR_READONLY"));
    const deactivatedStaff = await inviteUser("input.staff.deactivated", "OPERATOR", inB("OPERATOR_FULL"));
    for (const { id } of [deactivated, deactivatedStaff]) {
      expect((await callApi(tokenClient, "POST", `/api/v1/users/${id}/deactivate`)).status).toBe(200);
    }
    const contractor = await inviteUser(
      "input.staff.contractor",
      "CONTRACTOR",
      inB("OPERATOR_FULL", new Date(now + 30 * 86_400_000).toISOString()),
    );
    await advanceClock(120);
    accounts.push(
      { kind: "SUPER_ADMIN", email: superAdminEmail },
      { kind: "OPERATOR", email: staffOperator.email },
      { kind: "CONTRACTOR", email: contractor.email },
      { kind: "CLIENT_USER with a live membership of tenant B only", email: clientOfB.email },
      { kind: "CLIENT_USER whose only membership (in B) was revoked", email: revoked.email },
      { kind: "CLIENT_USER whose only membership (in B) expired", email: expired.email },
      { kind: "deactivated CLIENT_USER", email: deactivated.email },
      { kind: "deactivated OPERATOR", email: deactivatedStaff.email },
    );
  }

  beforeAll(async () => {
    const { admin: adminCredentials, tenant, people } = world;
    if (!adminCredentials || !tenant || !people.clientAdmin) {
      throw new Error("people.e2e.ts must run first: world.json lacks the cast");
    }
    tenantA = tenant;
    await admin.signIn(adminCredentials);
    await clientAdmin.signIn(people.clientAdmin as Credentials);
    const issued = await callApi(admin, "POST", "/api/v1/me/tokens", { name: "input sweep" }, {});
    expect(issued.status, issued.text).toBe(201);
    token = (JSON.parse(issued.text) as { token: string }).token;
    recordSecret("api-token", token, "admin API token (input sweep)");
    ids = await createProbeTargets();
    await createInviteCast(adminCredentials.email);

    // One walk per kind of user; the sweep's own tenant, user and group come first, so the forms
    // probed are the ones of what the sweep created.
    const adminWalk = await discoverFormsOverHttp(admin, [
      `/admin/users/${ids.candidate}/memberships`,
      `/admin/tenants/${tenantB.slug}`,
      `/tenants/${tenantB.slug}`,
      `/admin/access-groups/${ids.group}`,
      "/admin",
      "/account",
    ]);
    const clientWalk = await discoverFormsOverHttp(clientAdmin, ["/portal", "/account"]);
    const shapes = new Set(adminWalk.forms.map((form) => form.shape));
    forms = [...adminWalk.forms, ...clientWalk.forms.filter((form) => !shapes.has(form.shape))];
    pagesVisited = adminWalk.pagesVisited + clientWalk.pagesVisited;
  });

  it("refuses control, direction-changing and invisible characters in every text field of every form, and stores nothing", async () => {
    const textForms = forms.filter(
      (form) => form.method === "post" && !credentialForms.test(form.action) && form.controls.some(isTextField),
    );
    const found = new Set(textForms.map((form) => pathShape(form.action)));
    expect(
      knownTextForms.filter((shape) => !found.has(shape)),
      "forms the walk did not find",
    ).toEqual([]);
    // The setup link's display name has no link to crawl: a fresh invite of its own.
    const invitee = await inviteUser("input.setup.name", "OPERATOR");
    const failures: string[] = [];
    const sent = new Set<string>();
    const rotation = new HostileRotation();
    let requests = 0;
    let fields = 0;
    const before = await snapshot();
    for (const form of textForms) {
      for (const control of form.controls.filter(isTextField)) {
        const traits = { multiLine: control.tag === "textarea", required: control.required, json: false };
        for (const hostile of rotation.textsFor(traits)) {
          const tag = nextTag();
          const values = baselineValues(form, tag, {
            [control.name]: hostileValue(fieldFormat(control), tag, hostile),
          });
          const answer = await postEntries(form.client, form.action, formEntries(form, values));
          requests += 1;
          sent.add(hostile.label);
          recordSecretsIn(answer.text);
          const problem = pageRefusalProblem(answer, control.name);
          if (problem)
            failures.push(`${form.shape} ${control.name} with ${hostile.kind} (${hostile.label}): ${problem}`);
        }
        fields += 1;
      }
    }

    const setup = new HttpClient("input sweep setup");
    expect((await setup.get(new URL(invitee.setupUrl).pathname)).location).toBe("/setup");
    const password = canaryPassword();
    recordSecret("password", password, "input sweep setup probe password");
    for (const hostile of rotation.textsFor({ multiLine: false, required: true, json: false })) {
      const tag = nextTag();
      const displayName = hostileValue("text", tag, hostile);
      const answer = await setup.postForm("/setup", {
        step: "password",
        displayName,
        password,
        passwordConfirmation: password,
      });
      requests += 1;
      sent.add(hostile.label);
      const problem = pageRefusalProblem(answer, "displayName");
      if (problem) failures.push(`POST /setup displayName with ${hostile.kind} (${hostile.label}): ${problem}`);
    }
    failures.push(...changesBetween(before, await snapshot()));

    // Line breaks are content in a multi-line field: a browser sends them as CRLF, and they are kept.
    const multiLine = textForms.flatMap((form) =>
      form.controls.filter((control) => control.tag === "textarea").map((control) => ({ form, control })),
    );
    for (const { form, control } of multiLine) {
      const tag = nextTag();
      const answer = await postEntries(
        form.client,
        form.action,
        formEntries(form, baselineValues(form, tag, { [control.name]: `Probe ${tag}\r\nsecond line` })),
      );
      if (answer.status >= 400) failures.push(`${form.shape} ${control.name} refused a line break: ${answer.status}`);
      else if (![...(await snapshot()).values()].some((text) => text.includes(`Probe ${tag}\\nsecond line`))) {
        failures.push(`${form.shape} ${control.name}: the line break was not kept`);
      }
    }
    const unsent = everyHostileText()
      .filter((hostile) => hostile.kind !== "lone surrogate" && !sent.has(hostile.label))
      .map((hostile) => hostile.label);
    writeSweepSection("input: text in forms", {
      pagesWalked: pagesVisited,
      forms: textForms.length,
      fields: fields + 1,
      requests,
      charactersSent: sent.size,
      multiLineFieldsKeepingLineBreaks: multiLine.length,
      failures: failures.length,
    });
    expect(unsent, "hostile characters no field received").toEqual([]);
    expect(failures).toEqual([]);
  });

  it("refuses control, direction-changing and invisible characters and lone surrogates in every text field of the API, and stores nothing", async () => {
    const failures: string[] = [];
    const sent = new Set<string>();
    const rotation = new HostileRotation();
    let requests = 0;
    let fields = 0;
    const before = await snapshot();
    for (const spec of apiWriteSpecs) {
      const [method = "", route = ""] = spec.route.split(" ");
      for (const field of spec.text ?? []) {
        const traits = { multiLine: field.multiLine === true, required: field.required === true, json: true };
        for (const hostile of rotation.textsFor(traits)) {
          const tag = nextTag();
          const value = hostileValue(field.format ?? "text", tag, hostile);
          const body = withValue(spec.partial ? {} : spec.body(tag, ids), field.field, value);
          const answer = await callApi(tokenClient, method, spec.path(ids), body);
          requests += 1;
          sent.add(hostile.label);
          recordSecretsIn(answer.text);
          const problem = spec.perRow ? rowRefusalProblem(answer, field.field) : apiRefusalProblem(answer, field.field);
          if (problem)
            failures.push(`${method} ${route} ${field.field} with ${hostile.kind} (${hostile.label}): ${problem}`);
        }
        fields += 1;
      }
    }
    failures.push(...changesBetween(before, await snapshot()));

    // An update's text keeps its line feeds.
    const tag = nextTag();
    const posted = await callApi(tokenClient, "POST", `/api/v1/tenants/${tenantB.id}/updates`, {
      title: `Probe ${tag}`,
      body: `Probe ${tag}\nsecond line`,
    });
    const kept = (parseJson(posted.text) as { update?: { body?: string } } | null)?.update?.body;
    if (posted.status !== 201 || kept !== `Probe ${tag}\nsecond line`)
      failures.push(`an update's line feed was not kept: ${posted.status} ${posted.text.slice(0, 200)}`);

    const unsent = everyHostileText()
      .filter((hostile) => !sent.has(hostile.label))
      .map((hostile) => hostile.label);
    writeSweepSection("input: text in the API", {
      routes: apiWriteSpecs.filter((spec) => spec.text).length,
      fields,
      requests,
      charactersSent: sent.size,
      failures: failures.length,
    });
    expect(unsent, "hostile characters no field received").toEqual([]);
    expect(failures).toEqual([]);
  });

  it("refuses calendar-invalid dates in every date field of every form and of the API, and keeps the stored value", async () => {
    const dateForms = forms.filter((form) => form.method === "post" && form.controls.some(isDateField));
    const missing = knownDateForms.filter(
      ([shape, count]) => dateForms.filter((form) => pathShape(form.action) === shape).length < count,
    );
    expect(missing, "date forms the walk did not find (action, how many)").toEqual([]);
    const failures: string[] = [];
    let requests = 0;
    /** A date in an invite's membership row counts only when the row names a tenant. */
    const rowTenant = (form: DiscoveredForm, control: FormControl): Record<string, string> => {
      const prefix = control.name.slice(0, control.name.length - "expiresAt".length);
      const select = form.controls.find(
        (candidate) => candidate.tag === "select" && candidate.name === `${prefix}tenantId`,
      );
      return prefix !== "" && select && select.value === ""
        ? { [select.name]: select.options.find((option) => option !== "") ?? "" }
        : {};
    };
    // Each post of an add-membership form is about a user of its own, so no answer depends on an
    // earlier one (on a server that let that one through, a second grant would be a duplicate).
    const memberFields = (form: DiscoveredForm) =>
      form.controls.filter((control) => control.name === "userEmail" || control.name === "userId");
    const memberOf = async (form: DiscoveredForm): Promise<Record<string, string>> => {
      if (memberFields(form).length === 0) return {};
      const member = await inviteUser(`${nextTag()}.member`, "OPERATOR");
      return Object.fromEntries(
        memberFields(form).map((control) => [control.name, control.name === "userId" ? member.id : member.email]),
      );
    };
    const probes: Array<{ form: DiscoveredForm; control: FormControl; date: string; member: Record<string, string> }> =
      [];
    for (const form of dateForms) {
      for (const control of form.controls.filter(isDateField)) {
        for (const date of invalidLocalDates) probes.push({ form, control, date, member: await memberOf(form) });
      }
    }
    const before = await snapshot();
    for (const { form, control, date, member } of probes) {
      const values = baselineValues(form, nextTag(), { ...member, ...rowTenant(form, control), [control.name]: date });
      const answer = await postEntries(form.client, form.action, formEntries(form, values));
      requests += 1;
      recordSecretsIn(answer.text);
      if (answer.status !== 400) failures.push(`${form.shape} ${control.name}=${date}: answered ${answer.status}`);
    }
    for (const spec of apiWriteSpecs) {
      const [method = ""] = spec.route.split(" ");
      for (const field of spec.dates ?? []) {
        for (const date of invalidApiDates) {
          const tag = nextTag();
          const answer = await callApi(
            tokenClient,
            method,
            spec.path(ids),
            withValue(spec.partial ? {} : spec.body(tag, ids), field, date),
          );
          requests += 1;
          recordSecretsIn(answer.text);
          const problem = spec.perRow ? rowRefusalProblem(answer, field) : apiRefusalProblem(answer, field);
          if (problem) failures.push(`${spec.route} ${field}=${date}: ${problem}`);
        }
      }
    }
    failures.push(...changesBetween(before, await snapshot()));

    // The same forms with a real date are accepted: the 400s above were the dates'.
    for (const form of dateForms) {
      for (const control of form.controls.filter(isDateField)) {
        const tag = nextTag();
        const values = baselineValues(form, tag, {
          ...(await memberOf(form)),
          ...rowTenant(form, control),
          [control.name]: validLocalDate,
        });
        const answer = await postEntries(form.client, form.action, formEntries(form, values));
        recordSecretsIn(answer.text);
        if (answer.status >= 400)
          failures.push(`${form.shape} ${control.name}=${validLocalDate} (a real date) answered ${answer.status}`);
      }
    }
    writeSweepSection("input: dates", {
      formFields: dateForms.reduce((total, form) => total + form.controls.filter(isDateField).length, 0),
      apiFields: apiWriteSpecs.reduce((total, spec) => total + (spec.dates?.length ?? 0), 0),
      requests,
      failures: failures.length,
    });
    expect(failures).toEqual([]);
  });

  it("refuses a JSON body with a duplicate key on every API write that takes a body, and stores nothing", async () => {
    const apiWrites = routeAccessTable
      .filter((row) => isApiRow(row) && row.method !== "GET")
      .map((row) => `${row.method} ${row.route}`);
    const described = new Set(apiWriteSpecs.map((spec) => spec.route));
    expect(
      apiWrites.filter((route) => !described.has(route) && !bodylessApiWrites.has(route)),
      "API writes without a body in test/e2e/support/api-writes.ts",
    ).toEqual([]);
    const failures: string[] = [];
    const before = await snapshot();
    for (const spec of apiWriteSpecs) {
      const [method = ""] = spec.route.split(" ");
      const body = bodyWithDuplicateKey(spec, nextTag(), ids);
      const answer = await callApi(tokenClient, method, spec.path(ids), body);
      recordSecretsIn(answer.text);
      if (answer.status !== 400 || !answer.headers["content-type"]?.startsWith("application/problem+json")) {
        failures.push(`${spec.route} ${body.slice(0, 80)}…: answered ${answer.status} ${answer.text.slice(0, 160)}`);
      }
    }
    failures.push(...changesBetween(before, await snapshot()));
    writeSweepSection("input: duplicate JSON keys", {
      routes: apiWriteSpecs.length,
      bodyless: bodylessApiWrites.size,
      failures: failures.length,
    });
    expect(failures).toEqual([]);
  });

  it("gives one answer to an invite of any existing account, creates no membership, and invites an unknown email", async () => {
    const invite = (email: string) => ({ email, firstName: "Probe", lastName: "Invitee", role: "CLIENT_VIEWER" });
    // `created`: the API answers 201 with the link; a form answers 303 to the page that shows it
    // once (Post/Redirect/Get), which `follow` opens so the link is recorded as a secret too.
    const channels: Array<{
      name: string;
      send: (email: string) => Promise<HttpAnswer>;
      created: number;
      follow?: (location: string) => Promise<HttpAnswer>;
    }> = [
      {
        name: `POST /api/v1/tenants/${tenantA.id}/members (client admin)`,
        send: (email) => callApi(clientAdmin, "POST", `/api/v1/tenants/${tenantA.id}/members`, invite(email), {}),
        created: 201,
      },
      {
        name: `POST /portal/${tenantA.slug}/users (client admin)`,
        send: (email) => clientAdmin.postForm(`/portal/${tenantA.slug}/users`, invite(email)),
        created: 303,
        follow: (location) => clientAdmin.get(location),
      },
      {
        name: `POST /tenants/${tenantA.slug}/clients (operator)`,
        send: (email) => operator.postForm(`/tenants/${tenantA.slug}/clients`, invite(email)),
        created: 303,
        follow: (location) => operator.get(location),
      },
    ];
    const membersOfA = async () =>
      Promise.all(
        [`/api/v1/tenants/${tenantA.id}/members?limit=100`, `/api/v1/memberships?tenantId=${tenantA.id}&limit=100`].map(
          async (path) => (await tokenClient.get(path, bearer(token))).text,
        ),
      );
    const failures: string[] = [];
    const before = await membersOfA();
    for (const channel of channels) {
      const answers = new Map<string, string[]>();
      for (const account of accounts) {
        const answer = await channel.send(account.email);
        recordSecretsIn(answer.text);
        const key = normalizedAnswer(answer, account.email);
        answers.set(key, [...(answers.get(key) ?? []), `${account.kind}: ${answer.status}`]);
      }
      if (answers.size > 1)
        failures.push(
          `${channel.name}: ${answers.size} different answers: ${[...answers.values()].map((kinds) => kinds.join(", ")).join(" | ")}`,
        );
    }
    const after = await membersOfA();
    if (after.join() !== before.join())
      failures.push(`a membership in tenant A was created for an existing account: ${after[0]?.slice(0, 400)}`);
    for (const channel of channels) {
      const email = `${nextTag()}.new@${probeDomain}`;
      const answer = await channel.send(email);
      recordSecretsIn(answer.text);
      if (channel.follow && answer.location) recordSecretsIn((await channel.follow(answer.location)).text);
      const listed = (await membersOfA())[0]?.includes(email);
      if (answer.status !== channel.created || !listed)
        failures.push(`${channel.name}, an unknown email: ${answer.status}, listed in A: ${listed}`);
    }
    writeSweepSection("input: delegated invites", {
      channels: channels.length,
      existingAccounts: accounts.map((account) => account.kind),
      failures: failures.length,
    });
    expect(failures).toEqual([]);
  });

  // Last: on a server that reads oversized bodies, two of these posts end sessions.
  it("refuses an oversized body on every write route with 413, before reading it", async () => {
    const sessionEnders = new Set(["POST /account/sessions/end-others", "POST /logout"]);
    const writeRows = routeAccessTable
      .filter((row) => row.method !== "GET")
      .sort(
        (a, b) =>
          Number(sessionEnders.has(`${a.method} ${a.route}`)) - Number(sessionEnders.has(`${b.method} ${b.route}`)),
      );
    const bigAdmin = new HttpClient("input sweep admin (bodies)");
    await bigAdmin.signIn(world.admin as Credentials);
    const bigClientAdmin = new HttpClient("input sweep client admin (bodies)");
    await bigClientAdmin.signIn(world.people.clientAdmin as Credentials);
    const anonymous = new HttpClient("input sweep anonymous (bodies)");
    const placeholders = { slug: tenantA.slug, tenantId: tenantA.id, userId: ids.subject };
    const publicPages = /^\/(login|setup|logout)\b/;

    const directoryToken = world.directory?.token ?? "";
    const limitOf = (row: RouteRow) => {
      if (row.route === "/api/v1/users/bulk") return bodyLimits.bulk;
      return isScimRow(row) && row.method !== "DELETE" ? bodyLimits.scim : bodyLimits.default;
    };
    function request(
      row: RouteRow,
      bytes: number,
    ): { client: HttpClient; headers: Record<string, string>; body: Buffer } {
      if (isScimRow(row)) {
        // The caller /scim/v2 admits: the directory directories.e2e.ts made, with its token.
        const body = Buffer.from(`{"padding":"${"a".repeat(bytes - 14)}"}`);
        return {
          client: anonymous,
          headers: { ...bearer(directoryToken), "content-type": "application/scim+json" },
          body,
        };
      }
      if (isApiRow(row)) {
        const body = Buffer.from(`{"padding":"${"a".repeat(bytes - 14)}"}`);
        return { client: tokenClient, headers: { ...bearer(token), "content-type": "application/json" }, body };
      }
      const client = publicPages.test(row.route)
        ? anonymous
        : row.route.startsWith("/portal/")
          ? bigClientAdmin
          : bigAdmin;
      const body = Buffer.from(`padding=${"a".repeat(bytes - 8)}`);
      return { client, headers: { origin: run.baseUrl, "content-type": "application/x-www-form-urlencoded" }, body };
    }
    function tooLargeProblem(row: RouteRow, delivery: BodyDelivery, answer: LargeBodyAnswer): string | null {
      const where = `${row.method} ${row.route} (${delivery})`;
      if (answer.failure) return `${where}: ${answer.failure}`;
      if (answer.status !== 413) return `${where}: answered ${answer.status}`;
      if (answer.milliseconds > answerWithinMs) return `${where}: the 413 took ${answer.milliseconds} ms`;
      if (!isApiRow(row) && !isScimRow(row)) return null;
      const errorType = isScimRow(row) ? "application/scim+json" : "application/problem+json";
      if (!answer.contentType.startsWith(errorType)) return `${where}: the 413 is not ${errorType}`;
      const detail = String((parseJson(answer.text) as { detail?: unknown } | null)?.detail ?? "");
      const namesLimit =
        limitOf(row) !== bodyLimits.default
          ? /1\s?MiB|1\s?MB|1[,. ]?048[,. ]?576|1024\s?KiB/i
          : /64\s?KiB|64\s?KB|65[,. ]?536/i;
      return namesLimit.test(detail) ? null : `${where}: the problem's detail does not name the limit: ${detail}`;
    }

    const failures: string[] = [];
    let requests = 0;
    for (const row of writeRows) {
      const path = fillPath(row.path, placeholders);
      const size = limitOf(row) === bodyLimits.default ? 70 * kib : 2 * 1024 * kib;
      for (const delivery of ["content-length", "chunked"] as const) {
        const { client, headers, body } = request(row, size);
        const answer = await sendLargeBody(client, row.method, path, { headers, body, delivery, timeoutMs: 15_000 });
        requests += 1;
        const problem = tooLargeProblem(row, delivery, answer);
        if (problem) failures.push(problem);
      }
    }
    // A body still being sent: only a server that stops reading at its limit can answer at all.
    const openRows = ["POST /admin/tenants", "POST /api/v1/tenants", "POST /api/v1/users/bulk"].map(
      (key) => routeAccessTable.find((row) => `${row.method} ${row.route}` === key) as RouteRow,
    );
    for (const row of openRows) {
      const { client, headers, body } = request(row, limitOf(row) + 256 * kib);
      const answer = await sendLargeBody(client, row.method, row.path, {
        headers,
        body,
        delivery: "chunked, left open",
        timeoutMs: 3_000,
      });
      requests += 1;
      const problem = tooLargeProblem(row, "chunked, left open", answer);
      if (problem) failures.push(problem);
    }
    // Bulk invites take up to 1 MiB: 70 KiB is refused for what it says, not for its size.
    const bulkRow = openRows[2] as RouteRow;
    const underLimit = request(bulkRow, 70 * kib);
    const underBulkLimit = await sendLargeBody(underLimit.client, "POST", bulkRow.path, {
      headers: underLimit.headers,
      body: underLimit.body,
      delivery: "content-length",
      timeoutMs: 15_000,
    });
    if (underBulkLimit.status === 413 || underBulkLimit.failure)
      failures.push(`POST /api/v1/users/bulk refused 70 KiB: ${underBulkLimit.status} ${underBulkLimit.failure ?? ""}`);
    writeSweepSection("input: oversized bodies", {
      writeRoutes: writeRows.length,
      requests,
      bytes: { default: 70 * kib, bulk: 2 * 1024 * kib },
      failures: failures.length,
    });
    expect(failures).toEqual([]);
  });
});
