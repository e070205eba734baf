/** The token at the end of a setup URL. */
export function extractEmbeddedToken(setupUrl: string): string {
  const token = new URL(setupUrl).pathname.split("/").pop();
  if (!token) throw new Error(`not a setup URL: ${setupUrl}`);
  return token;
}

export function extractSetupUrl(html: string): string {
  const match =
    /id="setup-url" type="text" readonly="" value="([^"]+)"/.exec(html) ??
    /value="(http[^"]*\/setup\/[A-Za-z0-9_-]{43})"/.exec(html);
  if (!match?.[1]) throw new Error(`no setup link on the page: ${html.slice(0, 400)}`);
  return match[1];
}
