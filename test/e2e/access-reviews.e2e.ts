// Issue 22 in a browser, as "resolved" reads: the first admin creates an access review campaign in
// the console and starts it; the company's client admin opens the review in the portal and decides
// there, on a phone (390 px) and on a wide screen (1280 px); the test clock passes the deadline, the
// cron revokes what nobody decided, and the member it revoked loses the company on their next click.
// The cast is this file's own company, so the personas of the sweeps that run later keep their access.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordSecretsIn } from "./support/answers";
import { launchBrowser, Person, phoneViewport, Recorder, wideViewport } from "./support/browser";
import { advanceClock, canaryPassword, completeSetup, signIn } from "./support/flows";
import { HttpClient } from "./support/http";
import { type Credentials, currentRun, readWorld } from "./support/run";

const run = currentRun();

const company = { name: "Review Harbour", slug: "review-harbour" };
const campaignName = "Half-yearly review of Review Harbour";
const cast = {
  rosa: { email: "rosa.admin@harbour.example", firstName: "Rosa", lastName: "Admin", role: "CLIENT_ADMIN" },
  vic: { email: "vic.viewer@harbour.example", firstName: "Vic", lastName: "Viewer", role: "CLIENT_VIEWER" },
  kim: { email: "kim.keep@harbour.example", firstName: "Kim", lastName: "Keep", role: "CLIENT_VIEWER" },
  ray: { email: "ray.revoke@harbour.example", firstName: "Ray", lastName: "Revoke", role: "CLIENT_VIEWER" },
} as const;
type CastName = keyof typeof cast;

interface ItemDto {
  id: string;
  runId: string;
  member: { email: string };
  status: string;
  decisionSource: string | null;
  justification: string | null;
}

describe.skipIf(run.skipped)("an access review, from the console to the portal to the deadline", () => {
  const world = readWorld();
  const recorder = new Recorder("access-reviews");
  const adminHttp = new HttpClient("review admin");
  const credentials: Partial<Record<CastName, Credentials>> = {};
  let browser: Browser;
  let admin: Person;
  let rosa: Person;
  let vic: Person;
  let tenantId = "";
  let runId = "";

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await adminHttp.request(method, path, {
      headers: { origin: run.baseUrl, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 400)}`).toBeLessThan(300);
    recordSecretsIn(answer.text);
    return JSON.parse(answer.text) as T;
  }

  async function itemsOfCompany(): Promise<ItemDto[]> {
    // With the run named, its items stay listed after it closes (without one: the open runs' items).
    const run = runId ? `&runId=${runId}` : "";
    const page = await api<{ items: ItemDto[] }>(
      "GET",
      `/api/v1/access-review-items?scope=all&tenantId=${tenantId}${run}`,
    );
    return page.items;
  }

  function itemOf(items: ItemDto[], name: CastName): ItemDto {
    const found = items.find((item) => item.member.email === cast[name].email);
    if (!found) throw new Error(`no review item for ${name}: ${JSON.stringify(items)}`);
    return found;
  }

  beforeAll(async () => {
    if (!world.admin) throw new Error("people.e2e.ts must run first: no admin in world.json");
    browser = await launchBrowser();
    admin = await Person.open(browser, "admin", recorder);
    rosa = await Person.open(browser, "review-client-admin", recorder);
    vic = await Person.open(browser, "review-viewer", recorder);
  });

  afterAll(async () => {
    await Promise.all([admin?.close(), rosa?.close(), vic?.close()]);
    await browser?.close();
  });

  it("sets up the company: its client admin and a viewer through their setup links, two viewers invited", async () => {
    await adminHttp.signIn(world.admin as Credentials);
    const made = await api<{ tenant: { id: string } }>("POST", "/api/v1/tenants", company);
    tenantId = made.tenant.id;
    for (const name of Object.keys(cast) as CastName[]) {
      const person = cast[name];
      const invited = await api<{ user: { id: string }; setupUrl: string }>("POST", "/api/v1/users", {
        email: person.email,
        firstName: person.firstName,
        lastName: person.lastName,
        role: "CLIENT_USER",
        memberships: [{ tenantId, role: person.role }],
      });
      if (name !== "rosa" && name !== "vic") continue;
      const password = canaryPassword();
      const setup = await completeSetup(name === "rosa" ? rosa : vic, invited.setupUrl, {
        email: person.email,
        password,
        displayName: `${person.firstName} ${person.lastName}`,
      });
      expect(setup.landing.path).toBe(`/portal/${company.slug}`);
      credentials[name] = {
        email: person.email,
        password,
        totpSecret: setup.totpSecret,
        recoveryCodes: setup.recoveryCodes,
        userId: invited.user.id,
        role: "CLIENT_USER",
      };
    }
  });

  it("lets the Super admin create a campaign for the company in the console and start it now", async () => {
    await signIn(admin, world.admin as Credentials);
    await admin.goto("/admin");
    await admin.clickLink("Access reviews");
    await admin.clickLink("New campaign");
    await admin.fill("Name", campaignName);
    await admin.page.getByLabel("Only the tenants ticked below").check();
    await admin.page.locator("summary", { hasText: "Choose tenants" }).click();
    await admin.page.getByLabel(company.name, { exact: true }).check();
    await admin.page
      .getByLabel("Memberships")
      .selectOption({ label: "Client memberships (Client admin, Client viewer)" });
    await admin.page.getByLabel("Cadence").selectOption({ label: "Once" });
    const created = await admin.clickButton("Create campaign");
    expect(created.status, created.text).toBe(200);
    expect(created.text).toContain(campaignName);
    const started = await admin.clickButton("Start now");
    expect(started.status, started.text).toBe(200);
    expect(started.path).toMatch(/^\/admin\/reviews\/runs\//);
    const items = await itemsOfCompany();
    expect(items.map((item) => item.member.email).sort()).toEqual(
      Object.values(cast)
        .map((p) => p.email)
        .sort(),
    );
    expect(items.every((item) => item.status === "pending")).toBe(true);
    runId = items[0]?.runId ?? "";
  });

  it("shows the client admin their company's review in the portal and takes a decision on a phone", async () => {
    // Rosa is signed in since her setup.
    const home = await rosa.goto(`/portal/${company.slug}`);
    expect(home.status, home.text).toBe(200);
    const review = await rosa.clickLink("Access review");
    expect(review.path).toBe(`/portal/${company.slug}/reviews`);
    // Rosa reviews her colleagues, never herself: her own item (the sole client admin) is the Super admins'.
    expect(review.text).toContain(cast.vic.email);
    expect(review.text).toContain(cast.kim.email);
    expect(review.text).toContain(cast.ray.email);
    expect(review.text).not.toContain(cast.rosa.email);

    await rosa.page.setViewportSize(phoneViewport);
    const kimRow = rosa.page.locator("tr", { hasText: cast.kim.email });
    const refused = await rosa.navigate(() => kimRow.getByRole("button", { name: "Keep Kim Keep" }).click());
    expect(refused.status, "keeping without a justification is refused by the field").toBe(400);
    expect(refused.text).toContain("Say why this access is still needed.");
    await rosa.page.setViewportSize(phoneViewport);
    const kimAgain = rosa.page.locator("tr", { hasText: cast.kim.email });
    await kimAgain.getByLabel("Why for Kim Keep").fill("Runs payroll for the harbour office.");
    const kept = await rosa.navigate(() => kimAgain.getByRole("button", { name: "Keep Kim Keep" }).click());
    expect(kept.status, kept.text).toBe(200);
    expect(kept.text).toContain("Kim Keep");
    expect(kept.text).not.toContain(cast.kim.email);
    const kim = itemOf(await itemsOfCompany(), "kim");
    expect(kim).toMatchObject({ status: "kept", decisionSource: "reviewer" });
    expect(kim.justification).toBe("Runs payroll for the harbour office.");
  });

  it("revokes at once on a wide screen, and leaves one person for the deadline", async () => {
    await rosa.page.setViewportSize(wideViewport);
    await rosa.goto(`/portal/${company.slug}/reviews`);
    const rayRow = rosa.page.locator("tr", { hasText: cast.ray.email });
    await rayRow.getByLabel("Why for Ray Revoke").fill("Left the company in October.");
    const revoked = await rosa.navigate(() => rayRow.getByRole("button", { name: "Revoke Ray Revoke" }).click());
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.text).toContain(cast.vic.email);
    const items = await itemsOfCompany();
    expect(itemOf(items, "ray")).toMatchObject({ status: "revoked", decisionSource: "reviewer" });
    expect(itemOf(items, "vic").status).toBe("pending");
    const members = await api<{ items: Array<{ email: string }> }>("GET", `/api/v1/tenants/${tenantId}/members`);
    expect(members.items.map((member) => member.email)).not.toContain(cast.ray.email);
  });

  it("revokes what nobody decided once the clock passes the deadline, and the member loses access on the next click", async () => {
    // The Super admins keep Rosa's own item, so the company keeps its client admin.
    const rosaItem = itemOf(await itemsOfCompany(), "rosa");
    await api("POST", `/api/v1/access-review-items/${rosaItem.id}/decision`, {
      decision: "keep",
      justification: "Sole client admin of the company.",
    });
    await advanceClock(15 * 86_400);
    await signIn(vic, credentials.vic as Credentials);
    const before = await vic.goto(`/portal/${company.slug}`);
    expect(before.status, "the deadline alone revokes nothing: the cron does").toBe(200);

    const cron = await fetch(`${run.baseUrl}/cdn-cgi/handler/scheduled`);
    expect(cron.status).toBe(200);
    await adminHttp.signIn(world.admin as Credentials); // 15 days on, the admin's HTTP session has timed out
    const items = await itemsOfCompany();
    expect(itemOf(items, "vic")).toMatchObject({ status: "revoked", decisionSource: "deadline" });
    expect(itemOf(items, "kim").status).toBe("kept");

    const after = await vic.goto(`/portal/${company.slug}`);
    expect(after.status, "the revoked member's next request").toBe(404);
  });
});
