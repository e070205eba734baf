// /api/v1/tenants/{id}/updates and /members (docs/PRODUCT.md §9): a tenant's content for its members, staff
// and client users alike, under the same tenant rules as the workspace and the portal.
import { Hono } from "hono";
import * as z from "zod";
import type { Requirement, TenantAccess } from "../../../domain/access";
import { delegatedInviteSchema, inviteClientUser, removeClientUser } from "../../../domain/invites/delegated-invites";
import { listTenantPeople, type TenantPerson } from "../../../domain/tenants/tenant-people";
import {
  deleteTenantUpdate,
  editTenantUpdate,
  findTenantWithUpdate,
  listTenantUpdates,
  postTenantUpdate,
  tenantUpdateSchema,
  toTenantUpdateDto,
} from "../../../domain/tenants/tenant-updates";
import { findTenantById, type TenantRow } from "../../../domain/tenants/tenants";
import { toUserDto } from "../../../domain/users/users";
import { AppError } from "../../../errors";
import { requireAccess } from "../../../http/access";
import { jsonBody, queryParams } from "../../../http/api-middleware";
import { type AppContext, type AppEnv, domainContext } from "../../../http/app-env";

const content = (access: TenantAccess) =>
  requireAccess((c): Requirement => ({ kind: "tenant-content", tenant: { id: c.req.param("id") ?? "" }, access }));

async function requireTenant(c: AppContext): Promise<TenantRow> {
  const tenant = await findTenantById(domainContext(c), c.req.param("id") ?? "");
  if (!tenant) throw new AppError("NOT_FOUND");
  return tenant;
}

const pageSchema = z.strictObject({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

function personDto(person: TenantPerson) {
  return {
    membershipId: person.membershipId,
    userId: person.userId,
    name: person.name,
    email: person.email,
    role: person.role,
    expiresAt: person.expiresAt?.toISOString() ?? null,
    status: person.status,
  };
}

export const tenantContentApi = new Hono<AppEnv>()
  .get("/:id/updates", content("read"), queryParams(pageSchema), async (c) => {
    const page = await listTenantUpdates(domainContext(c), { id: c.req.param("id") }, c.req.valid("query"));
    return c.json({ items: page.items.map(toTenantUpdateDto), nextCursor: page.nextCursor });
  })
  .post("/:id/updates", content("write"), jsonBody(tenantUpdateSchema), async (c) => {
    const tenant = await requireTenant(c);
    const update = await postTenantUpdate(domainContext(c), tenant, c.req.valid("json"));
    return c.json({ update: toTenantUpdateDto({ ...update, authorName: null }) }, 201);
  })
  .patch("/:id/updates/:updateId", content("write"), jsonBody(tenantUpdateSchema), async (c) => {
    const { tenant, update: existing } = await findTenantWithUpdate(
      domainContext(c),
      { id: c.req.param("id") },
      c.req.param("updateId"),
    );
    const update = await editTenantUpdate(domainContext(c), tenant, existing, c.req.valid("json"));
    return c.json({ update: toTenantUpdateDto({ ...update, authorName: null }) });
  })
  .delete("/:id/updates/:updateId", content("write"), async (c) => {
    const { tenant, update } = await findTenantWithUpdate(
      domainContext(c),
      { id: c.req.param("id") },
      c.req.param("updateId"),
    );
    await deleteTenantUpdate(domainContext(c), tenant, update);
    return c.body(null, 204);
  })
  .get("/:id/members", content("read"), queryParams(pageSchema), async (c) => {
    const page = await listTenantPeople(domainContext(c), { id: c.req.param("id") }, c.req.valid("query"));
    return c.json({ items: page.items.map(personDto), nextCursor: page.nextCursor });
  })
  .post("/:id/members", content("manage-clients"), jsonBody(delegatedInviteSchema), async (c) => {
    const outcome = await inviteClientUser(domainContext(c), { id: c.req.param("id") }, c.req.valid("json"));
    if (outcome.kind === "added") return c.json({ outcome: "added" }, 200);
    const { invite } = outcome;
    return c.json(
      {
        outcome: "created",
        user: toUserDto(invite.user),
        setupUrl: invite.setupUrl,
        setupLinkExpiresAt: invite.setupLinkExpiresAt.toISOString(),
      },
      201,
    );
  })
  .delete("/:id/members/:membershipId", content("manage-clients"), async (c) => {
    await removeClientUser(domainContext(c), { id: c.req.param("id") }, c.req.param("membershipId"));
    return c.body(null, 204);
  });
