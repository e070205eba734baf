// One Db type for both stores. Domain code receives a Db and never learns which store it runs on.
import type { ResultSet } from "@libsql/client";
import { drizzle as drizzleD1 } from "drizzle-orm/d1";
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
