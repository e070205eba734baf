// The HTTP side of /scim/v2 (RFC 7644; docs/SCIM.md): the directory as the caller, JSON bodies
// of the SCIM media types, and refusals in the SCIM Error schema. The routes are src/routes/scim/.
import { createMiddleware } from "hono/factory";
import * as z from "zod";
import { isWellFormedSecretToken } from "../auth/token-format";
import { authorize } from "../domain/access";
import { type DirectoryCaller, type DirectoryContext, loadDirectoryCaller } from "../domain/scim/scim-caller";
import { type ProjectionOptions, parseAttributeList } from "../domain/scim/scim-projection";
import { errorUrn, scimLimits } from "../domain/scim/scim-schemas";
import { AppError, type ErrorCode } from "../errors";
import { refuseDuplicateJsonKeys } from "./api-middleware";
import { type AppContext, type AppEnv, domainContext } from "./app-env";

export const scimMediaType = "application/scim+json";
const bearerPattern = /^Bearer ([A-Za-z0-9_]{1,200})$/i;

/** The scimType of RFC 7644 §3.12 Table 9 each refusal answers with; the others have none. */
const scimTypes: Partial<Record<ErrorCode, string>> = {
  SCIM_INVALID_FILTER: "invalidFilter",
  SCIM_INVALID_SYNTAX: "invalidSyntax",
  INVALID_JSON: "invalidSyntax",
  SCIM_INVALID_PATH: "invalidPath",
  SCIM_INVALID_VALUE: "invalidValue",
  VALIDATION_FAILED: "invalidValue",
  SCIM_MUTABILITY: "mutability",
  SCIM_NO_TARGET: "noTarget",
  SCIM_TOO_MANY: "tooMany",
  SCIM_UNIQUENESS: "uniqueness",
};

export function scimTypeOf(error: AppError): string | null {
  return scimTypes[error.code] ?? null;
}

/** RFC 7644 §3.12: the Error schema, `status` as a string. */
export function scimErrorResponse(error: AppError): Response {
  const scimType = scimTypeOf(error);
  const body = {
    schemas: [errorUrn],
    status: String(error.status),
    ...(scimType ? { scimType } : {}),
    detail: error.detail ?? error.title,
  };
  const headers: Record<string, string> = { "Content-Type": scimMediaType };
  // RFC 6750 §3: a refused bearer token says so.
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="Gatehouse SCIM", error="invalid_token"';
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

export function scimJson(c: AppContext, body: unknown, status: 200 | 201 = 200, location?: string): Response {
  const headers: Record<string, string> = { "Content-Type": scimMediaType };
  if (location) headers.Location = location;
  return c.body(JSON.stringify(body), status, headers);
}

/**
 * Reads the caller from `Authorization: Bearer gths_…` and lets only a directory through
 * (authorize(), requirement `scim`). A token we cannot have issued is refused unread.
 */
export function requireDirectory() {
  return createMiddleware<AppEnv>(async function requireDirectory(c, next) {
    const presented = bearerPattern.exec(c.req.header("authorization") ?? "")?.[1];
    const caller =
      presented && isWellFormedSecretToken("directoryToken", presented)
        ? await loadDirectoryCaller(c.get("db"), presented, c.get("now"))
        : null;
    const decision = authorize(caller, { kind: "scim" });
    if (!decision.allowed) {
      throw decision.status === 401
        ? new AppError("UNAUTHENTICATED", { detail: "Send the directory's token as Authorization: Bearer gths_…" })
        : new AppError("FORBIDDEN");
    }
    c.set("directoryCaller", caller);
    await next();
  });
}

/** For handlers behind requireDirectory: the directory, typed as present. */
export function currentDirectory(c: AppContext): DirectoryCaller {
  const caller = c.get("directoryCaller");
  if (!caller) throw new AppError("UNAUTHENTICATED");
  return caller;
}

/** The domain context of a SCIM request: the directory acts, on its own authority. */
export function directoryContext(c: AppContext): DirectoryContext {
  const caller = currentDirectory(c);
  return { ...domainContext(c, caller), actor: caller };
}

/** RFC 7644 §3.1: application/scim+json, and application/json, which Entra sends; strict JSON, no repeated key. */
export async function readScimBody(c: AppContext): Promise<unknown> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/(scim\+)?json(\s*;|$)/i.test(contentType)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", {
      detail: "Send the body as application/scim+json or application/json.",
    });
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new AppError("SCIM_INVALID_SYNTAX", { detail: "The request has no body." });
  refuseDuplicateJsonKeys(text);
  return JSON.parse(text);
}

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

/** A list's query (RFC 7644 §3.4.2), for Users and Groups alike. */
export const listQuerySchema = z.object({
  filter: filterSchema,
  startIndex: startIndexSchema,
  count: countSchema,
  attributes: attributeListSchema,
  excludedAttributes: attributeListSchema,
});

export const searchRequestSchema = listQuerySchema.extend({
  schemas: z.array(z.string()).refine((schemas) => schemas.includes(searchRequestUrn), {
    message: `Name ${searchRequestUrn} in schemas.`,
  }),
});

export type ListQuery = z.output<typeof listQuerySchema>;

export function readListQuery(schema: z.ZodType<ListQuery>, input: unknown): ListQuery {
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
export function projectionOf(query: Pick<ListQuery, "attributes" | "excludedAttributes">): ProjectionOptions {
  return {
    attributes: parseAttributeList(toAttributeText(query.attributes)),
    excludedAttributes: parseAttributeList(toAttributeText(query.excludedAttributes)),
  };
}
