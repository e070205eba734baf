// D1 has no interactive transactions, only db.batch(), which commits or rolls back as a whole but
// cannot branch. A guard statement turns "the previous write changed exactly one row" into a
// condition of the whole batch: when the conditional write lost its race, the guard aborts and
// every follow-up write (session, audit event, recovery codes) is rolled back with it.
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { batchGuards } from "./schema";

export const batchGuardFailureMarker = "GATEHOUSE_BATCH_GUARD_FAILED";

/** Aborts the batch unless the statement just before it changed exactly one row. */
export function assertPreviousWriteChangedOneRow(db: Db) {
  return db.insert(batchGuards).values({ ok: sql`changes() = 1` });
}

/** Aborts the batch unless the given condition (a SQL boolean) holds at this point of the batch. */
export function assertCondition(db: Db, condition: ReturnType<typeof sql>) {
  return db.insert(batchGuards).values({ ok: sql`(${condition})` });
}

export function isBatchGuardFailure(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if (current instanceof Error && current.message.includes(batchGuardFailureMarker)) return true;
  }
  return false;
}
