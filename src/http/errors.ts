// Turning errors into responses: RFC 9457 problem details for /api, pages for everything else.
// Unknown errors are logged as one JSON line with the request id (never with query parameters,
// which may hold hashes or pending secrets) and answered with a generic body that carries the same id.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../errors";
import { writeLog } from "../log";
import type { AppEnv } from "./app-env";

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new AppError("PAYLOAD_TOO_LARGE");
    if (error.status === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE");
    if (error.status === 403) return new AppError("FORBIDDEN", { detail: "The request's origin is not allowed." });
    if (error.status === 400 && /json/i.test(error.message)) return new AppError("INVALID_JSON");
    if (error.status === 400) return new AppError("VALIDATION_FAILED", { detail: error.message });
    if (error.status === 404) return new AppError("NOT_FOUND");
  }
  return new AppError("INTERNAL");
}

export function logUnexpectedError(c: Context<AppEnv>, error: unknown): void {
  if (error instanceof AppError && error.code !== "INTERNAL") return;
  if (error instanceof HTTPException && error.status < 500) return;
  // Drizzle wraps driver errors as "Failed query: … params: …": log the driver's message only.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const summary =
    cause instanceof Error
      ? `${cause.name}: ${cause.message.split(/\r\n|\r|\n|\u2028|\u2029/)[0]}`
      : "non-error thrown";
  writeLog("error", "request_failed", {
    requestId: c.get("requestId") ?? null,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    error: summary,
  });
}

export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const body: Record<string, unknown> = {
    type: `https://gatehouse.dev/problems/${error.code.toLowerCase().replaceAll("_", "-")}`,
    title: error.title,
    status: error.status,
    detail: error.detail ?? error.title,
    code: error.code,
    requestId: c.get("requestId") ?? null,
    ...error.extensions,
  };
  if (error.fieldErrors.length > 0) body.errors = error.fieldErrors;
  const headers: Record<string, string> = { "Content-Type": "application/problem+json" };
  if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
