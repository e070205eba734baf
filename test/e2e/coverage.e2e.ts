// Reads test-output/axe-report.json, where every file recorded every page it visited (and the
// crawl's list of links that download a file, such as a CSV export), and checks
// the suite as a whole: each page route of the access table was opened in a browser at least once
// (so a page added on any branch is swept as soon as something links to it), and no page had a
// serious or critical axe violation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PageRecord } from "./support/browser";
import { routeAccessTable, routeOf } from "./support/routes";
import { currentRun, readDownloads, writeSweepSection } from "./support/run";

const run = currentRun();

/** GET routes that answer something other than an HTML page (besides /api and /scim, which never do). */
const notPages = new Set([
  "GET /healthz",
  "GET /static/app.css",
  "GET /static/app.js",
  "GET /static/passkeys.js",
  // Text for transparency-log tools (docs/AUDIT.md "Keys"), linked from the audit page.
  "GET /.well-known/gatehouse-audit-keys",
]);

describe.skipIf(run.skipped)("what the browser suite covered", () => {
  it("opened every page route of the access table in a browser, with no serious or critical axe violation", () => {
    const { pages } = JSON.parse(readFileSync(join(run.outputDir, "axe-report.json"), "utf8")) as {
      pages: PageRecord[];
    };
    const pageRoutes = routeAccessTable
      .filter((row) => row.method === "GET" && !row.route.startsWith("/api/") && !row.route.startsWith("/scim/"))
      .map((row) => `GET ${row.route}`)
      .filter((route) => !notPages.has(route));
    const downloads = readDownloads();
    const visited = new Set([
      ...pages.flatMap((page) => page.chain.map((step) => routeOf("GET", step.path))),
      ...downloads.map((path) => routeOf("GET", path)),
    ]);
    const missing = pageRoutes.filter((route) => !visited.has(route));
    expect(
      missing,
      "page routes no test opened: link them from a page, or add them to a crawl start in stored-html.e2e.ts",
    ).toEqual([]);

    const violations = pages.flatMap((page) => page.violations.map((violation) => ({ ...violation, page: page.path })));
    const blocking = violations.filter(
      (violation) => violation.impact === "serious" || violation.impact === "critical",
    );
    expect(blocking).toEqual([]);
    writeSweepSection("pages", {
      pagesRecorded: pages.length,
      documentResponsesHeaderChecked: pages.reduce((total, page) => total + page.chain.length, 0),
      pageRoutesVisited: `${pageRoutes.length - missing.length} of ${pageRoutes.length}`,
      downloads: downloads.length,
      axeViolations: violations.length,
      axeSeriousOrCritical: blocking.length,
      screenshots: pages.length,
    });
  });
});
