// /api/v1/memberships (docs/PRODUCT.md §5): active memberships with filters, grant, change and revoke.
import { Hono } from "hono";
import * as z from "zod";
import {
  changeMembership,
  changeMembershipSchema,
  extendMembership,
  grantMembership,
  grantMembershipSchema,
  revokeMembership,
  toMembershipDto,
} from "../../../domain/memberships/memberships";
import { listMemberships, listMembershipsQuerySchema } from "../../../domain/memberships/memberships-read";
import { requireAccess } from "../../../http/access";
import { jsonBody, queryParams } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

const extendSchema = z.strictObject({ days: z.number().int().min(1).max(3650) });

export const membershipsApi = new Hono<AppEnv>()
  .get(
    "/",
    requireAccess({ kind: "console", permission: "memberships:read" }),
    queryParams(listMembershipsQuerySchema),
    async (c) => {
      const page = await listMemberships(domainContext(c), c.req.valid("query"));
      return c.json({
        items: page.items.map((row) => ({
          ...toMembershipDto(row.membership),
          user: { email: row.userEmail, displayName: row.userName, role: row.userRole },
          tenant: { slug: row.tenantSlug, name: row.tenantName },
        })),
        nextCursor: page.nextCursor,
      });
    },
  )
  .post(
    "/",
    requireAccess({ kind: "console", permission: "memberships:create" }),
    jsonBody(grantMembershipSchema),
    async (c) =>
      c.json({ membership: toMembershipDto(await grantMembership(domainContext(c), c.req.valid("json"))) }, 201),
  )
  .patch(
    "/:id",
    requireAccess({ kind: "console", permission: "memberships:update" }),
    jsonBody(changeMembershipSchema),
    async (c) =>
      c.json({
        membership: toMembershipDto(await changeMembership(domainContext(c), c.req.param("id"), c.req.valid("json"))),
      }),
  )
  .post(
    "/:id/extend",
    requireAccess({ kind: "console", permission: "memberships:update" }),
    jsonBody(extendSchema),
    async (c) =>
      c.json({
        membership: toMembershipDto(
          await extendMembership(domainContext(c), c.req.param("id"), c.req.valid("json").days),
        ),
      }),
  )
  .delete("/:id", requireAccess({ kind: "console", permission: "memberships:delete" }), async (c) => {
    await revokeMembership(domainContext(c), c.req.param("id"));
    return c.body(null, 204);
  });
