// The refusals a directory's requests met, newest first on its page (docs/SCIM.md "When
// provisioning fails"): written as the refusal is answered, the newest 20 kept.
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { directoryErrors } from "../../db/schema";

export const keptDirectoryErrors = 20;

export interface DirectoryErrorInput {
  method: string;
  path: string;
  status: number;
  scimType: string | null;
  detail: string;
}

/** Deletes the directory's rows older than the newest 20 (after an insert, in its batch). */
export function trimDirectoryErrors(db: Db, directoryId: string) {
  const cutoff = db
    .select({ id: directoryErrors.id })
    .from(directoryErrors)
    .where(eq(directoryErrors.directoryId, directoryId))
    .orderBy(desc(directoryErrors.id))
    .limit(1)
    .offset(keptDirectoryErrors - 1);
  return db
    .delete(directoryErrors)
    .where(and(eq(directoryErrors.directoryId, directoryId), lt(directoryErrors.id, sql`(${cutoff})`)));
}

/** One batch: the refusal, and the rows older than the newest 20 gone. */
export async function recordDirectoryError(db: Db, directoryId: string, error: DirectoryErrorInput, now: Date) {
  await db.batch([
    db.insert(directoryErrors).values({
      directoryId,
      at: now,
      method: error.method,
      path: error.path.slice(0, 500),
      status: error.status,
      scimType: error.scimType,
      detail: error.detail.slice(0, 1000),
    }),
    trimDirectoryErrors(db, directoryId),
  ]);
}
