// The tests' raw-SQL surface (test/helpers/raw-db.ts) over a libSQL client, answering as D1 does:
// rows as plain objects keyed by column name, `first()` null when there is no row.
import type { Client, InValue, ResultSet } from "@libsql/client";
import type { RawDb, RawStatement } from "../helpers/raw-db";

function plainRows(result: ResultSet): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, index) => [column, row[index]])));
}

class LibsqlStatement implements RawStatement {
  constructor(
    private readonly client: Client,
    readonly sql: string,
    readonly args: InValue[] = [],
  ) {}

  bind(...values: unknown[]): LibsqlStatement {
    return new LibsqlStatement(this.client, this.sql, values as InValue[]);
  }

  async first<T = Record<string, unknown>>(): Promise<T | null> {
    const [row] = plainRows(await this.client.execute({ sql: this.sql, args: this.args }));
    return (row ?? null) as T | null;
  }

  async all<T = Record<string, unknown>>(): Promise<{ results: T[] }> {
    return { results: plainRows(await this.client.execute({ sql: this.sql, args: this.args })) as T[] };
  }

  run(): Promise<ResultSet> {
    return this.client.execute({ sql: this.sql, args: this.args });
  }
}

export function createRawLibsql(client: Client): RawDb {
  return {
    prepare: (query) => new LibsqlStatement(client, query),
    batch: (statements) =>
      client.batch(
        statements.map((statement) => {
          if (!(statement instanceof LibsqlStatement))
            throw new Error("rawDb.batch takes statements from rawDb.prepare");
          return { sql: statement.sql, args: statement.args };
        }),
        "write",
      ),
  };
}
