// /api/v1/audit: the verifiable audit log's signed checkpoints and consistency proofs (docs/API.md
// "Audit log: checkpoints and proofs"); an event's inclusion proof is /api/v1/audit-events/:id/proof
// (audit-events.ts). A checkpoint answers as JSON, or with Accept: text/plain as its signed note
// verbatim (c2sp.org/tlog-checkpoint, c2sp.org/signed-note), what transparency-log tools read.
import { type Context, Hono } from "hono";
import { accepts } from "hono/accepts";
import * as z from "zod";
import {
  checkpointListQuerySchema,
  consistencyQuerySchema,
  listCheckpointPage,
  proveConsistencyUpTo,
  toCheckpointDto,
} from "../../../domain/audit/audit-checkpoints";
import { type Checkpoint, readCheckpoint } from "../../../domain/audit/audit-tree";
import { requireAccess } from "../../../http/access";
import { queryParams, validationFailed } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

const readAuditLog = requireAccess({ kind: "console", permission: "audit:read" });

/** Whether the caller asked for text/plain over JSON (`default` when it named neither). */
export function wantsText(c: Context, byDefault: "application/json" | "text/plain"): boolean {
  return (
    accepts(c, { header: "Accept", supports: ["application/json", "text/plain"], default: byDefault }) === "text/plain"
  );
}

function answerCheckpoint(c: Context, checkpoint: Checkpoint) {
  if (wantsText(c, "application/json")) {
    return c.body(checkpoint.signedNote, 200, { "Content-Type": "text/plain; charset=utf-8" });
  }
  return c.json(toCheckpointDto(checkpoint));
}

const treeSizeParam = z.strictObject({
  treeSize: z
    .string()
    .regex(/^\d{1,15}$/, "The tree size is a whole number.")
    .transform(Number),
});

export const auditLogApi = new Hono<AppEnv>()
  .get("/checkpoints", readAuditLog, queryParams(checkpointListQuerySchema), async (c) =>
    c.json(await listCheckpointPage(domainContext(c), c.req.valid("query"))),
  )
  .get("/checkpoints/latest", readAuditLog, async (c) =>
    answerCheckpoint(c, await readCheckpoint(domainContext(c), null)),
  )
  .get("/checkpoints/:treeSize", readAuditLog, async (c) => {
    const parsed = treeSizeParam.safeParse(c.req.param());
    if (!parsed.success) throw validationFailed(parsed.error);
    return answerCheckpoint(c, await readCheckpoint(domainContext(c), parsed.data.treeSize));
  })
  .get("/consistency", readAuditLog, queryParams(consistencyQuerySchema), async (c) => {
    const { from, to } = c.req.valid("query");
    return c.json(await proveConsistencyUpTo(domainContext(c), from, to));
  });
