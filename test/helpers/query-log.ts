// A query logger for the test configuration only: wraps the D1 binding so every statement the app
// executes is counted, with the rows it returned. Counting follows docs/PRODUCT.md §9: `first`, `all`, `run`
// and `raw` are one query each, and a whole `batch([...])` is one query (one round trip, one
// transaction); a query that fails (a write refused by a guard or a unique index) counts too.
// Passed to the app through `createApp({ createDb })`; nothing in src/ knows about it. Domain tests
// that run on both stores count with createCountingDb: on libSQL one `execute` or `batch` of the
// client is one query, by the same rule.
import type { Client, InStatement, ResultSet } from "@libsql/client/web";
import { createClient } from "@libsql/client/web";
import { createApp } from "../../src/app";
import { createD1Db, createLibsqlDb, type Db } from "../../src/db/client";
import { type Bindings, readStoreConfig } from "../../src/env";
import type { TestClock } from "./clock";

export interface LoggedQuery {
  kind: "first" | "all" | "run" | "raw" | "batch" | "exec" | "execute";
  /** The SQL of each statement (a batch has several). */
  statements: string[];
  /** Rows each statement returned, in the same order. */
  rows: number[];
}

export class QueryLog {
  readonly queries: LoggedQuery[] = [];

  reset(): void {
    this.queries.length = 0;
  }

  get count(): number {
    return this.queries.length;
  }

  /** The most rows any single statement returned. */
  get maxRowsPerStatement(): number {
    return Math.max(0, ...this.queries.flatMap((query) => query.rows));
  }

  describe(): string {
    return this.queries
      .map(
        (query, index) =>
          `${index + 1}. ${query.kind}: ${query.statements.map((sql, i) => `[${query.rows[i]} rows] ${sql}`).join("\n     ")}`,
      )
      .join("\n");
  }
}

// The wrapper of each statement → the real statement and its SQL (batch() needs the real ones).
const wrapped = new WeakMap<object, { inner: D1PreparedStatement; sql: string }>();

function rowsOf(result: D1Result | null | undefined): number {
  return result?.results?.length ?? 0;
}

/** Runs one query and records it, also when it fails: a refused write is a round trip too. */
async function recorded<T>(
  log: QueryLog,
  kind: LoggedQuery["kind"],
  statements: string[],
  run: () => Promise<T>,
  countRows: (result: T) => number[],
) {
  let rows = statements.map(() => 0);
  try {
    const result = await run();
    rows = countRows(result);
    return result;
  } finally {
    log.queries.push({ kind, statements, rows });
  }
}

function countingStatement(inner: D1PreparedStatement, sql: string, log: QueryLog): D1PreparedStatement {
  const statement = {
    bind: (...values: unknown[]) => countingStatement(inner.bind(...values), sql, log),
    first: (column?: string) =>
      recorded(
        log,
        "first",
        [sql],
        () => (column === undefined ? inner.first() : inner.first(column)),
        (row) => [row === null ? 0 : 1],
      ),
    all: () =>
      recorded(
        log,
        "all",
        [sql],
        () => inner.all(),
        (result) => [rowsOf(result)],
      ),
    run: () =>
      recorded(
        log,
        "run",
        [sql],
        () => inner.run(),
        (result) => [rowsOf(result)],
      ),
    raw: (options?: { columnNames?: boolean }) =>
      recorded(
        log,
        "raw",
        [sql],
        () => (options?.columnNames ? inner.raw({ columnNames: true }) : inner.raw()),
        (rows) => [rows.length - (options?.columnNames ? 1 : 0)],
      ),
  };
  wrapped.set(statement, { inner, sql });
  return statement as unknown as D1PreparedStatement;
}

/** The D1 binding, counting every query into `log`. */
export function countQueries(database: D1Database, log: QueryLog): D1Database {
  const counting = {
    prepare: (sql: string) => countingStatement(database.prepare(sql), sql, log),
    batch: (statements: D1PreparedStatement[]) => {
      const unwrapped = statements.map(
        (statement) => wrapped.get(statement) ?? { inner: statement, sql: "(unwrapped statement)" },
      );
      return recorded(
        log,
        "batch",
        unwrapped.map((statement) => statement.sql),
        () => database.batch(unwrapped.map((statement) => statement.inner)),
        (results) => results.map(rowsOf),
      );
    },
    exec: (sql: string) =>
      recorded(
        log,
        "exec",
        [sql],
        () => database.exec(sql),
        () => [0],
      ),
    dump: () => database.dump(),
    withSession: () => {
      throw new Error("countQueries: D1 sessions are not wrapped; add them here when the app uses them");
    },
  };
  return counting as unknown as D1Database;
}

/** The app as createTestApp builds it, with every D1 query counted into `log`. */
export function createCountingTestApp(clock: TestClock, log: QueryLog) {
  return createApp({
    clock: clock.now,
    createDb: (bindings) => {
      if (!bindings.DB) throw new Error("the test configuration has no D1 binding");
      return createD1Db(countQueries(bindings.DB, log));
    },
  });
}

function sqlOf(statement: InStatement | [string, unknown?]): string {
  if (typeof statement === "string") return statement;
  return Array.isArray(statement) ? statement[0] : statement.sql;
}

/** The libSQL client, counting every round trip (`execute`, `batch`) into `log`. */
function countLibsqlQueries(client: Client, log: QueryLog): Client {
  const execute = client.execute.bind(client) as (...args: unknown[]) => Promise<ResultSet>;
  return new Proxy(client, {
    get(target, property) {
      if (property === "execute") {
        return (...args: unknown[]) =>
          recorded(
            log,
            "execute",
            [sqlOf(args[0] as InStatement)],
            () => execute(...args),
            (result) => [result.rows.length],
          );
      }
      if (property === "batch") {
        return (statements: Parameters<Client["batch"]>[0], mode?: Parameters<Client["batch"]>[1]) =>
          recorded(
            log,
            "batch",
            statements.map(sqlOf),
            () => target.batch(statements, mode),
            (results) => results.map((result) => result.rows.length),
          );
      }
      if (property === "transaction" || property === "executeMultiple" || property === "migrate") {
        throw new Error(`countLibsqlQueries: ${String(property)} is not counted; add it here when the app uses it`);
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A Db over the store the Worker's env configures (D1 or libSQL), counting every query into `log`. */
export function createCountingDb(env: Bindings, log: QueryLog): Db {
  const store = readStoreConfig(env);
  if (store.kind === "d1") return createD1Db(countQueries(store.database, log));
  return createLibsqlDb(countLibsqlQueries(createClient({ url: store.url, authToken: store.authToken }), log));
}
