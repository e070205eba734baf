// A query logger for the test configuration only: wraps the D1 binding so every statement the app
// executes is counted, with the rows it returned. Counting follows SPEC §9: `first`, `all`, `run`
// and `raw` are one query each, and a whole `batch([...])` is one query (one round trip, one
// transaction); a query that fails (a write refused by a guard or a unique index) counts too.
// Passed to the app through `createApp({ createDb })`; nothing in src/ knows about it.
import { createApp } from "../../src/app";
import { createD1Db } from "../../src/db/client";
import type { TestClock } from "./clock";

export interface LoggedQuery {
  kind: "first" | "all" | "run" | "raw" | "batch" | "exec";
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
      const unwrapped = statements.map((statement) => wrapped.get(statement) ?? { inner: statement, sql: "(unwrapped statement)" });
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
