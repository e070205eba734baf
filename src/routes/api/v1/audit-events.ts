// GET /api/v1/audit-events: the audit log, newest first, with the filters of Admin → Audit log.
import { Hono } from "hono";
import { auditQuerySchema, listAuditEvents, toAuditEventDto } from "../../../domain/audit/audit-log";
import { requireAccess } from "../../../http/access";
import { queryParams } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

export const auditEventsApi = new Hono<AppEnv>().get(
  "/",
  requireAccess({ kind: "console", permission: "audit:read" }),
  queryParams(auditQuerySchema),
  async (c) => {
    const { cursor, limit, ...filter } = c.req.valid("query");
    const page = await listAuditEvents(domainContext(c), filter, { cursor, limit });
    return c.json({ items: page.items.map(toAuditEventDto), nextCursor: page.nextCursor });
  },
);
