// A query logger for the test configuration only: wraps the D1 binding so every statement the app
// executes is counted, with the rows it returned. Counting follows SPEC §9: `first`, `all`, `run`
// and `raw` are one query each, and a whole `batch([...])` is one query (one round trip, one
// transaction). Passed to the app through `createApp({ createDb })`; nothing in src/ knows about it.
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

function countingStatement(inner: D1PreparedStatement, sql: string, log: QueryLog): D1PreparedStatement {
  const record = (kind: LoggedQuery["kind"], rows: number) => log.queries.push({ kind, statements: [sql], rows: [rows] });
  const statement = {
    bind: (...values: unknown[]) => countingStatement(inner.bind(...values), sql, log),
    first: async (column?: string) => {
      const row = column === undefined ? await inner.first() : await inner.first(column);
      record("first", row === null ? 0 : 1);
      return row;
    },
    all: async () => {
      const result = await inner.all();
      record("all", rowsOf(result));
      return result;
    },
    run: async () => {
      const result = await inner.run();
      record("run", rowsOf(result));
      return result;
    },
    raw: async (options?: { columnNames?: boolean }) => {
      const rows = options?.columnNames ? await inner.raw({ columnNames: true }) : await inner.raw();
      record("raw", rows.length - (options?.columnNames ? 1 : 0));
      return rows;
    },
  };
  wrapped.set(statement, { inner, sql });
  return statement as unknown as D1PreparedStatement;
}

/** The D1 binding, counting every query into `log`. */
export function countQueries(database: D1Database, log: QueryLog): D1Database {
  const counting = {
    prepare: (sql: string) => countingStatement(database.prepare(sql), sql, log),
    batch: async (statements: D1PreparedStatement[]) => {
      const unwrapped = statements.map((statement) => wrapped.get(statement) ?? { inner: statement, sql: "(unwrapped statement)" });
      const results = await database.batch(unwrapped.map((statement) => statement.inner));
      log.queries.push({ kind: "batch", statements: unwrapped.map((statement) => statement.sql), rows: results.map(rowsOf) });
      return results;
    },
    exec: async (sql: string) => {
      const result = await database.exec(sql);
      log.queries.push({ kind: "exec", statements: [sql], rows: [0] });
      return result;
    },
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
