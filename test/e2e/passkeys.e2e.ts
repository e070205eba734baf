// Issue 19 in a browser, with Chromium's virtual authenticator (support/virtual-authenticator.ts):
// a new operator sets up with a passkey and no authenticator app, signs in with it and no password,
// adds a second passkey from a second "device", signs in with each, and uses a passkey as the step
// after the password; an assertion whose user-verified flag is off does not sign anyone in without
// a password; then the admin requires passkeys for contractors, and the contractor is led to add one
// at the next sign-in before anything else opens. What Chromium will not produce (a replayed
// assertion, a counter going back, another origin or RP id) is proven over HTTP in test/passkeys/.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, Person, Recorder, type Visit } from "./support/browser";
import { advanceClock, canaryPassword, currentCode, signIn, signOut } from "./support/flows";
import { type Credentials, currentRun, readWorld, recordSecret } from "./support/run";
import { decodeQrCodes } from "./support/tools";
import { VirtualAuthenticator, type VirtualCredential } from "./support/virtual-authenticator";

const run = currentRun();
const pat = { email: "pat.passkey@example.test", firstName: "Pat", lastName: "Passkey", displayName: "Pat Passkey" };

/** Clicks a passkey form's button: the script runs the ceremony, then the form posts and the page changes. */
function usePasskey(person: Person, formId: string): Promise<Visit> {
  return person.navigate((page) => page.locator(`#${formId} button[type=submit]`).click());
}

describe.skipIf(run.skipped)("passkeys in Chromium with its virtual authenticator", () => {
  const world = readWorld();
  const recorder = new Recorder("passkeys");
  let browser: Browser;
  let admin: Person;
  let person: Person;
  let laptop: VirtualCredential | undefined;
  /** The "device" Pat carries from the second test on: the laptop's passkey on a fresh authenticator. */
  let device: VirtualAuthenticator;
  const password = canaryPassword();

  beforeAll(async () => {
    if (!world.admin) throw new Error("people.e2e.ts must run first: no admin in world.json");
    browser = await launchBrowser();
    admin = await Person.open(browser, "admin", recorder);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("sets up a new operator with a passkey and no authenticator app, then signs in with the passkey alone", async () => {
    // Signing in records the page, whose checks (expect.soft) run only inside a test.
    await signIn(admin, world.admin as Credentials);
    await admin.goto("/admin/users/new");
    await admin.fill("Email", pat.email);
    await admin.fill("First name", pat.firstName);
    await admin.fill("Last name", pat.lastName);
    await admin.page.getByLabel("Global role").selectOption("OPERATOR");
    const created = await admin.clickButton("Create user");
    expect(created.path, created.text).toMatch(/^\/admin\/users\/usr_\w+\/setup-link$/);
    const link = await admin.page.locator("#setup-url").inputValue();
    recordSecret("setup-token", new URL(link).pathname.split("/").pop() ?? "", "pat setup link");
    recordSecret("password", password, "pat password");

    person = await Person.open(browser, "pat", recorder);
    const authenticator = await VirtualAuthenticator.attach(person);
    await person.goto(link);
    await person.fill("Display name", pat.displayName);
    await person.fill("Password", password);
    await person.fill("Password again", password);
    const second = await person.clickButton("Continue");
    expect(second.text).toContain("Add a passkey");
    await person.fill("Name this passkey", "Work laptop");
    const added = await usePasskey(person, "setup-passkey");
    expect(added.path).toBe("/setup");
    expect(added.text).toContain("Work laptop");
    const done = await person.clickButton("Finish setup");
    expect(done.status, done.text).toBe(200);
    const codes = await person.page.locator("#recovery-codes li").allInnerTexts();
    expect(codes).toHaveLength(10);
    for (const code of codes) recordSecret("recovery-code", code, "pat recovery code");
    const landing = await person.clickLink("I saved them, continue");
    expect(landing.path).toBe("/admin");

    [laptop] = await authenticator.credentials();
    expect(laptop?.isResidentCredential, "a discoverable credential: a passkey").toBe(true);
    expect(laptop?.rpId).toBe("localhost");

    await signOut(person);
    const home = await usePasskey(person, "passkey-sign-in");
    expect(home.path, home.text).toBe("/admin");
    // Copied after its last use: a copy with an older signature counter would be refused as a clone.
    [laptop] = await authenticator.credentials();
    await authenticator.remove();
  });

  it("adds a second passkey from the account page on another device, and signs in with each", async () => {
    const yubikey = await VirtualAuthenticator.attach(person);
    const account = await person.goto("/account");
    expect(account.text).toContain("Work laptop");
    await person.fill("Name this passkey", "YubiKey");
    const added = await usePasskey(person, "add-passkey");
    expect(added.path).toBe("/account");
    expect(added.text).toContain("YubiKey");

    await signOut(person);
    expect((await usePasskey(person, "passkey-sign-in")).path).toBe("/admin");
    await signOut(person);
    await yubikey.remove();

    device = await VirtualAuthenticator.attach(person);
    await device.addCredential(laptop as VirtualCredential);
    expect((await usePasskey(person, "passkey-sign-in")).path).toBe("/admin");
    const edit = await person.goto("/account");
    expect(edit.text).toContain("YubiKey");
    const editPage = await person.clickLink("Edit");
    expect(editPage.path).toMatch(/^\/account\/passkeys\/\w+$/);
    await person.fill("Name", "Work laptop (office)");
    const renamed = await person.clickButton("Save name");
    expect(renamed.text).toContain("Work laptop (office)");
    await person.goto(editPage.path);
    const confirm = await person.clickButton("Remove passkey");
    expect(confirm.path).toBe(`${editPage.path}/remove`);
    expect(confirm.text).toContain("Work laptop (office)");
  });

  it("adds an authenticator app later, read from the QR code as a phone would", async () => {
    const page = await person.goto("/account/authenticator-app");
    expect(page.status, page.text).toBe(200);
    const [uri] = decodeQrCodes(page.screenshot);
    const secret = new URL(uri as string).searchParams.get("secret") ?? "";
    recordSecret("totp-secret", secret, "pat TOTP secret");
    await person.fill("Six-digit code", await currentCode(secret, "pat authenticator app code"));
    const added = await person.navigate((browserPage) =>
      browserPage.locator("form[action='/account/authenticator-app'] button[type=submit]").click(),
    );
    expect(added.path).toBe("/account");
    expect(added.text).toContain("Authenticator app");
  });

  it("takes a passkey as the step after the password", async () => {
    await signOut(person);
    await person.fill("Email", pat.email);
    await person.fill("Password", password);
    const verify = await person.clickButton("Continue");
    expect(verify.path.startsWith("/login/verify"), verify.text).toBe(true);
    const home = await usePasskey(person, "passkey-second-factor");
    expect(home.path).toBe("/admin");
  });

  it("does not sign in without a password when the authenticator reports the user unverified", async () => {
    await signOut(person);
    await device.clearUserVerifiedFlag(true);
    const refused = await usePasskey(person, "passkey-sign-in");
    expect(refused.path.startsWith("/login"), refused.path).toBe(true);
    expect(refused.text).toContain("That passkey was not accepted");
    expect((await person.goto("/admin")).path).toBe("/login?next=%2Fadmin");
    await device.clearUserVerifiedFlag(false);
    await device.remove();
  });

  it("requires a passkey for contractors: the contractor adds one at the next sign-in before anything else opens", async () => {
    const contractor = world.people.contractor as Credentials;
    const policy = await admin.goto("/admin/sign-in-policy");
    expect(policy.status, policy.text).toBe(200);
    await admin.page.getByLabel("Contractor").check();
    const saved = await admin.clickButton("Save policy");
    expect(saved.path).toBe("/admin/sign-in-policy");
    expect(saved.text).toContain(contractor.email);

    const carl = await Person.open(browser, "contractor", recorder);
    const authenticator = await VirtualAuthenticator.attach(carl);
    const confined = await signIn(carl, contractor);
    expect(confined.path).toBe("/enrol-passkey");
    expect((await carl.goto("/admin")).path).toBe("/enrol-passkey");
    await carl.fill("Name this passkey", "Carl's laptop");
    const released = await usePasskey(carl, "enrol-passkey");
    expect(released.path).toBe("/admin");

    expect((await admin.goto("/admin/sign-in-policy")).text).not.toContain(contractor.email);

    // With a passkey and the policy on, the authenticator app no longer signs Carl in: the step
    // after the password offers the passkey (and a recovery code), not a TOTP code.
    await signOut(carl);
    await advanceClock(30);
    await carl.fill("Email", contractor.email);
    await carl.fill("Password", contractor.password);
    const verify = await carl.clickButton("Continue");
    expect(await carl.page.getByLabel("Code from your authenticator app").count()).toBe(0);
    expect(verify.text).toContain("Use a passkey");
    expect((await usePasskey(carl, "passkey-second-factor")).path).toBe("/admin");
    await authenticator.remove();

    // The later files sign Carl in with his authenticator app: the policy goes back off.
    await admin.goto("/admin/sign-in-policy");
    await admin.page.getByLabel("Contractor").uncheck();
    const off = await admin.clickButton("Save policy");
    expect(off.text).not.toContain(contractor.email);
  });
});
