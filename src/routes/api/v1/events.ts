// GET /api/v1/events: every event after a cursor, oldest first (docs/EVENTS.md "The events API").
// Events are the audit log's rows, so reading them takes what reading the audit log takes.
import { Hono } from "hono";
import { eventsQuerySchema, listEvents } from "../../../domain/events/events";
import { requireAccess } from "../../../http/access";
import { queryParams } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

export const eventsApi = new Hono<AppEnv>().get(
  "/",
  requireAccess({ kind: "console", permission: "audit:read" }),
  queryParams(eventsQuerySchema),
  async (c) => c.json(await listEvents(domainContext(c), c.req.valid("query"))),
);
