// The browser half of the security sweep: an HTML/script payload (support/payloads.ts) typed into
// every text field people can fill in, through the real forms, then every page each kind of user
// can reach rendered in chromium with CSP off — escaping alone must keep the payload inert and
// show it as text. Fields whose format refuses markup (email, slug, Slack ID, searches, `next`)
// must show it back escaped. Counts go to test-output/sweep-report.json.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, Person, Recorder, type Visit } from "./support/browser";
import { type CrawledPage, crawl, discoverForms } from "./support/crawl";
import { canaryPassword, completeSetup, signIn } from "./support/flows";
import { payloadTagsIn, xssPayload } from "./support/payloads";
import { type Credentials, currentRun, readWorld, recordSecret, writeSweepSection } from "./support/run";

const run = currentRun();
const probeTenant = { slug: "xss-probe" };

describe.skipIf(run.skipped)("stored and reflected HTML in every text field", () => {
  const world = readWorld();
  const recorder = new Recorder("xss");
  const stored = new Map<string, string>();
  const reflected = new Map<string, string>();
  const generic = new Map<string, string>();
  let genericForms = 0;
  const crawled: Array<CrawledPage & { persona: string }> = [];
  let browser: Browser;
  const xssOperator = { email: "xss.operator@example.test", password: canaryPassword(), totpSecret: "" };

  /** The payload for one stored field, remembered so the crawl can look for it. */
  function storedPayload(tag: string, field: string): string {
    stored.set(tag, field);
    return xssPayload(tag);
  }

  async function signedIn(
    persona: string,
    credentials: Pick<Credentials, "email" | "password" | "totpSecret">,
    bypassCsp = false,
  ) {
    const person = await Person.open(browser, persona, recorder, { bypassCsp });
    await signIn(person, credentials);
    return person;
  }

  function expectShownBack(visit: Visit, values: string[], tag: string): void {
    expect(visit.status, `${reflected.get(tag)}: ${visit.text.slice(0, 300)}`).toBeLessThan(500);
    expect(values.flatMap(payloadTagsIn), `${reflected.get(tag)} is shown back escaped`).toContain(tag);
  }

  async function formValues(person: Person): Promise<string[]> {
    return person.page.$$eval("input, textarea", (elements) =>
      elements.map((element) => (element as unknown as { value: string }).value),
    );
  }

  /** A setup link or token a form showed once (read-only field): it joins the secrets grepped at the end. */
  async function recordShownSecrets(person: Person): Promise<void> {
    const shown = await person.page.$$eval("input[readonly]", (elements) =>
      elements.map((element) => (element as unknown as { value: string }).value),
    );
    for (const value of shown) {
      const setupToken = /\/setup\/([A-Za-z0-9_-]{43})$/.exec(value)?.[1];
      if (setupToken) recordSecret("setup-token", setupToken, `${person.persona} form result`);
      else if (/^gth[a-z]_[0-9A-Za-z]{49}$/.test(value))
        recordSecret("api-token", value, `${person.persona} form result`);
    }
  }

  beforeAll(async () => {
    if (!world.admin || !world.people.clientAdmin || !world.people.viewer || !world.people.contractor) {
      throw new Error("people.e2e.ts must run first: world.json lacks the cast");
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("fills every text field of every form an admin or a client admin can reach, listed here or not", async () => {
    // Forms whose text fields are credentials, not content.
    // Passkey forms run a WebAuthn ceremony on submit (test/e2e/passkeys.e2e.ts drives them with an authenticator).
    const credentialForms =
      /^\/(logout|login|setup|enrol-passkey|reauthenticate|account\/(password|confirm|recovery-codes|authenticator-app|passkeys$))/;
    const cast: Array<[string, Credentials, string[]]> = [
      ["admin", world.admin as Credentials, ["/admin", "/account"]],
      ["client-admin", world.people.clientAdmin as Credentials, ["/portal", "/account"]],
    ];
    for (const [persona, credentials, start] of cast) {
      const person = await signedIn(`${persona}-forms`, credentials);
      for (const form of await discoverForms(person, start)) {
        if (credentialForms.test(new URL(form.action, run.baseUrl).pathname)) continue;
        await person.goto(form.page);
        const element = person.page.locator("form").nth(form.index);
        await element.evaluate((node) => {
          const details = (node as unknown as { closest(selector: string): { open: boolean } | null }).closest(
            "details",
          );
          if (details) details.open = true;
        });
        for (const name of form.textFields) {
          const tag = `G${String(generic.size + 1).padStart(2, "0")}`;
          generic.set(tag, `${name} (${form.method.toUpperCase()} ${form.action})`);
          await element.locator(`[name="${name}"]`).fill(xssPayload(tag));
        }
        const result = await person.navigate(() =>
          element.locator('button[type="submit"], button:not([type])').first().click(),
        );
        expect(result.status, `${form.method} ${form.action}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
        await recordShownSecrets(person);
        genericForms += 1;
      }
      await person.close();
    }
    expect(genericForms).toBeGreaterThan(10);
  });

  it("stores the payload in every text field people fill in", async () => {
    const admin = await signedIn("admin", world.admin as Credentials);
    await admin.goto("/admin/tenants");
    const probeName = storedPayload("P01", "tenant name (Admin → Tenants)");
    await admin.fill("Name", probeName);
    await admin.fill("Slug", probeTenant.slug);
    await admin.fill("Description (optional)", storedPayload("P02", "tenant description (Admin → Tenants)"));
    expect((await admin.clickButton("Create tenant")).path).toContain(`/admin/tenants/${probeTenant.slug}`);

    await admin.goto("/admin/users/new");
    await admin.fill("Email", xssOperator.email);
    await admin.fill("First name", storedPayload("P03", "first name (Admin → New user)"));
    await admin.fill("Last name", storedPayload("P04", "last name (Admin → New user)"));
    await admin.page.getByLabel("Tenant 1").selectOption(world.tenant?.id as string);
    await admin.page.getByLabel("Membership role 1").selectOption("OPERATOR_FULL");
    await admin.page.getByLabel("Tenant 2").selectOption({ label: probeName });
    await admin.page.getByLabel("Membership role 2").selectOption("OPERATOR_READONLY");
    // Post/Redirect/Get: the link page after the redirect answers 200 and shows the link once.
    expect((await admin.clickButton("Create user")).status).toBe(200);
    const link = await admin.page.locator("#setup-url").inputValue();

    const userAgent = storedPayload("P05", "browser user agent (Your account → sessions)");
    const operator = await Person.open(browser, "xss-operator", recorder, { userAgent });
    const setup = await completeSetup(operator, link, {
      email: xssOperator.email,
      password: xssOperator.password,
      displayName: storedPayload("P06", "display name (setup link)"),
    });
    xssOperator.totpSecret = setup.totpSecret;

    const workspace = `/tenants/${world.tenant?.slug}`;
    await operator.goto(workspace);
    await operator.page.getByText("Post an update").click();
    await operator.fill("Title", storedPayload("P07", "update title (workspace)"));
    await operator.fill("Text", `${storedPayload("P08", "update text (workspace)")}\nsecond line`);
    expect((await operator.clickButton("Post update")).text).toContain("client users see it in their portal.");

    await operator.page.getByText("Post an update").click();
    await operator.fill("Title", "Draft to edit");
    await operator.fill("Text", "Draft");
    await operator.clickButton("Post update");
    const draft = operator.page.locator("article.update", { hasText: "Draft to edit" });
    await operator.navigate(() => draft.getByRole("link", { name: "Edit", exact: true }).click());
    await operator.fill("Title", storedPayload("P09", "update title (edit update)"));
    await operator.fill("Text", storedPayload("P10", "update text (edit update)"));
    expect((await operator.clickButton("Save update")).text).toContain("portal shows the new text.");

    await operator.page.getByText("Edit the profile").click();
    await operator.fill("Description", storedPayload("P11", "tenant description (workspace profile)"));
    expect((await operator.clickButton("Save profile")).text).toMatch(/The profile of .* was saved\./);

    await operator.page.getByText("Invite a client user").click();
    await operator.fill("Email", "xss.client@acme.example");
    await operator.fill("First name", storedPayload("P12", "first name (workspace client invite)"));
    await operator.fill("Last name", storedPayload("P13", "last name (workspace client invite)"));
    expect((await operator.clickButton("Invite")).status).toBe(200);
    recordSecret(
      "setup-token",
      (await operator.page.locator("#setup-url").inputValue()).split("/").pop() ?? "",
      "xss client link",
    );

    await operator.goto("/account");
    await operator.fill("Token name", storedPayload("P14", "API token name (Your account)"));
    const token = await operator.clickButton("Create token");
    // Post/Redirect/Get: the page after the redirect shows the token once.
    expect(token.status).toBe(200);
    expect(token.path).toMatch(/^\/account\?token=tok_/);
    recordSecret("api-token", await operator.page.locator("#new-api-token").inputValue(), "xss operator API token");

    const clientAdmin = await signedIn("client-admin", world.people.clientAdmin as Credentials);
    await clientAdmin.page.getByText("Invite a colleague").click();
    await clientAdmin.fill("Email", "xss.colleague@acme.example");
    await clientAdmin.fill("First name", storedPayload("P15", "first name (portal invite)"));
    await clientAdmin.fill("Last name", storedPayload("P16", "last name (portal invite)"));
    expect((await clientAdmin.clickButton("Invite")).status).toBe(200);
    recordSecret(
      "setup-token",
      (await clientAdmin.page.locator("#setup-url").inputValue()).split("/").pop() ?? "",
      "xss colleague link",
    );

    const viewer = await signedIn("viewer", world.people.viewer as Credentials);
    await viewer.goto("/account");
    await viewer.fill("Display name", storedPayload("P17", "display name (Your account)"));
    expect((await viewer.clickButton("Save profile")).text).toContain("Your profile was saved");

    await admin.goto(`/admin/users/${world.people.contractor?.userId}`);
    await admin.fill("Display name", storedPayload("P18", "display name (Admin → user details)"));
    expect((await admin.clickButton("Save changes")).text).toContain("Carl Contractor's details were saved.");

    for (const person of [admin, operator, clientAdmin, viewer]) await person.close();
  });

  it("renders every page each kind of user can reach without running the payload, showing it as text", async () => {
    const cast: Array<[string, Pick<Credentials, "email" | "password" | "totpSecret"> | null, string[]]> = [
      // Everything else is found by following links; these are the pages nothing links to.
      // The deactivated operator's Security tab: the one place the Erase page is linked from, and
      // the crawl opens only a few users' tabs.
      [
        "admin",
        world.admin as Credentials,
        [
          "/",
          "/admin",
          "/account",
          "/account/confirm",
          // Reached only by the redirect after new codes are made: opened here, it says they were shown once.
          "/account/recovery-codes/new",
          `/admin/users/${world.people.operator?.userId}/security`,
        ],
      ],
      ["xss-operator", xssOperator, ["/", "/admin", "/account"]],
      ["client-admin", world.people.clientAdmin as Credentials, ["/", "/portal", "/account"]],
      ["viewer", world.people.viewer as Credentials, ["/", "/portal", "/account"]],
      ["anonymous", null, ["/", "/login"]],
    ];
    for (const [persona, credentials, start] of cast) {
      const person = credentials
        ? await signedIn(`crawl-${persona}`, credentials, true)
        : await Person.open(browser, "crawl-anonymous", recorder, { bypassCsp: true });
      const pages = await crawl(person, start);
      crawled.push(...pages.map((page) => ({ ...page, persona })));
      await person.close();
    }
    expect(
      crawled.every((page) => page.status < 500),
      JSON.stringify(crawled.filter((page) => page.status >= 500)),
    ).toBe(true);
    const seen = new Set(crawled.flatMap((page) => page.payloadTags));
    const unseen = [...stored].filter(([tag]) => !seen.has(tag)).map(([tag, field]) => `${tag} ${field}`);
    expect(unseen, "stored payloads that no page showed as text").toEqual([]);
    // The HTML part of every email is escaped too (the Outbox shows its source as text beside the preview).
    const rawInEmails = crawled
      .filter((page) => page.emailHtmlSource?.includes(`><script>__gx`))
      .map((page) => page.path);
    expect(rawInEmails, "emails whose HTML carries the payload unescaped").toEqual([]);
  });

  it("shows refused input back escaped, without running it", async () => {
    const admin = await signedIn("admin-reflected", world.admin as Credentials);
    const reflect = (tag: string, field: string) => {
      reflected.set(tag, field);
      return xssPayload(tag);
    };
    await admin.goto("/admin/users/new");
    await admin.fill("Email", reflect("R01", "email (Admin → New user)"));
    await admin.fill("First name", "Refused");
    await admin.fill("Last name", "Input");
    await admin.fill("Slack ID (optional)", reflect("R02", "Slack ID (Admin → New user)"));
    const invite = await admin.clickButton("Create user");
    expect(invite.status).toBe(400);
    for (const tag of ["R01", "R02"]) expectShownBack(invite, await formValues(admin), tag);

    await admin.goto("/admin/tenants");
    await admin.fill("Name", "Refused slug");
    await admin.fill("Slug", reflect("R03", "tenant slug (Admin → Tenants)"));
    const tenant = await admin.clickButton("Create tenant");
    expect(tenant.status).toBe(400);
    expectShownBack(tenant, await formValues(admin), "R03");

    const searches: Array<[string, string, string]> = [
      ["R04", "/admin/users?query=", "user search"],
      ["R05", "/admin/tenants?query=", "tenant search"],
      ["R06", "/admin/memberships?userEmail=", "membership filter"],
    ];
    for (const [tag, prefix, field] of searches) {
      const visit = await admin.goto(`${prefix}${encodeURIComponent(reflect(tag, field))}`);
      expectShownBack(visit, await formValues(admin), tag);
    }

    await admin.goto(`/admin/tenants/${world.tenant?.slug}`);
    await admin.fill("User's email", reflect("R07", "user's email (tenant → add membership)"));
    const membership = await admin.clickButton("Add membership");
    expect(membership.status).toBe(400);
    expectShownBack(membership, await formValues(admin), "R07");

    await admin.goto(`/admin/users/${world.people.contractor?.userId}`);
    await admin.fill("Slack ID", reflect("R08", "Slack ID (Admin → user details)"));
    const details = await admin.clickButton("Save changes");
    expect(details.status).toBe(400);
    expectShownBack(details, await formValues(admin), "R08");
    await admin.close();

    const anonymous = await Person.open(browser, "anonymous-reflected", recorder);
    const login = await anonymous.goto(`/login?next=${encodeURIComponent(reflect("R09", "next (sign-in)"))}`);
    expect(
      await anonymous.page.locator('form[action="/login"] input[name="next"]').inputValue(),
      "an unsafe next is dropped",
    ).toBe("");
    expect(login.status).toBe(200);
    await anonymous.fill("Email", reflect("R10", "email (sign-in)"));
    await anonymous.fill("Password", "not the password at all");
    const refused = await anonymous.clickButton("Continue");
    expectShownBack(refused, await formValues(anonymous), "R10");
    await anonymous.close();
  });

  afterAll(() => {
    const pagesByPersona = Object.fromEntries(
      [...new Set(crawled.map((page) => page.persona))].map((persona) => [
        persona,
        crawled.filter((page) => page.persona === persona).length,
      ]),
    );
    writeSweepSection("stored-and-reflected-html", {
      storedFields: stored.size,
      reflectedFields: reflected.size,
      genericForms,
      genericFields: generic.size,
      genericFieldsShownLater: [...generic.keys()].filter((tag) =>
        crawled.some((page) => page.payloadTags.includes(tag)),
      ).length,
      fields: Object.fromEntries([...stored, ...reflected, ...generic]),
      pagesRendered: crawled.length,
      pagesByPersona,
      pagesShowingAPayload: crawled.filter((page) => page.payloadTags.length > 0).length,
      emailsChecked: crawled.filter((page) => page.emailHtmlSource !== undefined).length,
    });
  });
});
