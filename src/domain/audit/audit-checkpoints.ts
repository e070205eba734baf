// The signed checkpoints as the API shows them (docs/API.md "Audit log: checkpoints and proofs"):
// newest first, keyset-paged on the tree size (the checkpoints' key, so a page costs the same at
// any depth), each with its signed note verbatim for a verifier to check.
import * as z from "zod";
import type { DomainContext } from "../context";
import { type Checkpoint, listCheckpoints, proveConsistency, readCheckpoint } from "./audit-tree";

const treeSize = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const checkpointListQuerySchema = z.strictObject({
  before: treeSize.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const consistencyQuerySchema = z.strictObject({
  from: treeSize,
  /** The newest checkpoint's size when left out. */
  to: treeSize.optional(),
});

export function toCheckpointDto(checkpoint: Checkpoint) {
  return {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    lastEventId: checkpoint.lastEventId,
    keyId: checkpoint.keyId,
    sealedAt: checkpoint.sealedAt.toISOString(),
    signedNote: checkpoint.signedNote,
  };
}

/** A page of checkpoints below the size `before`; nextCursor is the `before` of the next page. */
export async function listCheckpointPage(
  ctx: Pick<DomainContext, "db">,
  page: { before?: number | undefined; limit: number },
) {
  const rows = await listCheckpoints(ctx, page.before ?? null, page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(toCheckpointDto),
    nextCursor: rows.length > page.limit && last ? String(last.treeSize) : null,
  };
}

/** RFC 9162 §2.1.4 proof between two sizes; `to` defaults to the newest checkpoint's size. */
export async function proveConsistencyUpTo(ctx: Pick<DomainContext, "db">, from: number, to: number | undefined) {
  const toSize = to ?? (await readCheckpoint(ctx, null)).treeSize;
  return proveConsistency(ctx, from, toSize);
}
