import { Hono } from "hono";
import { describeCaller } from "../../../domain/me";
import { currentPrincipal, requireAccess } from "../../../http/access";
import { type AppEnv, domainContext } from "../../../http/app-env";

export const meApi = new Hono<AppEnv>().get("/", requireAccess({ kind: "self" }), async (c) =>
  c.json(await describeCaller(domainContext(c), currentPrincipal(c))),
);
