// /api/v1/users (docs/PRODUCT.md §5): list, invite, bulk invite, read, update, deactivate, reactivate and
// regenerate the setup link, and a user's sign-in factors. Same domain functions and the same
// authorize() as the pages.
import { Hono } from "hono";
import { bulkInvite, bulkInviteSchema } from "../../../domain/invites/bulk-invite";
import { inviteUser } from "../../../domain/invites/invites";
import { regenerateSetupLink } from "../../../domain/invites/setup-links";
import { readUserFactors, toUserFactorsDto } from "../../../domain/users/user-factors";
import { deactivateUser, reactivateUser, updateUser, updateUserSchema } from "../../../domain/users/user-lifecycle";
import { findUserById, inviteInputSchema, toUserDto } from "../../../domain/users/users";
import { listUsers, listUsersQuerySchema } from "../../../domain/users/users-list";
import { AppError } from "../../../errors";
import { requireAccess } from "../../../http/access";
import { jsonBody, queryParams } from "../../../http/api-middleware";
import { type AppContext, type AppEnv, domainContext } from "../../../http/app-env";

async function userResponse(c: AppContext, userId: string) {
  const user = await findUserById(domainContext(c), userId);
  if (!user) throw new AppError("NOT_FOUND");
  return c.json({ user: toUserDto(user) });
}

export const usersApi = new Hono<AppEnv>()
  .get(
    "/",
    requireAccess({ kind: "console", permission: "users:read" }),
    queryParams(listUsersQuerySchema),
    async (c) => {
      const page = await listUsers(domainContext(c), c.req.valid("query"));
      return c.json({ items: page.items.map(toUserDto), nextCursor: page.nextCursor });
    },
  )
  .post("/", requireAccess({ kind: "console", permission: "users:create" }), jsonBody(inviteInputSchema), async (c) => {
    const invited = await inviteUser(domainContext(c), c.req.valid("json"));
    return c.json(
      {
        user: toUserDto(invited.user),
        setupUrl: invited.setupUrl,
        setupLinkExpiresAt: invited.setupLinkExpiresAt.toISOString(),
      },
      201,
    );
  })
  .post(
    "/bulk",
    requireAccess({ kind: "console", permission: "users:create" }),
    jsonBody(bulkInviteSchema),
    async (c) => c.json({ results: await bulkInvite(domainContext(c), c.req.valid("json").users) }),
  )
  .get("/:id", requireAccess({ kind: "console", permission: "users:read" }), (c) => userResponse(c, c.req.param("id")))
  // The Security tab's facts, so the Security tab's permission: reading a user (docs/API.md).
  .get("/:id/factors", requireAccess({ kind: "console", permission: "users:read" }), async (c) => {
    const factors = await readUserFactors(domainContext(c), c.req.param("id"));
    if (!factors) throw new AppError("NOT_FOUND");
    return c.json(toUserFactorsDto(factors));
  })
  .patch(
    "/:id",
    requireAccess({ kind: "console", permission: "users:update" }),
    jsonBody(updateUserSchema),
    async (c) => {
      const user = await updateUser(domainContext(c), c.req.param("id"), c.req.valid("json"));
      return c.json({ user: toUserDto(user) });
    },
  )
  .post("/:id/deactivate", requireAccess({ kind: "console", permission: "users:delete" }), async (c) =>
    c.json({ user: toUserDto(await deactivateUser(domainContext(c), c.req.param("id"))) }),
  )
  .post("/:id/reactivate", requireAccess({ kind: "console", permission: "users:delete" }), async (c) =>
    c.json({ user: toUserDto(await reactivateUser(domainContext(c), c.req.param("id"))) }),
  )
  .post("/:id/setup-link", requireAccess({ kind: "console", permission: "users:update" }), async (c) => {
    const issued = await regenerateSetupLink(domainContext(c), c.req.param("id"));
    return c.json({ setupUrl: issued.setupUrl, expiresAt: issued.setupLinkExpiresAt.toISOString() });
  });
