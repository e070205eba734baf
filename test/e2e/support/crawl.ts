// Follows every same-origin link a person can see, breadth first, recording each page (see
// browser.ts). New pages are found without anyone listing them: whatever a page links to gets
// visited. GET never changes anything in Gatehouse (confirmation pages are GET, actions POST), so
// following every link is safe.
import type { Person } from "./browser";
import { payloadTagsIn } from "./payloads";
import { currentRun } from "./run";

export interface CrawledPage {
  path: string;
  status: number;
  /** Tags of the stored payloads this page showed (as text or as a form value). */
  payloadTags: string[];
  /** For outbox messages: the HTML part's source as the page displays it. */
  emailHtmlSource?: string;
}

/** Same page for our purpose: the notice after a redirect changes nothing. */
function normalize(url: URL): string {
  url.searchParams.delete("notice");
  const search = url.searchParams.toString();
  return `${url.pathname}${search ? `?${search}` : ""}`;
}

function isCrawlable(url: URL): boolean {
  if (url.origin !== currentRun().baseUrl) return false;
  // Setup links are credentials (none is ever a plain link), static files are not pages.
  return !url.pathname.startsWith("/setup/") && !url.pathname.startsWith("/static/");
}

export async function crawl(person: Person, start: string[], maxPages = 150): Promise<CrawledPage[]> {
  const queue = [...start];
  const seen = new Set(start);
  const pages: CrawledPage[] = [];
  while (queue.length > 0 && pages.length < maxPages) {
    const path = queue.shift() as string;
    const visit = await person.goto(path);
    const values = await person.page.$$eval("input, textarea", (elements) =>
      elements.map((element) => (element as unknown as { value: string }).value),
    );
    const htmlSource = person.page.locator("details pre.message-body");
    const emailHtmlSource = (await htmlSource.count()) > 0 ? ((await htmlSource.first().textContent()) ?? "") : undefined;
    pages.push({
      path: visit.path,
      status: visit.status,
      payloadTags: [...new Set(payloadTagsIn([visit.title, visit.text, ...values].join("\n")))],
      ...(emailHtmlSource === undefined ? {} : { emailHtmlSource }),
    });
    const hrefs = await person.page.$$eval("a[href]", (anchors) => anchors.map((anchor) => (anchor as unknown as { href: string }).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (!isCrawlable(url)) continue;
      const next = normalize(url);
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return pages;
}
