import { decodeTotpSecret, generateTotpCodeAt } from "../../src/auth/totp";

/** The code an authenticator app shows for `secret` at `now`, `offsetSteps` steps away. */
export function totpCode(secret: string, now: Date, offsetSteps = 0): string {
  return generateTotpCodeAt(decodeTotpSecret(secret), Math.floor(now.getTime() / 1000) + offsetSteps * 30);
}

/** Reads the manual-entry key from the setup page's HTML. */
export function extractTotpSecret(html: string): string {
  const match = /id="totp-secret">([A-Z2-7 ]+)</.exec(html);
  if (!match?.[1]) throw new Error(`no TOTP secret on the page: ${html.slice(0, 500)}`);
  return match[1].replaceAll(" ", "");
}

export function extractRecoveryCodes(html: string): string[] {
  const list = /<ol class="recovery-codes mono" id="recovery-codes">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li>([a-z2-7-]+)<\/li>/g)].map((match) => match[1] as string);
}
