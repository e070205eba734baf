// The stored-XSS probe. If any page ever emitted it as markup, the <script> would set the global
// __gx and log the marker, and the <img> would open a dialog; the recorder watches for all three
// (and views the pages with CSP off, so escaping alone is what is tested). Each field gets its
// own tag, so the sweep can tell which stored value showed up where. At most 100 characters:
// names and token names allow no more.
export const xssCanaryGlobal = "__gx";
export const xssMarker = "xss-canary";

export function xssPayload(tag: string): string {
  const payload = `${tag} "'><script>__gx=1;console.log('${xssMarker}')</script><img src=x onerror=alert('${xssMarker}')>`;
  if (payload.length > 100) throw new Error(`payload too long for a 100-character field: ${payload}`);
  return payload;
}

/** The tags of every payload in a page's text (escaped payloads show up as plain text). */
export function payloadTagsIn(text: string): string[] {
  return [...text.matchAll(/\b([PRG]\d{2,3}) "'><script>__gx=1;/g)].map((match) => match[1] as string);
}
