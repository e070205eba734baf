// /scim/v2/Users (RFC 7644 §3): the calling directory's users. Thin: zod reads the query, the domain
// (src/domain/scim/) decides and writes; every answer is application/scim+json with an absolute
// meta.location, and a create answers 201 with the same Location header.
import { Hono } from "hono";
import { projectResource } from "../../domain/scim/scim-projection";
import { createScimUser } from "../../domain/scim/scim-provisioning";
import { listResponseUrn, userSchemas } from "../../domain/scim/scim-schemas";
import type { ScimDocument } from "../../domain/scim/scim-user-resource";
import { deleteScimUser, patchScimUser, replaceScimUser } from "../../domain/scim/scim-user-writes";
import { getScimUser, listScimUsers, type ScimUserPage } from "../../domain/scim/scim-users";
import type { AppContext, AppEnv } from "../../http/app-env";
import {
  directoryContext,
  type ListQuery,
  listQuerySchema,
  projectionOf,
  readListQuery,
  readScimBody,
  scimJson,
  searchRequestSchema,
} from "../../http/scim";

function listResponse(page: ScimUserPage, project: (document: ScimDocument) => ScimDocument) {
  return {
    schemas: [listResponseUrn],
    totalResults: page.totalResults,
    startIndex: page.startIndex,
    itemsPerPage: page.resources.length,
    Resources: page.resources.map(project),
  };
}

async function answerList(c: AppContext, query: ListQuery): Promise<Response> {
  const projection = projectionOf(query);
  const page = await listScimUsers(directoryContext(c), query);
  return scimJson(
    c,
    listResponse(page, (document) => projectResource(document, projection, userSchemas)),
  );
}

function locationOf(document: ScimDocument): string {
  return (document.meta as { location: string }).location;
}

export const scimUsers = new Hono<AppEnv>()
  .get("/", (c) => answerList(c, readListQuery(listQuerySchema, c.req.query())))
  // RFC 7644 §3.4.3: the same query in a body, so a long filter stays out of URLs and logs.
  .post("/.search", async (c) => answerList(c, readListQuery(searchRequestSchema, await readScimBody(c))))
  .post("/", async (c) => {
    const document = await createScimUser(directoryContext(c), await readScimBody(c));
    return scimJson(c, document, 201, locationOf(document));
  })
  .get("/:id", async (c) => {
    const query = readListQuery(listQuerySchema, c.req.query());
    return scimJson(
      c,
      projectResource(await getScimUser(directoryContext(c), c.req.param("id")), projectionOf(query), userSchemas),
    );
  })
  .put("/:id", async (c) =>
    scimJson(c, await replaceScimUser(directoryContext(c), c.req.param("id"), await readScimBody(c))),
  )
  .patch("/:id", async (c) =>
    scimJson(c, await patchScimUser(directoryContext(c), c.req.param("id"), await readScimBody(c))),
  )
  .delete("/:id", async (c) => {
    await deleteScimUser(directoryContext(c), c.req.param("id"));
    return c.body(null, 204);
  });
