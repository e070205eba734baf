// /scim/v2/Users (RFC 7644 §3): the calling directory's users. Thin: zod reads the query, the domain
// (src/domain/scim/) decides and writes; every answer is application/scim+json with an absolute
// meta.location, and a create answers 201 with the same Location header.
import { Hono } from "hono";
import * as z from "zod";
import { parseAttributeList, projectResource } from "../../domain/scim/scim-projection";
import { createScimUser } from "../../domain/scim/scim-provisioning";
import { listResponseUrn, scimLimits, userSchemas } from "../../domain/scim/scim-schemas";
import type { ScimDocument } from "../../domain/scim/scim-user-resource";
import { deleteScimUser, patchScimUser, replaceScimUser } from "../../domain/scim/scim-user-writes";
import { getScimUser, listScimUsers, type ScimUserPage } from "../../domain/scim/scim-users";
import { AppError } from "../../errors";
import type { AppContext, AppEnv } from "../../http/app-env";
import { directoryContext, readScimBody, scimJson } from "../../http/scim";

const searchRequestUrn = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

// RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1, a negative count as 0; count is capped at maxResults.
const integer = z.coerce.number("Send a whole number.").int("Send a whole number.");
const startIndexSchema = integer.optional().transform((value) => Math.max(1, value ?? 1));
const countSchema = integer
  .optional()
  .transform((value) => Math.min(Math.max(0, value ?? scimLimits.maxResults), scimLimits.maxResults));
const filterSchema = z
  .string()
  .max(scimLimits.maxFilterLength, `A filter has at most ${scimLimits.maxFilterLength} characters.`)
  .optional();
const attributeListSchema = z.union([z.string().max(2000), z.array(z.string().max(200)).max(100)]).optional();

const listQuerySchema = z.object({
  filter: filterSchema,
  startIndex: startIndexSchema,
  count: countSchema,
  attributes: attributeListSchema,
  excludedAttributes: attributeListSchema,
});

const searchRequestSchema = listQuerySchema.extend({
  schemas: z.array(z.string()).refine((schemas) => schemas.includes(searchRequestUrn), {
    message: `Name ${searchRequestUrn} in schemas.`,
  }),
});

type ListQuery = z.output<typeof listQuerySchema>;

function readListQuery(schema: z.ZodType<ListQuery>, input: unknown): ListQuery {
  if (typeof input === "object" && input && "filter" in input && typeof input.filter === "string") {
    if (input.filter.length > scimLimits.maxFilterLength) {
      throw new AppError("SCIM_INVALID_FILTER", {
        detail: `A filter has at most ${scimLimits.maxFilterLength} characters.`,
      });
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("SCIM_INVALID_VALUE", {
      detail: `${issue?.path.join(".") ?? "query"}: ${issue?.message ?? "not valid"}`,
    });
  }
  return parsed.data;
}

function toAttributeText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/** RFC 7644 §3.4.2.5: attributes or excludedAttributes narrow every document answered. */
function projectionOf(query: Pick<ListQuery, "attributes" | "excludedAttributes">) {
  const attributes = toAttributeText(query.attributes);
  const excluded = toAttributeText(query.excludedAttributes);
  return (document: ScimDocument): ScimDocument =>
    projectResource(
      document,
      {
        attributes: parseAttributeList(attributes),
        excludedAttributes: parseAttributeList(excluded),
      },
      userSchemas,
    );
}

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
  const page = await listScimUsers(directoryContext(c), query);
  return scimJson(c, listResponse(page, projectionOf(query)));
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
    return scimJson(c, projectionOf(query)(await getScimUser(directoryContext(c), c.req.param("id"))));
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
