// The libSQL database of one test file: a fresh file in a temp directory, served over HTTP by a
// local libSQL server (test/node/hrana-server.ts) so the Worker's code reaches it exactly as it
// reaches Turso: through @libsql/client/web. The tests' own raw SQL and the migrations use the Node
// client on the same file. Vitest isolates modules per test file, so every file gets its own
// database, as D1 gives every file its own storage in the workerd project.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { startHranaServer } from "./hrana-server";

const directory = mkdtempSync(join(tmpdir(), "gatehouse-libsql-"));
const databasePath = join(directory, "test.db");

export const localClient = createClient({ url: `file:${databasePath}` });

export const libsqlServer = await startHranaServer(databasePath);

export async function removeLocalDatabase(): Promise<void> {
  await libsqlServer.close();
  localClient.close();
  rmSync(directory, { recursive: true, force: true });
}
