// The JSON API's own rules: bodies are application/json only (anything else 415) and
// cookie-authenticated writes must come from our own origin (a bearer token is not ambient, so it
// needs no CSRF check). Validation failures become problem details with one entry per field.
// A JSON body that repeats a key is refused (docs/SECURITY.md "Request bodies"): JSON.parse keeps
// the last copy silently, so `{"role":"OPERATOR","role":"SUPER_ADMIN"}` could pass a check that
// read the first. jsonc-parser's visitor sees every key as written; we never parse JSON ourselves.
import { zValidator } from "@hono/zod-validator";
import { createMiddleware } from "hono/factory";
import { type JSONPath, printParseErrorCode, visit } from "jsonc-parser";
import type { z } from "zod";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";

const bodyMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function requireJsonBodies() {
  return createMiddleware<AppEnv>(async function requireJsonBodies(c, next) {
    if (bodyMethods.has(c.req.method)) {
      const contentType = c.req.header("content-type");
      const length = c.req.header("content-length");
      // A body without a Content-Type is "anything else" too (a browser sends one for a typeless Blob).
      const hasBody =
        (length === undefined ? c.req.raw.body !== null : length !== "0") ||
        c.req.header("transfer-encoding") !== undefined;
      if ((contentType !== undefined || hasBody) && !/^application\/json(\s*;|$)/i.test(contentType ?? "")) {
        throw new AppError("UNSUPPORTED_MEDIA_TYPE");
      }
    }
    await next();
  });
}

export function requireSameOriginForCookieWrites() {
  return createMiddleware<AppEnv>(async function requireSameOriginForCookieWrites(c, next) {
    const principal = c.get("principal");
    if (bodyMethods.has(c.req.method) && principal?.credential.kind === "session") {
      const origin = c.req.header("origin");
      const fetchSite = c.req.header("sec-fetch-site");
      const sameOrigin = origin ? origin === new URL(c.req.url).origin : fetchSite === "same-origin";
      if (!sameOrigin)
        throw new AppError("FORBIDDEN", { detail: "Cross-origin requests with a session cookie are refused." });
    }
    await next();
  });
}

function toFieldErrors(error: z.ZodError) {
  return error.issues.map((issue) => ({
    field: issue.path.join(".") || "body",
    message: issue.code === "unrecognized_keys" ? `Unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
}

export function validationFailed(error: z.ZodError): AppError {
  const fieldErrors = toFieldErrors(error);
  return new AppError("VALIDATION_FAILED", {
    detail: fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; "),
    fieldErrors,
  });
}

/** Strict JSON, as RFC 8259 has it: no comments, no trailing commas. */
const strictJson = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

function describePath(path: JSONPath, key: string): string {
  return [...path, key].join(".");
}

/** Refuses a body that repeats a key in any object, at any depth, or that is not strict JSON. */
export function refuseDuplicateJsonKeys(text: string): void {
  const keysOfOpenObjects: Set<string>[] = [];
  const duplicates: string[] = [];
  const syntaxErrors: string[] = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        keysOfOpenObjects.push(new Set());
      },
      onObjectEnd: () => {
        keysOfOpenObjects.pop();
      },
      onObjectProperty: (key, _offset, _length, _line, _character, pathSupplier) => {
        const keys = keysOfOpenObjects.at(-1);
        if (keys?.has(key)) duplicates.push(describePath(pathSupplier(), key));
        keys?.add(key);
      },
      onError: (error, offset) => {
        syntaxErrors.push(`${printParseErrorCode(error)} at character ${offset}`);
      },
    },
    strictJson,
  );
  if (syntaxErrors.length > 0)
    throw new AppError("INVALID_JSON", { detail: `The request body is not valid JSON: ${syntaxErrors[0]}.` });
  if (duplicates.length === 0) return;
  throw new AppError("INVALID_JSON", {
    detail: `The request body repeats the key ${duplicates.map((path) => `"${path}"`).join(", ")}. Send each key once.`,
    fieldErrors: duplicates.map((path) => ({ field: path, message: "This key appears more than once in its object." })),
  });
}

export function jsonBody<S extends z.ZodType>(schema: S) {
  return zValidator("json", schema, async (result, c) => {
    // The validator has parsed the body already; its text is cached, so this reads nothing twice.
    const text = await c.req.text();
    if (text !== "") refuseDuplicateJsonKeys(text);
    if (!result.success) throw validationFailed(result.error as unknown as z.ZodError);
  });
}

export function queryParams<S extends z.ZodType>(schema: S) {
  return zValidator("query", schema, (result) => {
    if (!result.success) throw validationFailed(result.error as unknown as z.ZodError);
  });
}
