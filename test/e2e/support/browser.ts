// People in browsers. Each Person is a separate chromium context (own cookies), and every page a
// person lands on is recorded: full-page screenshots in test-output/screenshots/ at a laptop's
// and at a phone's width (and no sideways scrolling at either), an axe-core run (WCAG 2.0/2.1 A
// and AA) into test-output/axe-report.json, the security headers and cookies
// of every document response on the way (redirects included), and any sign of executed script
// (a dialog, a console message, the canary global of payloads.ts). Findings are soft assertions:
// the story goes on and the test fails at its end with all of them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page, type Response } from "playwright-core";
import { expect } from "vitest";
import { cookieJarProblems, securityHeaderProblems, setCookieProblems } from "./checks";
import { xssCanaryGlobal, xssMarker } from "./payloads";
import { routeOf } from "./routes";
import { currentRun, recordDownload, recordSecret } from "./run";
import { chromiumArgs, chromiumPath } from "./tools";

/**
 * Route shapes axe already checked in this file, per persona: the crawl opens up to six pages of a
 * shape, rendered by one template, and axe on each took a third of the browser suite's time. Every
 * visit still records its page (coverage.e2e.ts reads the records) and every other check.
 */
const axeCheckedShapes = new Set<string>();

export const axeTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** The two widths every recorded page must fit (docs/DESIGN.md): a laptop, and a phone. */
export const wideViewport = { width: 1280, height: 800 };
export const phoneViewport = { width: 390, height: 844 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

export interface Visit {
  status: number;
  url: string;
  path: string;
  title: string;
  /** The page's visible text. */
  text: string;
  /** The full-page screenshot taken of it at 1280 px (a PNG: flows.ts reads QR codes from it). */
  screenshot: string;
}

export interface AxeViolationSummary {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
  targets: string[];
}

export interface PageRecord {
  file: string;
  persona: string;
  path: string;
  status: number;
  title: string;
  screenshot: string;
  violations: AxeViolationSummary[];
  passes: number;
  incomplete: number;
  /** Every document response on the way to the page (redirects first), each header-checked. */
  chain: Array<{ path: string; status: number }>;
}

const axeReportName = "axe-report.json";

function appendToAxeReport(record: PageRecord): void {
  const path = join(currentRun().outputDir, axeReportName);
  const report = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : { tags: axeTags, pages: [] };
  report.pages.push(record);
  writeFileSync(path, JSON.stringify(report, null, 2));
}

function slugOf(path: string): string {
  const slug = path
    .replace(/^\//, "")
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return slug || "root";
}

/** Milliseconds a file's recorder spent on each part of recording its pages (docs/TESTING.md, "Time"). */
interface RecordTiming {
  pages: number;
  wideScreenshotMs: number;
  phoneMs: number;
  axeMs: number;
}

/** One test file's recorder: numbers its screenshots and keeps what it saw. */
export class Recorder {
  private sequence = 0;
  readonly pages: PageRecord[] = [];
  private readonly timing: RecordTiming = { pages: 0, wideScreenshotMs: 0, phoneMs: 0, axeMs: 0 };

  constructor(readonly file: string) {}

  /** Adds one page's times to test-output/record-timing.json (one entry per test file). */
  addTiming(part: Omit<RecordTiming, "pages">): void {
    this.timing.pages += 1;
    this.timing.wideScreenshotMs += part.wideScreenshotMs;
    this.timing.phoneMs += part.phoneMs;
    this.timing.axeMs += part.axeMs;
    const path = join(currentRun().outputDir, "record-timing.json");
    const all = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
    all[this.file] = this.timing;
    writeFileSync(path, JSON.stringify(all, null, 2));
  }

  /** The screenshots of the next page: `…-w1280.png` and `…-w390.jpg`, side by side in the folder. */
  nextScreenshotPaths(persona: string, path: string): { wide: string; phone: string } {
    this.sequence += 1;
    const name = `${this.file}-${String(this.sequence).padStart(3, "0")}-${persona}-${slugOf(path)}`;
    const folder = join(currentRun().outputDir, "screenshots");
    return { wide: join(folder, `${name}-w1280.png`), phone: join(folder, `${name}-w390.jpg`) };
  }
}

export interface PersonOptions {
  userAgent?: string;
  /** Turns the page's CSP off, so the XSS checks see what output escaping alone does. */
  bypassCsp?: boolean;
  /** Skip axe on this person's pages (the XSS viewers re-visit pages the others already checked). */
  skipAxe?: boolean;
}

const expectedConsoleNoise = /^Failed to load resource: the server responded with a status of (4\d\d)/;

export class Person {
  private documentResponses: Response[] = [];
  readonly dialogs: string[] = [];
  readonly consoleProblems: string[] = [];

  private constructor(
    readonly persona: string,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly recorder: Recorder,
    private readonly options: PersonOptions,
  ) {
    page.on("response", (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame())
        this.documentResponses.push(response);
    });
    page.on("dialog", (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()} on ${page.url()}`);
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      const text = message.text();
      if (text.includes(xssMarker) || (message.type() === "error" && !expectedConsoleNoise.test(text))) {
        this.consoleProblems.push(`${message.type()}: ${text} on ${page.url()}`);
      }
    });
    page.on("pageerror", (error) => this.consoleProblems.push(`page error: ${error.message} on ${page.url()}`));
  }

  static async open(
    browser: Browser,
    persona: string,
    recorder: Recorder,
    options: PersonOptions = {},
  ): Promise<Person> {
    const context = await browser.newContext({
      baseURL: currentRun().baseUrl,
      viewport: wideViewport,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.bypassCsp ? { bypassCSP: true } : {}),
    });
    return new Person(persona, context, await context.newPage(), recorder, options);
  }

  async goto(path: string): Promise<Visit> {
    await this.page.goto(path);
    return this.record();
  }

  /**
   * Like goto, but a link that downloads a file (a CSV export, say) answers `download` instead of
   * failing; its headers are checked through the same cookies, and it is noted for coverage.e2e.ts.
   */
  async gotoOrDownload(path: string): Promise<Visit | { download: true; status: number }> {
    try {
      return await this.goto(path);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("Download is starting")) throw error;
      this.documentResponses.splice(0);
      const response = await this.context.request.get(`${currentRun().baseUrl}${path}`, { maxRedirects: 0 });
      const problems = securityHeaderProblems({
        url: response.url(),
        status: response.status(),
        headers: response.headers(),
      });
      expect.soft(problems, `security findings on download ${path} (${this.persona})`).toEqual([]);
      recordDownload(path);
      return { download: true, status: response.status() };
    }
  }

  /** Opens a page without recording it (a crawl that only looks for forms; the recorded crawl visits it later). */
  async peek(path: string): Promise<"page" | "download"> {
    try {
      await this.page.goto(path);
      return "page";
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("Download is starting")) throw error;
      return "download";
    } finally {
      this.documentResponses.splice(0);
    }
  }

  /** Runs an action that navigates (a click, a form submit) and records the page it leads to. */
  async navigate(action: (page: Page) => Promise<unknown>): Promise<Visit> {
    await Promise.all([this.page.waitForNavigation({ waitUntil: "load" }), action(this.page)]);
    return this.record();
  }

  async clickLink(name: string | RegExp): Promise<Visit> {
    return this.navigate((page) =>
      page
        .getByRole("link", { name, exact: typeof name === "string" })
        .first()
        .click(),
    );
  }

  async clickButton(name: string | RegExp): Promise<Visit> {
    return this.navigate((page) =>
      page
        .getByRole("button", { name, exact: typeof name === "string" })
        .first()
        .click(),
    );
  }

  async fill(label: string | RegExp, value: string): Promise<void> {
    await this.page
      .getByLabel(label, { exact: typeof label === "string" })
      .first()
      .fill(value);
  }

  /** Records the page as it is now: screenshot, axe, headers, cookies, script execution. */
  async record(): Promise<Visit> {
    const page = this.page;
    const url = page.url();
    const path = new URL(url).pathname + new URL(url).search;
    const responses = this.documentResponses.splice(0);
    const last = responses.at(-1);
    const status = last?.status() ?? 0;
    const problems: string[] = [];
    for (const response of responses) {
      const headers = await response.allHeaders();
      const setCookies = (await response.headersArray())
        .filter((h) => h.name.toLowerCase() === "set-cookie")
        .map((h) => h.value);
      problems.push(...securityHeaderProblems({ url: response.url(), status: response.status(), headers }));
      problems.push(...setCookieProblems(response.url(), setCookies));
    }
    const cookies = await this.context.cookies();
    problems.push(...cookieJarProblems(cookies));
    for (const cookie of cookies) {
      if (cookie.name === "__Host-gatehouse_session")
        recordSecret("session-token", cookie.value, `${this.persona} session`);
      if (cookie.name === "__Host-gatehouse_challenge")
        recordSecret("challenge-token", cookie.value, `${this.persona} sign-in challenge`);
      if (cookie.name === "__Host-gatehouse_setup")
        recordSecret("setup-token", cookie.value, `${this.persona} setup cookie`);
    }
    const executed = await page.evaluate(
      (name) => (globalThis as unknown as Record<string, unknown>)[name],
      xssCanaryGlobal,
    );
    if (executed !== undefined)
      problems.push(`${path}: injected script ran (window.${xssCanaryGlobal} = ${String(executed)})`);
    problems.push(...this.dialogs.splice(0).map((dialog) => `${path}: a dialog opened: ${dialog}`));
    problems.push(...this.consoleProblems.splice(0).map((message) => `${path}: console ${message}`));

    const { wide: screenshot, phone } = this.recorder.nextScreenshotPaths(this.persona, path);
    const started = performance.now();
    await page.screenshot({ path: screenshot, fullPage: true });
    await this.expectNoSidewaysScroll(path, "1280x800");
    const wideDone = performance.now();
    // The phone view: the same page resized (no second load), a JPEG.
    await page.setViewportSize(phoneViewport);
    const phoneHeight = await this.expectNoSidewaysScroll(path, "390x844");
    // At most four screens: a long list looks the same further down, and a tall capture is slow.
    const clip = { x: 0, y: 0, width: phoneViewport.width, height: Math.min(phoneHeight, 4 * phoneViewport.height) };
    await page.screenshot({ path: phone, fullPage: true, clip, type: "jpeg", quality: 60 });
    await page.setViewportSize(wideViewport);
    const phoneDone = performance.now();
    const title = await page.title();
    const text = await page.locator("body").innerText();
    const shapeKey = `${this.persona} ${routeOf("GET", new URL(url).pathname) ?? new URL(url).pathname}`;
    const axeAgain = axeCheckedShapes.has(shapeKey);
    axeCheckedShapes.add(shapeKey);
    if (!this.options.skipAxe) {
      // Legacy mode runs axe inside the page; the default opens a blank page per run to merge
      // frame results, three times slower; the one frame (the Outbox's email preview) costs ≤ 1.5 s.
      const results = axeAgain
        ? { violations: [], passes: [], incomplete: [] }
        : await new AxeBuilder({ page }).withTags(axeTags).setLegacyMode(true).analyze();
      const violations = results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? null,
        help: violation.help,
        nodes: violation.nodes.length,
        targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
      }));
      const record: PageRecord = {
        file: this.recorder.file,
        persona: this.persona,
        path,
        status,
        title,
        screenshot: screenshot.slice(currentRun().outputDir.length + 1),
        violations,
        passes: results.passes.length,
        incomplete: results.incomplete.length,
        chain: responses.map((response) => ({ path: new URL(response.url()).pathname, status: response.status() })),
      };
      this.recorder.pages.push(record);
      appendToAxeReport(record);
      const blocking = violations.filter(
        (violation) => violation.impact === "serious" || violation.impact === "critical",
      );
      expect.soft(blocking, `serious or critical axe violations on ${path} (${this.persona})`).toEqual([]);
    }
    this.recorder.addTiming({
      wideScreenshotMs: wideDone - started,
      phoneMs: phoneDone - wideDone,
      axeMs: this.options.skipAxe ? 0 : performance.now() - phoneDone,
    });
    expect.soft(problems, `security findings on ${path} (${this.persona})`).toEqual([]);
    return { status, url, path, title, text, screenshot };
  }

  /** Nothing on the page scrolls the document sideways at the current width; answers the page's height. */
  private async expectNoSidewaysScroll(path: string, size: string): Promise<number> {
    // A string: the Node typings have no DOM.
    const { scrollWidth, clientWidth, scrollHeight } = await this.page.evaluate<{
      scrollWidth: number;
      clientWidth: number;
      scrollHeight: number;
    }>(
      "({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, scrollHeight: document.documentElement.scrollHeight })",
    );
    expect
      .soft(
        scrollWidth,
        `${path} (${this.persona}) scrolls sideways at ${size}: ${scrollWidth} px wide in ${clientWidth} px`,
      )
      .toBeLessThanOrEqual(clientWidth);
    return scrollHeight;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
