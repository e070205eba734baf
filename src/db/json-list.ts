import { type SQL, sql } from "drizzle-orm";

/** `(SELECT value FROM json_each(?))`: any number of values as one bound parameter (D1 binds at most 100). */
export function jsonList(values: Iterable<string | number>): SQL {
  return sql`(SELECT value FROM json_each(${JSON.stringify([...values])}))`;
}
