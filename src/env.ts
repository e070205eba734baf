// Bindings and vars, validated once per isolate. A misconfiguration fails on the first request
// with a message that names the setting, instead of somewhere deep inside a handler.
import * as z from "zod";

export interface Bindings {
  DB?: D1Database;
  KV: KVNamespace;
  APP_ORIGIN: string;
  SETUP_TOKEN_TTL_SECONDS?: string;
  BOOTSTRAP_ADMIN_EMAIL?: string;
  EMAIL_PROVIDER?: string;
  EMAIL_FROM?: string;
  EMAIL_API_URL?: string;
  EMAIL_API_KEY?: string;
  SEND_EMAIL?: SendEmail;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  CLIENT_ADDRESS_SOURCE?: string;
}

const configSchema = z.object({
  APP_ORIGIN: z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin),
  SETUP_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .max(30 * 86400)
    .default(7 * 86400),
  BOOTSTRAP_ADMIN_EMAIL: z.email().default("admin@example.com"),
  EMAIL_PROVIDER: z.enum(["log", "http", "send_email"]).default("log"),
  EMAIL_FROM: z.string().min(3).default("Gatehouse <gatehouse@example.com>"),
  EMAIL_API_URL: z.url().default("https://api.resend.com/emails"),
  EMAIL_API_KEY: z.string().optional(),
  // Missing means behind Cloudflare's edge, where the header can be trusted; `npm start` sets
  // "local" (docs/SECURITY.md "The client address"). A typo fails instead of trusting the header.
  CLIENT_ADDRESS_SOURCE: z.enum(["cf-connecting-ip", "local"]).default("cf-connecting-ip"),
});

export type Config = z.infer<typeof configSchema>;

/** Which store this Worker runs on: a D1 binding, or a libSQL server (Turso or self-hosted sqld). */
export type StoreConfig = { kind: "d1"; database: D1Database } | { kind: "libsql"; url: string; authToken: string | undefined };

const storeHelp = 'bind a D1 database as DB, or set LIBSQL_URL and the LIBSQL_AUTH_TOKEN secret (README "Using libSQL / Turso")';

// The Worker reaches libSQL through @libsql/client/web, which speaks HTTP(S) only (libsql:// means
// https://): file: and ws: URLs would fail later, on some request, with a transport error.
const libsqlSchema = z
  .object({
    LIBSQL_URL: z.url({
      protocol: /^(libsql|https|http)$/,
      hostname: /./,
      error: "must be a libsql://, https:// or http:// URL with a host",
    }),
    LIBSQL_AUTH_TOKEN: z.string().trim().min(1, "must not be empty").optional(),
  })
  .refine((value) => value.LIBSQL_AUTH_TOKEN || new URL(value.LIBSQL_URL).protocol === "http:", {
    path: ["LIBSQL_AUTH_TOKEN"],
    error:
      "is missing: set it with `wrangler secret put LIBSQL_AUTH_TOKEN` (only a plain http:// server without authentication may go without)",
  });

function configError(problem: string): Error {
  return new Error(`Gatehouse configuration is invalid: ${problem}`);
}

/** Exactly one store must be configured; the message names the setting that is wrong. */
export function readStoreConfig(env: Bindings): StoreConfig {
  const url = env.LIBSQL_URL?.trim() || undefined;
  if (env.DB && url) throw configError(`both a D1 binding DB and LIBSQL_URL are set; keep one: ${storeHelp}`);
  if (env.DB) {
    if (env.LIBSQL_AUTH_TOKEN)
      throw configError("LIBSQL_AUTH_TOKEN is set but the Worker uses the D1 binding DB; delete the secret or remove the binding");
    return { kind: "d1", database: env.DB };
  }
  if (!url) throw configError(`no store: ${storeHelp}`);
  const result = libsqlSchema.safeParse({ LIBSQL_URL: url, LIBSQL_AUTH_TOKEN: env.LIBSQL_AUTH_TOKEN });
  if (!result.success) {
    throw configError(result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; "));
  }
  return { kind: "libsql", url, authToken: result.data.LIBSQL_AUTH_TOKEN };
}

const parsedConfigs = new WeakMap<object, Config>();

export function readConfig(env: Bindings): Config {
  const cached = parsedConfigs.get(env);
  if (cached) return cached;
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw configError(problems.join("; "));
  }
  if (!env.KV) throw configError("the KV binding is missing");
  readStoreConfig(env);
  if (result.data.EMAIL_PROVIDER === "http" && !result.data.EMAIL_API_KEY) {
    throw configError("EMAIL_PROVIDER=http needs the EMAIL_API_KEY secret");
  }
  if (result.data.EMAIL_PROVIDER === "send_email" && !env.SEND_EMAIL) {
    throw configError("EMAIL_PROVIDER=send_email needs a SEND_EMAIL binding");
  }
  parsedConfigs.set(env, result.data);
  return result.data;
}
