// /api/v1/me and the caller's personal API tokens (docs/PRODUCT.md §5).
import { Hono } from "hono";
import {
  createApiToken,
  createApiTokenSchema,
  listOwnApiTokens,
  revokeOwnApiToken,
  toApiTokenDto,
} from "../../../domain/account/api-tokens";
import { describeCaller } from "../../../domain/account/me";
import { currentPrincipal, requireAccess } from "../../../http/access";
import { jsonBody } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

export const meApi = new Hono<AppEnv>()
  .use(requireAccess({ kind: "self" }))
  .get("/", (c) => c.json(describeCaller(currentPrincipal(c))))
  .get("/tokens", async (c) => {
    const tokens = await listOwnApiTokens(domainContext(c), currentPrincipal(c));
    return c.json({ items: tokens.map((token) => toApiTokenDto(token, c.get("now"))), nextCursor: null });
  })
  .post("/tokens", jsonBody(createApiTokenSchema), async (c) => {
    const created = await createApiToken(domainContext(c), currentPrincipal(c), c.req.valid("json"));
    return c.json({ token: created.secret, ...toApiTokenDto(created.token, c.get("now")) }, 201);
  })
  .delete("/tokens/:id", async (c) => {
    await revokeOwnApiToken(domainContext(c), currentPrincipal(c), c.req.param("id"));
    return c.body(null, 204);
  });
