// Issue 18 in a browser: the first admin gives the tenant a SCIM directory (its token shown once,
// read from the page), then the test provisions into it over HTTP as Okta does — a user, Okta's
// deactivation PATCH, a group with a member —, maps the group to Client admin on the directory's
// page, sees the user's page say the directory owns them, and replaces the token (the old one
// still works during the overlap). Last, the directory deactivates a person who is signed in, and
// their next click lands on the sign-in page. The ids go to world.json for the sweep.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, Person, Recorder } from "./support/browser";
import { securityHeaderProblems } from "./support/checks";
import { canaryPassword, completeSetup, signIn } from "./support/flows";
import { type Credentials, currentRun, readWorld, recordSecret, updateWorld } from "./support/run";

const run = currentRun();
const userSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
const groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
const patchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const provisioned = {
  dana: { email: "dana.directory@acme.example", givenName: "Dana", familyName: "Directory", externalId: "00u-dana" },
  erin: { email: "erin.leaver@acme.example", givenName: "Erin", familyName: "Leaver", externalId: "00u-erin" },
};

interface ScimAnswer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

/** One SCIM request as an identity provider sends it: the directory's bearer token, application/scim+json. */
async function scim(token: string, method: string, path: string, body?: unknown): Promise<ScimAnswer> {
  const response = await fetch(`${run.baseUrl}/scim/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/scim+json",
      ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const headers = Object.fromEntries(response.headers);
  expect.soft(securityHeaderProblems({ url: response.url, status: response.status, headers }), path).toEqual([]);
  const text = await response.text();
  return {
    status: response.status,
    contentType: headers["content-type"] ?? "",
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

function userDocument(person: (typeof provisioned)[keyof typeof provisioned]) {
  return {
    schemas: [userSchema],
    userName: person.email,
    externalId: person.externalId,
    name: { givenName: person.givenName, familyName: person.familyName },
    emails: [{ value: person.email, type: "work", primary: true }],
    active: true,
  };
}

/** Okta's deactivation: a replace without a path. */
const oktaDeactivation = { schemas: [patchOpSchema], Operations: [{ op: "replace", value: { active: false } }] };

describe.skipIf(run.skipped)("a client company's directory, provisioned as Okta would", () => {
  const world = readWorld();
  const tenant = world.tenant;
  const recorder = new Recorder("directories");
  let browser: Browser;
  let admin: Person;
  let dana: Person | undefined;
  let directoryId = "";
  let token = "";
  let groupId = "";
  const userIds: Partial<Record<keyof typeof provisioned, string>> = {};

  beforeAll(async () => {
    if (!world.admin || !tenant) throw new Error("people.e2e.ts must run first: no admin or tenant in world.json");
    browser = await launchBrowser();
    admin = await Person.open(browser, "admin", recorder);
  });

  afterAll(async () => {
    await dana?.close();
    await admin?.close();
    await browser?.close();
  });

  it("creates the tenant's directory and shows its token once", async () => {
    const landing = await signIn(admin, world.admin as Credentials);
    expect(landing.path).toBe("/admin");
    await admin.clickLink("Directories");
    await admin.clickLink("New directory");
    await admin.fill("Name", "Acme Okta");
    await admin.page.getByLabel("Provisions").selectOption(`tenant:${tenant?.id}`);
    const created = await admin.clickButton("Create directory");
    expect(created.status, created.text).toBe(200);
    directoryId = /^\/admin\/directories\/(dir_[0-9a-f]+)\?token=dtk_[0-9a-f]+$/.exec(created.path)?.[1] ?? "";
    expect(directoryId, created.path).not.toBe("");
    token = await admin.page.locator("#directory-token").inputValue();
    expect(token).toMatch(/^gths_[0-9A-Za-z]{49}$/);
    recordSecret("directory-token", token, "Acme Okta directory token");
    expect(await admin.page.locator("#scim-base-url").inputValue()).toBe(`${run.baseUrl}/scim/v2`);

    const reloaded = await admin.goto(created.path);
    expect(reloaded.text).not.toContain(token);
    expect(reloaded.text).toContain("The token was shown once");
  });

  it("takes users and a group from the identity provider, and Okta's deactivation", async () => {
    const erin = await scim(token, "POST", "/Users", userDocument(provisioned.erin));
    expect(erin.status, JSON.stringify(erin.body)).toBe(201);
    expect(erin.contentType).toMatch(/^application\/scim\+json/);
    userIds.erin = String(erin.body.id);
    const deactivated = await scim(token, "PATCH", `/Users/${userIds.erin}`, oktaDeactivation);
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
    expect(deactivated.body.active).toBe(false);

    const created = await scim(token, "POST", "/Users", userDocument(provisioned.dana));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    userIds.dana = String(created.body.id);
    const group = await scim(token, "POST", "/Groups", {
      schemas: [groupSchema],
      displayName: "Acme IT",
      externalId: "00g-acme-it",
      members: [{ value: userIds.dana }],
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    groupId = String(group.body.id);

    const found = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${provisioned.dana.email.toUpperCase()}"`)}`,
    );
    expect(found.body.totalResults).toBe(1);

    const anonymous = await fetch(`${run.baseUrl}/scim/v2/Users`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  });

  it("lets the provisioned person set up from the invite email, as a hand invite would", async () => {
    await admin.goto("/admin/outbox");
    const href = await admin.page
      .locator("tr", { hasText: provisioned.dana.email })
      .locator('a[href^="/admin/outbox/msg_"]')
      .first()
      .getAttribute("href");
    expect(href).toMatch(/^\/admin\/outbox\/msg_/);
    const message = await admin.goto(href as string);
    const link = new RegExp(`${run.baseUrl}/setup/[A-Za-z0-9_-]{43}`).exec(message.text)?.[0] ?? "";
    expect(link, "the invite email's setup link").not.toBe("");

    dana = await Person.open(browser, "dana", recorder);
    const setup = await completeSetup(dana, link, { email: provisioned.dana.email, password: canaryPassword() });
    expect(setup.landing.path).toBe(`/portal/${tenant?.slug}`);
    expect(setup.landing.text).not.toContain("Invite a colleague");
  });

  it("shows the directory's counts, last request and group, and maps the group to Client admin", async () => {
    const page = await admin.goto(`/admin/directories/${directoryId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("1 active, 0 pending, 1 deactivated");
    expect(await admin.page.locator("dt:has-text('Last request') + dd").innerText()).not.toBe("never");
    const row = admin.page.locator(`#directory-group-${groupId}`);
    expect(await row.locator("td").first().innerText()).toContain("Acme IT");

    await row.getByLabel("Role").selectOption("CLIENT_ADMIN");
    const mapped = await admin.navigate(() => row.getByRole("button", { name: /^Save/ }).click());
    expect(mapped.path).toBe(`/admin/directories/${directoryId}`);
    expect(await admin.page.locator(`#directory-group-${groupId} .flash`).innerText()).toBe(
      `Members of “Acme IT” are now Client admins of ${tenant?.name}.`,
    );

    // Dana's next page already shows what a client admin may do.
    const portal = await (dana as Person).goto(`/portal/${tenant?.slug}`);
    expect(portal.text).toContain("Invite a colleague");
  });

  it("says on the provisioned user's page that the directory owns them", async () => {
    const page = await admin.goto(`/admin/users/${userIds.dana}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Managed by the directory");
    expect(page.text).toContain("Acme Okta");
  });

  it("replaces the token: the new one is shown once, the old one keeps working during the overlap", async () => {
    await admin.goto(`/admin/directories/${directoryId}`);
    const replaced = await admin.clickButton("Replace the token");
    const tokenId = /\?token=(dtk_[0-9a-f]+)$/.exec(replaced.path)?.[1] ?? "";
    expect(tokenId, replaced.path).not.toBe("");
    const newToken = await admin.page.locator("#directory-token").inputValue();
    expect(newToken).toMatch(/^gths_/);
    expect(newToken).not.toBe(token);
    recordSecret("directory-token", newToken, "Acme Okta directory token (replacement)");
    expect(replaced.text).toContain("Still accepted");

    expect((await scim(token, "GET", `/Users/${userIds.dana}`)).status, "the old token, in the overlap").toBe(200);
    expect((await scim(newToken, "GET", `/Users/${userIds.dana}`)).status).toBe(200);
    token = newToken;
    updateWorld((saved) => {
      saved.directory = { id: directoryId, groupId, tokenId, token: newToken };
    });
  });

  it("ends a deactivated person's open session on their next click", async () => {
    const signedIn = dana as Person;
    const before = await signedIn.goto(`/portal/${tenant?.slug}`);
    expect(before.status).toBe(200);
    const deactivated = await scim(token, "PATCH", `/Users/${userIds.dana}`, oktaDeactivation);
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);

    const next = await signedIn.navigate((page) =>
      page.getByRole("navigation", { name: "Main" }).getByRole("link").first().click(),
    );
    expect(next.path).toMatch(/^\/login(\?|$)/);
    expect(next.text).toContain("Sign in");

    const page = await admin.goto(`/admin/directories/${directoryId}`);
    expect(page.text).toContain("0 active, 0 pending, 2 deactivated");
  });

  it("recorded the pages it visited", () => {
    expect(recorder.pages.length).toBeGreaterThan(10);
  });
});
