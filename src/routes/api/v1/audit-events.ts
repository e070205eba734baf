// GET /api/v1/audit-events: the audit log, newest first, with the filters of Admin → Audit log.
// GET /api/v1/audit-events/:id/proof: the event's inclusion proof in the verifiable log, as
// c2sp.org/tlog-proof@v1 text (or JSON on Accept: application/json); 409 while it is pending.
import { Hono } from "hono";
import * as z from "zod";
import { auditQuerySchema, listAuditEvents, toAuditEventDto } from "../../../domain/audit/audit-log";
import { proveEventInclusion } from "../../../domain/audit/audit-tree";
import { requireAccess } from "../../../http/access";
import { queryParams, validationFailed } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";
import { wantsText } from "./audit-log";

// The event's id as /api/v1/audit-events shows it, or as an event (evt_<id>, docs/EVENTS.md).
const eventIdParam = z.strictObject({
  id: z
    .string()
    .regex(/^(evt_)?\d{1,15}$/, "An audit event id is a number (or evt_ and a number).")
    .transform((id) => Number(id.replace("evt_", ""))),
});

const proofQuerySchema = z.strictObject({
  /** The checkpoint to prove against; the newest when left out. */
  treeSize: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

export const auditEventsApi = new Hono<AppEnv>()
  .get("/", requireAccess({ kind: "console", permission: "audit:read" }), queryParams(auditQuerySchema), async (c) => {
    const { cursor, limit, ...filter } = c.req.valid("query");
    const page = await listAuditEvents(domainContext(c), filter, { cursor, limit });
    return c.json({ items: page.items.map(toAuditEventDto), nextCursor: page.nextCursor });
  })
  .get(
    "/:id/proof",
    requireAccess({ kind: "console", permission: "audit:read" }),
    queryParams(proofQuerySchema),
    async (c) => {
      const parsed = eventIdParam.safeParse(c.req.param());
      if (!parsed.success) throw validationFailed(parsed.error);
      const eventId = parsed.data.id;
      const { leafIndex, checkpoint, proof } = await proveEventInclusion(
        domainContext(c),
        eventId,
        c.req.valid("query").treeSize ?? null,
      );
      if (wantsText(c, "text/plain")) return c.body(proof, 200, { "Content-Type": "text/plain; charset=utf-8" });
      return c.json({ eventId, leafIndex, treeSize: checkpoint.treeSize, proof });
    },
  );
