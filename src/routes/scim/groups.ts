// /scim/v2/Groups (RFC 7644 §3.3–3.6; docs/SCIM.md "Groups"): the directory's groups, nothing else.
// Query parameters and bodies are read here; what they mean is src/domain/scim/scim-groups*.ts.
import { Hono } from "hono";
import { parseScimFilter } from "../../domain/scim/scim-filter";
import { createScimGroup, deleteScimGroup, patchScimGroup, replaceScimGroup } from "../../domain/scim/scim-groups";
import { type GroupProjection, getScimGroup, listScimGroups } from "../../domain/scim/scim-groups-read";
import { parseAttributeList } from "../../domain/scim/scim-projection";
import { groupSchemaUrn } from "../../domain/scim/scim-schemas";
import type { AppEnv } from "../../http/app-env";
import {
  directoryContext,
  type ListQuery,
  listQuerySchema,
  readListQuery,
  readScimBody,
  scimJson,
  toAttributeText,
} from "../../http/scim";

/** The Groups domain's projection: lower-cased names, the core schema's URN left out. */
function readProjection(query: Pick<ListQuery, "attributes" | "excludedAttributes">): GroupProjection {
  const namesOf = (list: string | string[] | undefined) =>
    (parseAttributeList(toAttributeText(list)) ?? []).map(
      (path) =>
        `${path.uri && path.uri !== groupSchemaUrn.toLowerCase() ? `${path.uri}:` : ""}${path.attribute}${path.subAttribute ? `.${path.subAttribute}` : ""}`,
    );
  const attributes = namesOf(query.attributes);
  return {
    attributes: attributes.length > 0 ? attributes : null,
    excludedAttributes: namesOf(query.excludedAttributes),
  };
}

export const scimGroups = new Hono<AppEnv>()
  .get("/", async (c) => {
    const query = readListQuery(listQuerySchema, c.req.query());
    const page = await listScimGroups(directoryContext(c), {
      filter: query.filter === undefined ? null : parseScimFilter(query.filter),
      startIndex: query.startIndex,
      count: query.count,
      projection: readProjection(query),
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
        readProjection(readListQuery(listQuerySchema, c.req.query())),
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
