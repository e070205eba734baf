// The story of issue 8, told in chromium against the app as `npm start` runs it: the first admin
// sets up from the bootstrap link, creates a tenant and invites an operator and a contractor; the
// operator invites the client's admin from the tenant workspace, who invites a viewer from the
// portal; each person sets up in their own browser (QR code read from a screenshot, codes from
// oathtool), signs in and sees exactly what their role allows; a deactivation and a contractor's
// expiry bite on the very next click.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, Person, Recorder } from "./support/browser";
import { advanceClock, canaryPassword, completeSetup, serverNow, signIn, signOut } from "./support/flows";
import { type Credentials, currentRun, updateWorld } from "./support/run";

const run = currentRun();

const tenant = {
  name: "Acme Logistics",
  slug: "acme-logistics",
  description: "Freight forwarding for the Acme group.",
};

const update = { title: "Shipment schedule", body: "Trucks leave at 06:00.\nPallets by 18:00 the day before." };

const cast = {
  admin: { email: "admin@example.com", displayName: "Ada Admin" },
  operator: { email: "olivia.operator@example.test", firstName: "Olivia", lastName: "Operator" },
  contractor: { email: "carl.contractor@example.test", firstName: "Carl", lastName: "Contractor" },
  clientAdmin: { email: "cleo.client@acme.example", firstName: "Cleo", lastName: "Client" },
  viewer: { email: "victor.viewer@acme.example", firstName: "Victor", lastName: "Viewer" },
};

/** "2026-11-23T17:05" in UTC, what a datetime-local input takes (the admin's time zone is UTC). */
function localInputValue(at: Date): string {
  return at.toISOString().slice(0, 16);
}

async function readSetupLink(person: Person): Promise<string> {
  const link = await person.page.locator("#setup-url").inputValue();
  expect(link).toMatch(new RegExp(`^${run.baseUrl}/setup/[A-Za-z0-9_-]{43}$`));
  return link;
}

async function expectNavigation(person: Person, { has, lacks }: { has: string[]; lacks: string[] }) {
  const labels = await person.page.getByRole("navigation", { name: "Main" }).getByRole("link").allInnerTexts();
  for (const label of has) expect(labels, `${person.persona}'s navigation`).toContain(label);
  for (const label of lacks) expect(labels, `${person.persona}'s navigation`).not.toContain(label);
}

describe.skipIf(run.skipped)("people using Gatehouse in a browser", () => {
  let browser: Browser;
  const recorder = new Recorder("people");
  const people: Partial<Record<keyof typeof cast, Person>> = {};
  const credentials: Partial<Record<keyof typeof cast, Credentials>> = {};
  const links: Partial<Record<keyof typeof cast, string>> = {};
  let contractorExpiresAt: Date;

  function person(name: keyof typeof cast): Person {
    const found = people[name];
    if (!found) throw new Error(`${name} has no browser yet (an earlier step failed)`);
    return found;
  }

  async function setUp(name: keyof typeof cast, role: string, link: string, displayName?: string) {
    const browserPerson = await Person.open(browser, name, recorder);
    people[name] = browserPerson;
    const password = canaryPassword();
    const result = await completeSetup(browserPerson, link, { email: cast[name].email, password, displayName });
    const userId = await userIdOf(cast[name].email);
    credentials[name] = {
      email: cast[name].email,
      password,
      totpSecret: result.totpSecret,
      recoveryCodes: result.recoveryCodes,
      userId,
      role,
    };
    updateWorld((world) => {
      if (name === "admin") world.admin = credentials.admin;
      else world.people[name] = credentials[name] as Credentials;
    });
    return result;
  }

  async function userIdOf(email: string): Promise<string> {
    const admin = person("admin");
    const list = await admin.goto(`/admin/users?query=${encodeURIComponent(email)}`);
    expect(list.status).toBe(200);
    const href = await admin.page.locator('table a[href^="/admin/users/usr_"]').first().getAttribute("href");
    return href?.split("/").pop() ?? "";
  }

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const browserPerson of Object.values(people)) await browserPerson?.close();
    await browser?.close();
  });

  it("lets the first admin finish setup from the link the bootstrap step printed", async () => {
    const result = await setUp("admin", "SUPER_ADMIN", run.bootstrapLink, cast.admin.displayName);
    expect(result.landing.path).toBe("/admin");
    expect(result.landing.text).toContain(`Welcome, ${cast.admin.displayName}`);
    await expectNavigation(person("admin"), { has: ["Users", "Tenants", "Memberships", "Outbox"], lacks: [] });

    const admin = person("admin");
    await signOut(admin);
    const again = await signIn(admin, credentials.admin as Credentials);
    expect(again.path).toBe("/admin");

    const used = await admin.goto(run.bootstrapLink);
    expect(used.status, "the bootstrap link works once").toBe(404);
    expect(used.text).toContain("This setup link is invalid or has expired");
  });

  it("lets the admin create the tenant", async () => {
    const admin = person("admin");
    await admin.clickLink("Tenants");
    await admin.fill("Name", tenant.name);
    await admin.fill("Slug", tenant.slug);
    await admin.fill("Description (optional)", tenant.description);
    const created = await admin.clickButton("Create tenant");
    expect(created.path).toBe(`/admin/tenants/${tenant.slug}?notice=tenant-created`);
    expect(created.text).toContain("The tenant was created.");
    const tenantId = (await admin.page.locator('input[name="tenantId"]').first().getAttribute("value")) ?? "";
    expect(tenantId).toMatch(/^tnt_/);
    updateWorld((world) => {
      world.tenant = { id: tenantId, slug: tenant.slug, name: tenant.name };
    });
  });

  it("lets the admin invite an operator and a contractor whose access ends in twenty minutes", async () => {
    const admin = person("admin");
    for (const name of ["operator", "contractor"] as const) {
      await admin.clickLink("Users");
      await admin.clickLink("New user");
      await admin.fill("Email", cast[name].email);
      await admin.fill("First name", cast[name].firstName);
      await admin.fill("Last name", cast[name].lastName);
      await admin.page.getByLabel("Global role").selectOption(name === "operator" ? "OPERATOR" : "CONTRACTOR");
      await admin.page.getByLabel("Tenant 1").selectOption({ label: tenant.name });
      await admin.page.getByLabel("Membership role 1").selectOption("OPERATOR_FULL");
      if (name === "contractor") {
        contractorExpiresAt = new Date(Math.ceil(((await serverNow()).getTime() + 20 * 60_000) / 60_000) * 60_000);
        await admin.fill("Expires 1", localInputValue(contractorExpiresAt));
        updateWorld((world) => {
          world.contractorExpiresAt = contractorExpiresAt.toISOString();
        });
      }
      const created = await admin.clickButton("Create user");
      expect(created.status, created.text).toBe(201);
      expect(created.text).toContain(`was created as ${name === "operator" ? "OPERATOR" : "CONTRACTOR"}`);
      links[name] = await readSetupLink(admin);
    }
  });

  it("lets the operator set up, sign in, and work in the tenant but not open Admin → Users", async () => {
    const setup = await setUp("operator", "OPERATOR", links.operator as string);
    expect(setup.landing.path).toBe("/admin");
    const operator = person("operator");
    await signOut(operator);
    const home = await signIn(operator, credentials.operator as Credentials);
    expect(home.path).toBe("/admin");
    expect(home.text).toContain(tenant.name);
    await expectNavigation(operator, { has: ["Home"], lacks: ["Users", "Tenants", "Memberships", "Outbox"] });

    const workspace = await operator.clickLink(tenant.name);
    expect(workspace.path).toBe(`/tenants/${tenant.slug}`);
    expect(workspace.text).toContain("Your access: Full access");
    await operator.page.getByText("Post an update").click();
    await operator.fill("Title", update.title);
    await operator.fill("Text", update.body);
    const posted = await operator.clickButton("Post update");
    expect(posted.text).toContain("The update was posted.");

    const users = await operator.goto("/admin/users");
    expect(users.status).toBe(403);
    expect(users.text).toContain("Access denied");
    expect(users.text).not.toContain(cast.contractor.email);
  });

  it("lets the contractor set up and sign in, and shows them when their access ends", async () => {
    await setUp("contractor", "CONTRACTOR", links.contractor as string);
    const contractor = person("contractor");
    await signOut(contractor);
    const home = await signIn(contractor, credentials.contractor as Credentials);
    expect(home.path).toBe("/admin");
    expect(home.text).toMatch(/days? left/);
    const workspace = await contractor.clickLink(tenant.name);
    expect(workspace.status).toBe(200);
    expect((await contractor.goto("/admin/users")).status).toBe(403);
  });

  it("lets the operator invite the client's admin from the workspace; the client admin lands in the portal", async () => {
    const operator = person("operator");
    await operator.goto(`/tenants/${tenant.slug}`);
    await operator.page.getByText("Invite a client user").click();
    await operator.fill("Email", cast.clientAdmin.email);
    await operator.fill("First name", cast.clientAdmin.firstName);
    await operator.fill("Last name", cast.clientAdmin.lastName);
    await operator.page.getByLabel("Portal role").selectOption("CLIENT_ADMIN");
    const issued = await operator.clickButton("Invite");
    expect(issued.status, issued.text).toBe(201);
    links.clientAdmin = await readSetupLink(operator);
    await operator.clickLink(`Back to ${tenant.name}`);

    const setup = await setUp("clientAdmin", "CLIENT_USER", links.clientAdmin);
    expect(setup.landing.path).toBe(`/portal/${tenant.slug}`);
    const clientAdmin = person("clientAdmin");
    await signOut(clientAdmin);
    const portal = await signIn(clientAdmin, credentials.clientAdmin as Credentials);
    expect(portal.path).toBe(`/portal/${tenant.slug}`);
    expect(portal.text).toContain("Who has access to your company");
    expect(portal.text).toContain(update.title);
    expect(portal.text).toContain(cast.contractor.email);

    const console = await clientAdmin.goto("/admin");
    expect(console.status).toBe(403);
    expect(console.text).not.toContain(cast.operator.email);
    expect((await clientAdmin.goto(`/tenants/${tenant.slug}`)).status).toBe(404);
  });

  it("lets the client admin invite a viewer through the portal; the viewer only reads", async () => {
    const clientAdmin = person("clientAdmin");
    await clientAdmin.goto(`/portal/${tenant.slug}`);
    await clientAdmin.page.getByText("Invite a colleague").click();
    await clientAdmin.fill("Email", cast.viewer.email);
    await clientAdmin.fill("First name", cast.viewer.firstName);
    await clientAdmin.fill("Last name", cast.viewer.lastName);
    await clientAdmin.page.getByLabel("Portal role").selectOption("CLIENT_VIEWER");
    const issued = await clientAdmin.clickButton("Invite");
    expect(issued.status, issued.text).toBe(201);
    links.viewer = await readSetupLink(clientAdmin);
    const portal = await clientAdmin.clickLink(`Back to ${tenant.name}`);
    expect(portal.text).toContain(cast.viewer.email);
    const removeHref =
      (await clientAdmin.page.getByRole("link", { name: "Remove" }).first().getAttribute("href")) ?? "";
    expect(removeHref).toMatch(new RegExp(`^/portal/${tenant.slug}/users/mbr_`));

    const setup = await setUp("viewer", "CLIENT_USER", links.viewer);
    expect(setup.landing.path).toBe(`/portal/${tenant.slug}`);
    const viewer = person("viewer");
    await signOut(viewer);
    const home = await signIn(viewer, credentials.viewer as Credentials);
    expect(home.path).toBe(`/portal/${tenant.slug}`);
    expect(home.text).not.toContain("Invite a colleague");
    expect(await viewer.page.getByRole("link", { name: "Remove" }).count()).toBe(0);
    expect((await viewer.goto(removeHref)).status).toBe(403);
    expect((await viewer.goto("/admin")).status).toBe(403);
  });

  it("ends a deactivated operator's open session on their next click", async () => {
    const operator = person("operator");
    const before = await operator.goto(`/tenants/${tenant.slug}`);
    expect(before.status).toBe(200);

    const admin = person("admin");
    await admin.goto(`/admin/users/${credentials.operator?.userId}`);
    await admin.clickLink("Security");
    await admin.clickLink("Deactivate…");
    const done = await admin.clickButton(/^Deactivate/);
    expect(done.text).toContain("The user was deactivated.");

    const next = await operator.clickLink("Home");
    expect(next.path).toBe("/login?next=%2Fadmin");
    expect(next.text).toContain("Sign in");
    await advanceClock(30);
    await operator.fill("Email", cast.operator.email);
    await operator.fill("Password", credentials.operator?.password as string);
    const refused = await operator.clickButton("Continue");
    expect(refused.status).toBe(401);
  });

  it("ends the contractor's access the instant their membership expires, before the cron has run", async () => {
    const contractor = person("contractor");
    const now = await serverNow();
    await advanceClock((contractorExpiresAt.getTime() - now.getTime()) / 1000 - 60);
    const before = await contractor.goto(`/tenants/${tenant.slug}`);
    expect(before.status, "a minute before the expiry").toBe(200);

    await advanceClock(61);
    const after = await contractor.clickLink("Home");
    expect(after.status).toBe(200);
    expect(after.text).toContain("You have no access yet");
    expect(after.text).not.toContain(tenant.name);
    const workspace = await contractor.goto(`/tenants/${tenant.slug}`);
    expect(workspace.status, "the workspace is gone on the next request").toBe(404);

    // The cron then records the expiry: the membership leaves the admin's list of active ones.
    const cron = await fetch(`${run.baseUrl}/cdn-cgi/handler/scheduled`);
    expect(cron.status).toBe(200);
    const memberships = await person("admin").goto("/admin/memberships");
    expect(memberships.status).toBe(200);
    expect(memberships.text).toContain(cast.clientAdmin.email);
    expect(memberships.text).not.toContain(cast.contractor.email);
  });

  it("recorded every page it visited", () => {
    expect(recorder.pages.length).toBeGreaterThan(30);
  });
});
