// /api/v1/tenants (docs/PRODUCT.md §5): list, create, read and update tenants {name, slug, description}.
import { Hono } from "hono";
import {
  createTenant,
  createTenantSchema,
  findTenantById,
  listTenants,
  listTenantsQuerySchema,
  toTenantDto,
  updateTenant,
  updateTenantSchema,
} from "../../../domain/tenants/tenants";
import { AppError } from "../../../errors";
import { requireAccess } from "../../../http/access";
import { jsonBody, queryParams } from "../../../http/api-middleware";
import { type AppEnv, domainContext } from "../../../http/app-env";

export const tenantsApi = new Hono<AppEnv>()
  .get(
    "/",
    requireAccess({ kind: "console", permission: "tenants:read" }),
    queryParams(listTenantsQuerySchema),
    async (c) => {
      const page = await listTenants(domainContext(c), c.req.valid("query"));
      return c.json({
        items: page.items.map((tenant) => ({ ...toTenantDto(tenant), memberCount: tenant.memberCount })),
        nextCursor: page.nextCursor,
      });
    },
  )
  .post(
    "/",
    requireAccess({ kind: "console", permission: "tenants:create" }),
    jsonBody(createTenantSchema),
    async (c) => c.json({ tenant: toTenantDto(await createTenant(domainContext(c), c.req.valid("json"))) }, 201),
  )
  .get("/:id", requireAccess({ kind: "console", permission: "tenants:read" }), async (c) => {
    const tenant = await findTenantById(domainContext(c), c.req.param("id"));
    if (!tenant) throw new AppError("NOT_FOUND");
    return c.json({ tenant: toTenantDto(tenant) });
  })
  .patch(
    "/:id",
    requireAccess({ kind: "console", permission: "tenants:update" }),
    jsonBody(updateTenantSchema),
    async (c) =>
      c.json({ tenant: toTenantDto(await updateTenant(domainContext(c), c.req.param("id"), c.req.valid("json"))) }),
  );
