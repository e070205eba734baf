// /scim/v2/Groups (RFC 7644 §3.3–3.6; docs/SCIM.md "Groups"): the directory's groups, nothing else.
// Query parameters and bodies are read here; what they mean is src/domain/scim/scim-groups*.ts.
import { Hono } from "hono";
import { parseScimFilter } from "../../domain/scim/scim-filter";
import { createScimGroup, deleteScimGroup, patchScimGroup, replaceScimGroup } from "../../domain/scim/scim-groups";
import { getScimGroup, listScimGroups } from "../../domain/scim/scim-groups-read";
import type { AppEnv } from "../../http/app-env";
import {
  directoryContext,
  listQuerySchema,
  projectionOf,
  readListQuery,
  readScimBody,
  scimJson,
} from "../../http/scim";

export const scimGroups = new Hono<AppEnv>()
  .get("/", async (c) => {
    const query = readListQuery(listQuerySchema, c.req.query());
    const page = await listScimGroups(directoryContext(c), {
      filter: query.filter === undefined ? null : parseScimFilter(query.filter),
      startIndex: query.startIndex,
      count: query.count,
      projection: projectionOf(query),
    });
    return scimJson(c, page);
  })
  .post("/", async (c) => {
    const document = await createScimGroup(directoryContext(c), await readScimBody(c));
    return scimJson(c, document, 201, (document.meta as { location: string }).location);
  })
  .get("/:id", async (c) =>
    scimJson(
      c,
      await getScimGroup(
        directoryContext(c),
        c.req.param("id"),
        projectionOf(readListQuery(listQuerySchema, c.req.query())),
      ),
    ),
  )
  .put("/:id", async (c) => {
    const document = await replaceScimGroup(directoryContext(c), c.req.param("id"), await readScimBody(c));
    return scimJson(c, document, 200, (document.meta as { location: string }).location);
  })
  .patch("/:id", async (c) => {
    await patchScimGroup(directoryContext(c), c.req.param("id"), await readScimBody(c));
    return c.body(null, 204);
  })
  .delete("/:id", async (c) => {
    await deleteScimGroup(directoryContext(c), c.req.param("id"));
    return c.body(null, 204);
  });
