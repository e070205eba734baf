// Setup of every test file in the libsql project: the migrations, applied exactly as
// `npm run db:migrate:libsql` applies them, then cleanup of the file's database and miniflare.
import { afterAll } from "vitest";
import { migrateLibsql } from "../../scripts/migrate-libsql";
import { localClient, removeLocalDatabase } from "./local-database";
import { disposeMiniflare } from "./store";

await migrateLibsql(localClient);

afterAll(async () => {
  await disposeMiniflare();
  await removeLocalDatabase();
});
