// The browser suite is one story told in several files: people.e2e.ts sets up the first admin and
// the cast, directories.e2e.ts gives the tenant a SCIM directory (its ids reach the sweep), the
// sweep files reuse them, coverage.e2e.ts reads what every file recorded and
// secrets.e2e.ts greps everything the run wrote, so those two come last. input-sweep.e2e.ts runs
// just before them: what its probes might write (on a server that lets them through) never reaches
// the stored-HTML crawl, and its oversized posts may end sessions. Files not listed here run in
// between, in name order.
import { BaseSequencer, type TestSpecification } from "vitest/node";

const first = ["people.e2e.ts", "directories.e2e.ts"];
const last = ["input-sweep.e2e.ts", "coverage.e2e.ts", "secrets.e2e.ts"];

function rank(moduleId: string): number {
  const name = moduleId.split("/").pop() ?? moduleId;
  if (first.includes(name)) return first.indexOf(name);
  if (last.includes(name)) return 1000 + last.indexOf(name);
  return 500;
}

/** Vitest's own order (slowest first) for the workers project; the story's order for e2e files. */
export class E2eSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const isE2e = (file: TestSpecification) => file.moduleId.endsWith(".e2e.ts");
    const others = await super.sort(files.filter((file) => !isE2e(file)));
    const story = files
      .filter(isE2e)
      .sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
    return [...others, ...story];
  }
}
