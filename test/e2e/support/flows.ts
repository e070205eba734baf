// What people do again and again: complete a setup link (reading the QR code from a screenshot
// and computing codes with oathtool), sign in, sign out; and moving the test clock.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Person, Visit } from "./browser";
import { type Credentials, currentRun, recordSecret } from "./run";
import { decodeQrCodes, totpCodeAt } from "./tools";

/** Distinctive passwords, so secrets.e2e.ts can prove none of them reached a log or an audit row. */
export function canaryPassword(): string {
  return `canary-${randomUUID().slice(0, 8)} pw ${randomUUID().slice(0, 8)}`;
}

async function clockRequest(body?: object): Promise<Date> {
  const response = await fetch(
    `${currentRun().baseUrl}/__test__/clock`,
    body ? { method: "POST", body: JSON.stringify(body) } : {},
  );
  if (!response.ok) throw new Error(`test clock: ${response.status} ${await response.text()}`);
  return new Date(((await response.json()) as { now: string }).now);
}

/** The server's time (the test worker's frozen clock). */
export function serverNow(): Promise<Date> {
  return clockRequest();
}

export function advanceClock(seconds: number): Promise<Date> {
  return clockRequest({ advanceSeconds: seconds });
}

/** The code the person's authenticator shows now, by the server's clock. */
export async function currentCode(secret: string, label: string): Promise<string> {
  const code = totpCodeAt(secret, await serverNow());
  recordSecret("totp-code", code, label);
  return code;
}

export interface SetupResult {
  totpSecret: string;
  recoveryCodes: string[];
  otpauthUri: string;
  landing: Visit;
}

/** Opens a setup link and completes it as a person would, with a phone-like QR reader and oathtool. */
export async function completeSetup(
  person: Person,
  link: string,
  input: { email: string; password: string; displayName?: string },
) {
  recordSecret("setup-token", new URL(link).pathname.split("/").pop() ?? "", `${person.persona} setup link`);
  recordSecret("password", input.password, `${person.persona} password`);
  const passwordStep = await person.goto(link);
  expect(passwordStep.status, passwordStep.text).toBe(200);
  expect(passwordStep.path, "the token leaves the address bar").toBe("/setup");
  if (input.displayName !== undefined) await person.fill("Display name", input.displayName);
  await person.fill("Password", input.password);
  await person.fill("Password again", input.password);
  const totpStep = await person.clickButton("Continue");
  expect(totpStep.status, totpStep.text).toBe(200);
  expect(totpStep.text).toContain("Set up your authenticator");

  const decoded = decodeQrCodes(totpStep.screenshot);
  expect(decoded, `QR codes in ${totpStep.screenshot}`).toHaveLength(1);
  const otpauthUri = decoded[0] as string;
  const uri = new URL(otpauthUri);
  expect(uri.protocol).toBe("otpauth:");
  expect(uri.host).toBe("totp");
  expect(decodeURIComponent(uri.pathname)).toBe(`/Gatehouse:${input.email}`);
  expect(Object.fromEntries(uri.searchParams)).toMatchObject({
    issuer: "Gatehouse",
    algorithm: "SHA1",
    digits: "6",
    period: "30",
  });
  const totpSecret = uri.searchParams.get("secret") ?? "";
  expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
  recordSecret("totp-secret", totpSecret, `${person.persona} TOTP secret`);
  const manualKey = (await person.page.locator("#totp-secret").innerText()).replaceAll(/\s/g, "");
  expect(manualKey, "the key for manual entry is the QR code's secret").toBe(totpSecret);

  await person.fill("Six-digit code", await currentCode(totpSecret, `${person.persona} setup code`));
  const done = await person.clickButton("Confirm and finish");
  expect(done.status, done.text).toBe(200);
  const recoveryCodes = await person.page.locator("#recovery-codes li").allInnerTexts();
  expect(recoveryCodes).toHaveLength(10);
  for (const code of recoveryCodes) recordSecret("recovery-code", code, `${person.persona} recovery code`);
  const landing = await person.clickLink("I saved them, continue");
  return { totpSecret, recoveryCodes, otpauthUri, landing } satisfies SetupResult;
}

/**
 * Signs in with email, password and a fresh TOTP code. A code is never accepted twice, so the
 * clock first moves to the next 30-second step (no sleeping), and oathtool is asked for that time.
 */
export async function signIn(
  person: Person,
  credentials: Pick<Credentials, "email" | "password" | "totpSecret">,
  next?: string,
) {
  await advanceClock(30);
  const login = await person.goto(next === undefined ? "/login" : `/login?next=${encodeURIComponent(next)}`);
  expect(login.status, login.text).toBe(200);
  await person.fill("Email", credentials.email);
  await person.fill("Password", credentials.password);
  const verify = await person.clickButton("Continue");
  expect(verify.path.startsWith("/login/verify"), `${verify.path}: ${verify.text}`).toBe(true);
  await person.fill(
    "Code from your authenticator app",
    await currentCode(credentials.totpSecret, `${person.persona} sign-in code`),
  );
  return person.clickButton("Sign in");
}

export async function signOut(person: Person): Promise<Visit> {
  const visit = await person.clickButton("Sign out");
  expect(visit.path).toBe("/login");
  return visit;
}
