// A small libSQL server for the tests: Hrana 2 over HTTP with JSON (the protocol sqld and Turso
// speak to @libsql/client/web), executing on a libSQL database file with the libSQL engine itself
// (the `libsql` package that @libsql/client uses for files). It lets the production web client run
// in Node with no sqld binary: its batches (BEGIN <mode>, steps conditioned on the previous one,
// COMMIT, ROLLBACK), its value encoding and its error mapping are exercised for real.
//
// Scope: one-shot streams (every pipeline the web client sends for execute and batch ends with
// "close"), which is all the Worker uses; no batons, cursors or protocol 3. Requests are handled one
// at a time and run synchronously, so one connection serves every stream.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "libsql";

type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };
interface HranaStmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
}
type HranaCondition =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: HranaCondition }
  | { type: "and" | "or"; conds: HranaCondition[] }
  | { type: "is_autocommit" };
type HranaRequest =
  | { type: "close" | "get_autocommit" }
  | { type: "execute"; stmt: HranaStmt }
  | { type: "batch"; batch: { steps: { condition?: HranaCondition; stmt: HranaStmt }[] } }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number };

export interface HranaServer {
  url: string;
  /** Every SQL text executed, in order (BEGIN, statements, COMMIT or ROLLBACK). */
  executed: string[];
  /** The Authorization header of every request. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

function decodeValue(value: HranaValue): unknown {
  switch (value.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(value.value);
    case "blob":
      return Buffer.from(value.base64, "base64");
    default:
      return value.value;
  }
}

function encodeValue(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: String(value) };
  if (typeof value === "number") return { type: "float", value };
  if (typeof value === "string") return { type: "text", value };
  return { type: "blob", base64: Buffer.from(value as Uint8Array).toString("base64") };
}

/** A SQLite failure as a Hrana error: the SQLite message (prefixed, as servers word it) and the SQLite code name. */
function encodeError(error: unknown) {
  const { message, code } = error as { message?: string; code?: string };
  return {
    message: `SQLite error: ${message ?? String(error)}`,
    code: code?.startsWith("SQLITE_") ? code : "SQLITE_ERROR",
  };
}

async function readJson(request: IncomingMessage): Promise<{ requests: HranaRequest[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function startHranaServer(databasePath: string, port = 0): Promise<HranaServer> {
  const db = new Database(databasePath);
  const storedSql = new Map<number, string>();
  const executed: string[] = [];
  const authorizations: (string | undefined)[] = [];

  function execute(stmt: HranaStmt) {
    const sql = stmt.sql ?? storedSql.get(stmt.sql_id ?? -1);
    if (sql === undefined) throw new Error(`unknown sql_id ${stmt.sql_id}`);
    if (stmt.named_args?.length) throw new Error("named arguments are not supported by this test server");
    executed.push(sql);
    const args = (stmt.args ?? []).map(decodeValue);
    const prepared = db.prepare(sql).safeIntegers(true);
    if (!prepared.reader) {
      const info = prepared.run(...args);
      return { cols: [], rows: [], affected_row_count: info.changes, last_insert_rowid: String(info.lastInsertRowid) };
    }
    const totalChanges = () => (db.prepare("SELECT total_changes()").raw(true).all() as [[number]])[0][0];
    const before = totalChanges();
    const rows = prepared.raw(true).all(...args) as unknown[][];
    const after = totalChanges();
    return {
      cols: prepared.columns().map((column) => ({ name: column.name, decltype: column.type })),
      rows: rows.map((row) => row.map(encodeValue)),
      affected_row_count: after - before,
      last_insert_rowid: null,
    };
  }

  function runBatch(steps: { condition?: HranaCondition; stmt: HranaStmt }[]) {
    const results: unknown[] = [];
    const errors: unknown[] = [];
    const holds = (condition: HranaCondition): boolean => {
      switch (condition.type) {
        case "ok":
          return results[condition.step] != null;
        case "error":
          return errors[condition.step] != null;
        case "not":
          return !holds(condition.cond);
        case "and":
          return condition.conds.every(holds);
        case "or":
          return condition.conds.some(holds);
        case "is_autocommit":
          return !db.inTransaction;
      }
    };
    for (const step of steps) {
      results.push(null);
      errors.push(null);
      if (step.condition && !holds(step.condition)) continue;
      try {
        results[results.length - 1] = execute(step.stmt);
      } catch (error) {
        errors[errors.length - 1] = encodeError(error);
      }
    }
    return { step_results: results, step_errors: errors };
  }

  function handle(request: HranaRequest) {
    switch (request.type) {
      case "execute":
        return { type: "execute", result: execute(request.stmt) };
      case "batch":
        return { type: "batch", result: runBatch(request.batch.steps) };
      case "sequence":
        db.exec(request.sql ?? storedSql.get(request.sql_id ?? -1) ?? "");
        return { type: "sequence" };
      case "store_sql":
        storedSql.set(request.sql_id, request.sql);
        return { type: "store_sql" };
      case "close_sql":
        storedSql.delete(request.sql_id);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: !db.inTransaction };
      case "close":
        // A stream never leaves a transaction behind for the next one.
        if (db.inTransaction) db.exec("ROLLBACK");
        storedSql.clear();
        return { type: "close" };
    }
  }

  const server = createServer(async (request, response) => {
    authorizations.push(request.headers.authorization);
    if (request.method !== "POST" || request.url !== "/v2/pipeline") {
      response.writeHead(404).end();
      return;
    }
    const body = await readJson(request);
    const results = body.requests.map((entry) => {
      try {
        return { type: "ok", response: handle(entry) };
      } catch (error) {
        return { type: "error", error: encodeError(error) };
      }
    });
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ baton: null, base_url: null, results }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    executed,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        db.close();
      }),
  };
}
