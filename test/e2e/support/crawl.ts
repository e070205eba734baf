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
  // Setup links are credentials (none is ever a plain link); static files and the audit log's
  // verifier keys (text for verifiers, linked from the audit page) are not pages.
  return (
    !url.pathname.startsWith("/setup/") &&
    !url.pathname.startsWith("/static/") &&
    !url.pathname.startsWith("/.well-known/")
  );
}

/**
 * A link's route with its ids and query values blanked: one user's Security tab stands for every
 * user's, one audit filter for every filter of its kind.
 */
function shapeOf(path: string): string {
  const url = new URL(path, currentRun().baseUrl);
  const keys = [...url.searchParams.keys()].sort().join("&");
  return `${pathShapeOf(url.pathname)}?${keys}`;
}

/** A path with its ids blanked: /admin/users/usr_… → /admin/users/:id. */
function pathShapeOf(pathname: string): string {
  return pathname.replace(/\/(usr|tnt|mbr|upd|msg|tok|grp|dir|dtk|dgrp)_[0-9a-f]+/g, "/:id");
}

/** Pages of one shape the crawl opens: enough to meet each kind of stored value, without opening every row's page. */
const pagesPerShape = 6;

export async function crawl(person: Person, start: string[], maxPages = 200): Promise<CrawledPage[]> {
  const queue = [...start];
  const seen = new Set(start);
  const shapes = new Map<string, number>();
  const pages: CrawledPage[] = [];
  while (queue.length > 0 && pages.length < maxPages) {
    const path = queue.shift() as string;
    const shape = shapeOf(path);
    const opened = shapes.get(shape) ?? 0;
    if (opened >= pagesPerShape && !start.includes(path)) continue;
    shapes.set(shape, opened + 1);
    const visit = await person.gotoOrDownload(path);
    if ("download" in visit) continue;
    const values = await person.page.$$eval("input, textarea", (elements) =>
      elements.map((element) => (element as unknown as { value: string }).value),
    );
    const htmlSource = person.page.locator("details pre.message-body");
    const emailHtmlSource =
      (await htmlSource.count()) > 0 ? ((await htmlSource.first().textContent()) ?? "") : undefined;
    pages.push({
      path: visit.path,
      status: visit.status,
      payloadTags: [...new Set(payloadTagsIn([visit.title, visit.text, ...values].join("\n")))],
      ...(emailHtmlSource === undefined ? {} : { emailHtmlSource }),
    });
    // Framed pages (the Outbox's email preview) are pages too.
    const hrefs = await person.page.$$eval("a[href], iframe[src]", (elements) =>
      elements.map((element) => {
        const link = element as unknown as { href?: string; src?: string };
        return link.href ?? link.src ?? "";
      }),
    );
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

export interface DiscoveredForm {
  /** A page that shows the form. */
  page: string;
  /** Its position among the page's forms. */
  index: number;
  method: "get" | "post";
  action: string;
  /** Names of the visible, editable text inputs and textareas. */
  textFields: string[];
}

interface FieldLike {
  tagName: string;
  type: string;
  name: string;
  readOnly: boolean;
  hidden: boolean;
}

/**
 * Walks every link from `start` without recording (fast), and returns each form with a text
 * field once per action path shape (the details form of one user stands for every user's).
 */
export async function discoverForms(person: Person, start: string[], maxPages = 150): Promise<DiscoveredForm[]> {
  const queue = [...start];
  const seen = new Set(start);
  const forms = new Map<string, DiscoveredForm>();
  for (let visited = 0; queue.length > 0 && visited < maxPages; visited += 1) {
    const path = queue.shift() as string;
    if ((await person.peek(path)) === "download") continue;
    const onPage = await person.page.$$eval("form", (elements) =>
      elements.map((element, index) => {
        const form = element as unknown as {
          getAttribute(name: string): string | null;
          querySelectorAll(s: string): ArrayLike<unknown>;
        };
        const fields = Array.from(form.querySelectorAll("input, textarea")) as FieldLike[];
        const textFields = fields
          .filter(
            (field) => field.tagName === "TEXTAREA" || ["text", "email", "search", "url", "tel"].includes(field.type),
          )
          .filter((field) => !field.readOnly && !field.hidden && field.name !== "")
          .map((field) => field.name);
        return {
          index,
          method: form.getAttribute("method") === "post" ? "post" : "get",
          action: form.getAttribute("action") ?? "",
          textFields,
        };
      }),
    );
    for (const form of onPage) {
      if (form.textFields.length === 0) continue;
      const shape = `${form.method} ${pathShapeOf(new URL(form.action, currentRun().baseUrl).pathname)}`;
      if (!forms.has(shape)) forms.set(shape, { page: path, ...(form as Omit<DiscoveredForm, "page">) });
    }
    const hrefs = await person.page.$$eval("a[href]", (anchors) =>
      anchors.map((anchor) => (anchor as unknown as { href: string }).href),
    );
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
  return [...forms.values()];
}
