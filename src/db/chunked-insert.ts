// D1 binds at most 100 parameters per statement, so a multi-row INSERT carries at most
// floor(100 / columns) rows. Bulk writers turn their rows into as few statements as that allows;
// the statements still go into one db.batch(), which stays atomic.
import { getTableColumns } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Statement } from "./batch";
import type { Db } from "./client";

export const maximumBoundParameters = 100;

export function insertInChunks<T extends SQLiteTable>(
  db: Db,
  table: T,
  rows: Array<T["$inferInsert"]>,
  options: { skipExisting?: boolean } = {},
): Statement[] {
  const rowsPerStatement = Math.max(1, Math.floor(maximumBoundParameters / Object.keys(getTableColumns(table)).length));
  const statements: Statement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const insert = db.insert(table).values(rows.slice(start, start + rowsPerStatement));
    // skipExisting: a row a unique index already holds is left as it is (ON CONFLICT DO NOTHING).
    statements.push((options.skipExisting ? insert.onConflictDoNothing() : insert) as unknown as Statement);
  }
  return statements;
}
