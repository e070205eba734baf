// db.batch() is the only atomic multi-statement write on D1 (and maps to a libSQL transaction):
// it commits or rolls back whole. These helpers keep call sites short.
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

export type Statement = BatchItem<"sqlite">;

export async function runBatch(db: Db, statements: Statement[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  return db.batch(statements as [Statement, ...Statement[]]);
}

/** True when the error (or one of its causes) is a UNIQUE violation on the given column or index. */
/** Whether the error or one of its causes (drizzle wraps the driver's) has a message that matches. */
function someMessageInChain(error: unknown, matches: (message: string) => boolean): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if (matches(current instanceof Error ? current.message : String(current))) return true;
  }
  return false;
}

/** A write refused by a foreign key (D1 and libSQL word it alike). */
export function isForeignKeyViolation(error: unknown): boolean {
  return someMessageInChain(error, (message) => message.includes("FOREIGN KEY constraint failed"));
}

export function isUniqueViolation(error: unknown, columnOrIndex: string): boolean {
  return someMessageInChain(
    error,
    (message) => message.includes("UNIQUE constraint failed") && message.includes(columnOrIndex),
  );
}
