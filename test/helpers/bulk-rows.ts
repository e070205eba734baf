// Scale fixtures: many rows written as multi-row INSERTs of literal SQL (values the test built
// itself), far faster than the API for the 10,000-row tests of test/budget/.
import { env } from "cloudflare:test";

export function insertRowsStatements(
  table: string,
  columns: string[],
  rows: string[],
  rowsPerStatement = 400,
): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const values = rows.slice(start, start + rowsPerStatement).join(",\n");
    statements.push(env.DB.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`));
  }
  return statements;
}
