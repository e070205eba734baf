// Issue 20 in a browser, as "resolved" reads: the first admin adds a webhook endpoint from the
// console against a receiver on this machine, reads its signing secret once, deactivates a person
// they just invited, and within seconds the receiver holds a user.deactivated that standardwebhooks
// verifies with that secret. The endpoint page then shows the attempt; a refused URL is shown again
// with its message; the edit and delete pages open. The endpoint is paused at the end, so the
// files after this one queue nothing for a receiver that is gone, while the crawl still finds its pages.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, Person, Recorder } from "./support/browser";
import { signIn } from "./support/flows";
import { type Credentials, currentRun, readWorld, recordSecret } from "./support/run";

const run = currentRun();

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

function startReceiver(received: Received[]): Promise<Server> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      received.push({ path: request.url ?? "", headers, body });
      response.statusCode = 204;
      response.end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function waitFor(received: Received[], type: string, timeoutMs = 15_000): Promise<Received> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = received.find((record) => (JSON.parse(record.body) as { type?: string }).type === type);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; received ${received.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(run.skipped)("a webhook endpoint added from the console", () => {
  const world = readWorld();
  const recorder = new Recorder("webhooks");
  const received: Received[] = [];
  let server: Server;
  let browser: Browser;
  let admin: Person;
  let endpointPath = "";
  let secret = "";

  beforeAll(async () => {
    if (!world.admin) throw new Error("people.e2e.ts must run first: no admin in world.json");
    server = await startReceiver(received);
    browser = await launchBrowser();
    admin = await Person.open(browser, "admin", recorder);
  });

  afterAll(async () => {
    await admin?.close();
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("refuses a private address with the message by the field, then adds the endpoint and shows its secret once", async () => {
    const landing = await signIn(admin, world.admin as Credentials);
    expect(landing.path).toBe("/admin");
    await admin.clickLink("Webhooks");
    await admin.clickLink("Add endpoint");
    await admin.fill("URL", "http://10.0.0.1/hooks");
    await admin.fill("Description (optional)", "Local receiver");
    await admin.page.locator("summary", { hasText: "People:" }).click();
    await admin.page.locator("#event-type-user\\.deactivated").check();
    const refused = await admin.clickButton("Add endpoint");
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("This address is private, local or reserved.");
    expect(await admin.page.locator("#field-description").inputValue()).toBe("Local receiver");
    expect(await admin.page.locator("#event-type-user\\.deactivated").isChecked()).toBe(true);

    const port = (server.address() as AddressInfo).port;
    await admin.fill("URL", `http://127.0.0.1:${port}/gatehouse`);
    const created = await admin.clickButton("Add endpoint");
    expect(created.status, created.text).toBe(200);
    expect(created.path).toMatch(/^\/admin\/webhooks\/whe_[0-9a-f]+\?secret=new$/);
    endpointPath = created.path.slice(0, created.path.indexOf("?"));
    secret = await admin.page.locator("#webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    recordSecret("webhook-secret", secret, "Local receiver signing secret");
    const reloaded = await admin.goto(created.path);
    expect(reloaded.text).not.toContain(secret);
    expect(reloaded.text).toContain("The secret was shown once");
  });

  it("delivers a signed user.deactivated within seconds of a deactivation, and shows the attempt", async () => {
    await admin.goto("/admin/users/new");
    await admin.fill("Email", "walt.webhook@example.com");
    await admin.fill("First name", "Walt");
    await admin.fill("Last name", "Webhook");
    const invited = await admin.clickButton("Create user");
    const userId = /\/admin\/users\/(usr_[0-9a-f]+)/.exec(invited.path)?.[1];
    expect(userId, invited.path).toBeDefined();
    await admin.goto(`/admin/users/${userId}/deactivate`);
    const deactivatedAt = Date.now();
    await admin.clickButton("Deactivate");

    const delivery = await waitFor(received, "user.deactivated");
    expect(Date.now() - deactivatedAt).toBeLessThan(15_000);
    const payload = new Webhook(secret).verify(delivery.body, delivery.headers) as {
      type: string;
      data: { target: { id: string } };
    };
    expect(payload.type).toBe("user.deactivated");
    expect(payload.data.target.id).toBe(userId);

    const page = await admin.goto(endpointPath);
    expect(page.text).toContain("User deactivated");
    expect(page.text).toContain("Delivered");
  });

  it("opens the edit and delete pages, and pauses the endpoint", async () => {
    const edit = await admin.goto(`${endpointPath}/edit`);
    expect(edit.status).toBe(200);
    expect(await admin.page.locator("#event-type-user\\.deactivated").isChecked()).toBe(true);
    const confirm = await admin.goto(`${endpointPath}/delete`);
    expect(confirm.text).toContain("Delete the endpoint");
    await admin.goto(endpointPath);
    const paused = await admin.clickButton("Pause");
    expect(paused.text).toContain("is paused");
  });
});
