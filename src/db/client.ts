// One Db type for both stores. Domain code receives a Db and never learns which store it runs on.
import type { Client, ResultSet, TransactionMode } from "@libsql/client";
import { drizzle as drizzleD1 } from "drizzle-orm/d1";
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql";
import type { BaseSQLiteDatabase, SQLiteTransaction } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = BaseSQLiteDatabase<"async", D1Result | ResultSet, Schema> & {
  batch: ReturnType<typeof drizzleD1<Schema>>["batch"];
};
export type { SQLiteTransaction };

export function createD1Db(database: D1Database): Db {
  return drizzleD1(database, { schema }) as unknown as Db;
}

type BatchStatements = Parameters<Client["batch"]>[0];

function readsOnly(statements: BatchStatements): boolean {
  return statements.every((statement) => {
    const text = Array.isArray(statement) ? statement[0] : typeof statement === "string" ? statement : statement.sql;
    return /^\s*select\b/i.test(text);
  });
}

/**
 * A libSQL client whose batches that write run as BEGIN IMMEDIATE ("write"). drizzle passes no
 * mode and libSQL's default, "deferred", starts read-only: a batch that reads before it writes
 * (a guard's subquery, an INSERT … SELECT) could then fail with SQLITE_BUSY when another writer
 * got in between. D1 runs one batch at a time; taking the write lock up front is the closest
 * libSQL gets to that. Batches of SELECTs only (most page reads) stay "deferred": one consistent
 * snapshot, without queueing behind writers for the write lock. Loading the caller is not one of
 * them: its batch ends with the once-a-minute last-use UPDATE (domain/principal.ts), so on libSQL
 * every authenticated request takes the write lock for that batch.
 */
function withTransactionModes(client: Client): Client {
  return new Proxy(client, {
    get(target, property) {
      if (property === "batch") {
        return (statements: BatchStatements, mode?: TransactionMode) =>
          target.batch(statements, mode ?? (readsOnly(statements) ? "deferred" : "write"));
      }
      const value = Reflect.get(target, property, target);
      // The client keeps private fields: its methods must run with the client itself as `this`.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export function createLibsqlDb(client: Client): Db {
  return drizzleLibsql(withTransactionModes(client), { schema }) as unknown as Db;
}

/** Rows changed by a write, from either store (D1 `meta.changes`, libSQL `rowsAffected`). */
export function countAffectedRows(result: unknown): number {
  if (result && typeof result === "object") {
    if ("rowsAffected" in result && typeof result.rowsAffected === "number") return result.rowsAffected;
    if ("meta" in result && result.meta && typeof result.meta === "object" && "changes" in result.meta) {
      return Number(result.meta.changes);
    }
  }
  throw new Error("countAffectedRows: not a write result");
}
