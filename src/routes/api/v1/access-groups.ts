// /api/v1/access-groups: groups `{id, name, description, permissions, memberCount, createdAt, updatedAt}`
// and their members (docs/PRODUCT.md §5). Same domain functions and rules as Admin → Access groups.
import { Hono } from "hono";
import * as z from "zod";
import { deleteGroup } from "../../../domain/groups/group-deletion";
import { maximumMemberChanges, setGroupMembers } from "../../../domain/groups/group-members";
import { readGroupWithMembers } from "../../../domain/groups/group-members-read";
import { createGroup, createGroupSchema, updateGroup, updateGroupSchema } from "../../../domain/groups/groups";
import { listGroups, listGroupsQuerySchema, toGroupDto } from "../../../domain/groups/groups-read";
import { AppError } from "../../../errors";
import { requireAccess } from "../../../http/access";
import { jsonBody, queryParams } from "../../../http/api-middleware";
import { type AppContext, type AppEnv, domainContext } from "../../../http/app-env";

const setMembersSchema = z.strictObject({
  userIds: z
    .array(z.string().min(1).max(64))
    .max(maximumMemberChanges, `At most ${maximumMemberChanges} members at once.`),
});

async function describeGroupWithMembers(c: AppContext, groupId: string) {
  const page = await readGroupWithMembers(domainContext(c), groupId);
  if (!page) throw new AppError("NOT_FOUND");
  const { group, members } = page;
  return {
    ...toGroupDto(group),
    members: members.map((member) => ({
      id: member.id,
      email: member.email,
      firstName: member.firstName,
      lastName: member.lastName,
      displayName: member.displayName,
      role: member.role,
      status: member.status,
      addedAt: member.addedAt.toISOString(),
    })),
  };
}

export const accessGroupsApi = new Hono<AppEnv>()
  .get(
    "/",
    requireAccess({ kind: "console", permission: "groups:read" }),
    queryParams(listGroupsQuerySchema),
    async (c) => {
      const page = await listGroups(domainContext(c), c.req.valid("query"));
      return c.json({ items: page.items.map(toGroupDto), nextCursor: page.nextCursor });
    },
  )
  .post(
    "/",
    requireAccess({ kind: "console", permission: "groups:create" }),
    jsonBody(createGroupSchema),
    async (c) => {
      const group = await createGroup(domainContext(c), c.req.valid("json"));
      return c.json(toGroupDto(group), 201);
    },
  )
  .get("/:id", requireAccess({ kind: "console", permission: "groups:read" }), async (c) =>
    c.json(await describeGroupWithMembers(c, c.req.param("id"))),
  )
  .patch(
    "/:id",
    requireAccess({ kind: "console", permission: "groups:update" }),
    jsonBody(updateGroupSchema),
    async (c) => {
      const group = await updateGroup(domainContext(c), c.req.param("id"), c.req.valid("json"));
      return c.json(toGroupDto(group));
    },
  )
  .delete("/:id", requireAccess({ kind: "console", permission: "groups:delete" }), async (c) => {
    await deleteGroup(domainContext(c), c.req.param("id"));
    return c.body(null, 204);
  })
  .put(
    "/:id/members",
    requireAccess({ kind: "console", permission: "groups:update" }),
    jsonBody(setMembersSchema),
    async (c) => {
      await setGroupMembers(domainContext(c), c.req.param("id"), c.req.valid("json").userIds);
      return c.json(await describeGroupWithMembers(c, c.req.param("id")));
    },
  );
