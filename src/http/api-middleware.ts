// The JSON API's own rules: bodies are application/json only (anything else 415) and
// cookie-authenticated writes must come from our own origin (a bearer token is not ambient, so it
// needs no CSRF check). Validation failures become problem details with one entry per field.
import { zValidator } from "@hono/zod-validator";
import { createMiddleware } from "hono/factory";
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
      const hasBody = (length === undefined ? c.req.raw.body !== null : length !== "0") || c.req.header("transfer-encoding") !== undefined;
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
      if (!sameOrigin) throw new AppError("FORBIDDEN", { detail: "Cross-origin requests with a session cookie are refused." });
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
  return new AppError("VALIDATION_FAILED", { detail: fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; "), fieldErrors });
}

export function jsonBody<S extends z.ZodType>(schema: S) {
  return zValidator("json", schema, (result) => {
    if (!result.success) throw validationFailed(result.error as unknown as z.ZodError);
  });
}

export function queryParams<S extends z.ZodType>(schema: S) {
  return zValidator("query", schema, (result) => {
    if (!result.success) throw validationFailed(result.error as unknown as z.ZodError);
  });
}
