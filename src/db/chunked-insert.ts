// D1 binds at most 100 parameters per statement, so a multi-row INSERT carries at most
// floor(100 / columns) rows. Bulk writers turn their rows into as few statements as that allows;
// the statements still go into one db.batch(), which stays atomic.
import { getTableColumns } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Statement } from "./batch";
import type { Db } from "./client";

export const maximumBoundParameters = 100;

export function insertInChunks<T extends SQLiteTable>(db: Db, table: T, rows: Array<T["$inferInsert"]>): Statement[] {
  const rowsPerStatement = Math.max(1, Math.floor(maximumBoundParameters / Object.keys(getTableColumns(table)).length));
  const statements: Statement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    statements.push(db.insert(table).values(rows.slice(start, start + rowsPerStatement)) as unknown as Statement);
  }
  return statements;
}
