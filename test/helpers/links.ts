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

/**
 * Follows the 303 a form answers after issuing a setup link (Post/Redirect/Get) to the page that
 * shows the link once; that page's HTML.
 */
export async function openLinkPage(
  agent: { get(path: string): Promise<Response> },
  response: Response,
): Promise<string> {
  const location = response.headers.get("location");
  if (response.status !== 303 || !location) {
    throw new Error(`expected a 303 to the link page: ${response.status} ${await response.text()}`);
  }
  const page = await agent.get(location);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the link page answered ${page.status}: ${html.slice(0, 400)}`);
  return html;
}
