// docs/ARCHITECTURE.md lists every module of src/ and views/ folder by folder ("Where things
// are"). This test holds that table to the tree, so the map cannot drift from the territory: a
// file added, moved or deleted without its row fails here, and so does a row naming a file that
// does not exist.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const sourceFile = /\.(ts|tsx)$/;

/** Every folder below `top` that holds source files, with those files' names. */
function listSourceFolders(top: string): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  const walk = (folder: string) => {
    const entries = readdirSync(join(root, folder)).sort();
    const files = entries.filter((name) => sourceFile.test(name) && statSync(join(root, folder, name)).isFile());
    if (files.length > 0) folders.set(`${folder}/`, files);
    for (const name of entries) if (statSync(join(root, folder, name)).isDirectory()) walk(`${folder}/${name}`);
  };
  walk(top);
  return folders;
}

/** The rows of the "Where things are" table: `| \`folder/\` | \`a.ts\` (what it is), … |`. */
function readDocumentedFolders(): Map<string, string[]> {
  const doc = readFileSync(join(root, "docs/ARCHITECTURE.md"), "utf8");
  const start = doc.indexOf("## Where things are");
  expect(start, 'docs/ARCHITECTURE.md has a section "## Where things are"').toBeGreaterThan(-1);
  const section = doc.slice(start).split(/\n## /)[0] ?? "";
  const folders = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const folder = /^`([^`]+\/)`$/.exec(cells[1] ?? "")?.[1];
    if (!folder) continue;
    const files = [...(cells[2] ?? "").matchAll(/`([^`/]+\.(?:ts|tsx))`/g)].map((match) => match[1] ?? "");
    folders.set(folder, [...(folders.get(folder) ?? []), ...files].sort());
  }
  return folders;
}

describe("docs/ARCHITECTURE.md", () => {
  const documented = readDocumentedFolders();
  const actual = new Map([...listSourceFolders("src"), ...listSourceFolders("views")]);

  it("lists every folder of src/ and views/ that holds modules, and no folder that does not exist", () => {
    expect([...documented.keys()].sort()).toEqual([...actual.keys()].sort());
  });

  it("lists exactly the modules each folder holds", () => {
    for (const [folder, files] of actual) {
      expect(documented.get(folder) ?? [], `the row of ${relative(root, join(root, folder))}/`).toEqual(files);
    }
  });
});
