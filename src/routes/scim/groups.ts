// /scim/v2/Groups (RFC 7644 §3.3–3.6; docs/SCIM.md "Groups"): the directory's groups, nothing else.
// Query parameters and bodies are read here; what they mean is src/domain/scim/scim-groups*.ts.
import { Hono } from "hono";
import * as z from "zod";
import { parseScimFilter } from "../../domain/scim/scim-filter";
import { createScimGroup, deleteScimGroup, patchScimGroup, replaceScimGroup } from "../../domain/scim/scim-groups";
import { type GroupProjection, getScimGroup, listScimGroups } from "../../domain/scim/scim-groups-read";
import { AppError } from "../../errors";
import type { AppContext, AppEnv } from "../../http/app-env";
import { directoryContext, readScimBody, scimJson } from "../../http/scim";

const attributeList = z
  .string()
  .max(1000)
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((name) =>
        name
          .trim()
          .toLowerCase()
          .replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/, ""),
      )
      .filter((name) => name !== ""),
  );

const listQuerySchema = z.object({
  filter: z.string().optional(),
  startIndex: z.coerce.number().int().default(1),
  count: z.coerce.number().int().default(100),
  attributes: attributeList,
  excludedAttributes: attributeList,
});

function readQuery<T extends z.ZodType>(c: AppContext, schema: T): z.output<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    throw new AppError("SCIM_INVALID_VALUE", { detail: "startIndex and count must be whole numbers." });
  }
  return parsed.data;
}

function readProjection(c: AppContext): GroupProjection {
  const { attributes, excludedAttributes } = readQuery(
    c,
    listQuerySchema.pick({ attributes: true, excludedAttributes: true }),
  );
  return { attributes: attributes.length > 0 ? attributes : null, excludedAttributes };
}

export const scimGroups = new Hono<AppEnv>()
  .get("/", async (c) => {
    const query = readQuery(c, listQuerySchema);
    const page = await listScimGroups(directoryContext(c), {
      filter: query.filter === undefined ? null : parseScimFilter(query.filter),
      startIndex: query.startIndex,
      count: query.count,
      projection: {
        attributes: query.attributes.length > 0 ? query.attributes : null,
        excludedAttributes: query.excludedAttributes,
      },
    });
    return scimJson(c, page);
  })
  .post("/", async (c) => {
    const document = await createScimGroup(directoryContext(c), await readScimBody(c));
    return scimJson(c, document, 201, (document.meta as { location: string }).location);
  })
  .get("/:id", async (c) => scimJson(c, await getScimGroup(directoryContext(c), c.req.param("id"), readProjection(c))))
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
