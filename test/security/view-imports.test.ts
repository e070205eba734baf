// Views take props and never touch data (docs/ARCHITECTURE.md): a file under views/ may name the
// domain's types (`import type`) but import no value from src/, which could read a store or a
// secret. Biome's noRestrictedImports cannot tell a type import from a value import, so this test
// reads every view's source and checks its imports itself.
/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";

// Vite inlines the sources at build time: nothing is read from disk inside workerd.
const viewSources = import.meta.glob<string>("../../views/**/*.{ts,tsx}", {
  query: "?raw",
  import: "default",
  eager: true,
});

/** Every import and re-export of a source, with whether it is type-only as a whole. */
function importsOf(source: string): Array<{ statement: string; from: string; typeOnly: boolean }> {
  const pattern = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gms;
  return [...source.matchAll(pattern)].map((match) => {
    const [statement, , typeKeyword, clause = "", from = ""] = match;
    // `import { type A, type B }` is type-only too; `import { type A, b }` is not.
    const names = /^\{([^}]*)\}$/
      .exec(clause.trim())?.[1]
      ?.split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    const everyNameIsAType = names !== undefined && names.length > 0 && names.every((name) => name.startsWith("type "));
    return { statement: statement.trim(), from, typeOnly: typeKeyword !== undefined || everyNameIsAType };
  });
}

// The one module of src/ a view may take values from: words for codes, which imports nothing but types.
const labelsModule = /(^|\/)src\/labels$/;

/** The imports from src/ that bring in a value: named, default, namespace, side-effect or dynamic. */
function valueImportsFromSrc(source: string): string[] {
  const fromSrc = (path: string) => /(^|\/)src\//.test(path) && !labelsModule.test(path);
  const bare = [...source.matchAll(/(?:^|\s)import\s*\(?\s*["']([^"']+)["']/gm)].filter((match) =>
    fromSrc(match[1] ?? ""),
  );
  return [
    ...importsOf(source)
      .filter(({ from, typeOnly }) => fromSrc(from) && !typeOnly)
      .map(({ statement }) => statement),
    ...bare.map((match) => match[0].trim()),
  ];
}

describe("views", () => {
  it("import nothing but types from src/", () => {
    expect(Object.keys(viewSources).length, "views found").toBeGreaterThan(30);
    const offenders = Object.entries(viewSources).flatMap(([file, source]) =>
      valueImportsFromSrc(source).map((statement) => `${file}: ${statement}`),
    );
    expect(offenders).toEqual([]);
  });

  it("may take words from src/labels.ts, which reads no data itself", () => {
    expect(valueImportsFromSrc('import { labelUserRole } from "../../src/labels";')).toEqual([]);
    const labels = import.meta.glob<string>("../../src/labels.ts", { query: "?raw", import: "default", eager: true });
    const source = Object.values(labels)[0] ?? "";
    expect(source.length).toBeGreaterThan(0);
    expect(importsOf(source).every(({ typeOnly }) => typeOnly)).toBe(true);
  });

  it("do name the domain's types where they show its values", () => {
    const typeImports = Object.values(viewSources).flatMap((source) =>
      importsOf(source).filter(({ from }) => from.includes("/src/") && !labelsModule.test(from)),
    );
    expect(typeImports.length).toBeGreaterThan(0);
    expect(typeImports.every(({ typeOnly }) => typeOnly)).toBe(true);
  });

  it("would be caught importing a value from src/", () => {
    expect(valueImportsFromSrc('import { findUserById } from "../../src/domain/users/users";')).toHaveLength(1);
    expect(
      valueImportsFromSrc('import { type UserRow, findUserById } from "../../src/domain/users/users";'),
    ).toHaveLength(1);
    expect(valueImportsFromSrc('export { hasPermission } from "../src/domain/access";')).toHaveLength(1);
    expect(valueImportsFromSrc('import type { UserRow } from "../../src/domain/users/users";')).toEqual([]);
    expect(valueImportsFromSrc('import { type UserRow } from "../../src/domain/users/users";')).toEqual([]);
    expect(valueImportsFromSrc('import "../../src/domain/users/users";')).toHaveLength(1);
    expect(valueImportsFromSrc('const users = await import("../../src/domain/users/users");')).toHaveLength(1);
    expect(valueImportsFromSrc('import { Time } from "./time";')).toEqual([]);
  });
});
