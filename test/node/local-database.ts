// The libSQL database of one test file: a fresh file in a temp directory, opened once through the
// Node client (@libsql/client, which the Worker cannot use but which runs the same libSQL engine).
// Vitest isolates modules per test file, so every file gets its own database, as D1 gives every
// file its own storage in the workerd project.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";

const directory = mkdtempSync(join(tmpdir(), "gatehouse-libsql-"));

export const localDatabaseUrl = `file:${join(directory, "test.db")}`;

export const localClient = createClient({ url: localDatabaseUrl });

export function removeLocalDatabase(): void {
  localClient.close();
  rmSync(directory, { recursive: true, force: true });
}
