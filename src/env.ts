// Bindings and vars, validated once per isolate. A misconfiguration fails on the first request
// with a message that names the setting, instead of somewhere deep inside a handler.
import { decodeBase64 } from "@oslojs/encoding";
import * as z from "zod";

export interface Bindings {
  DB?: D1Database;
  KV: KVNamespace;
  APP_ORIGIN: string;
  APP_NAME?: string;
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
  SECRETS_KEYS?: string;
  AUDIT_SIGNING_KEYS?: string;
}

/** A key of SECRETS_KEYS: the id every ciphertext names, and 32 random bytes (AES-256). */
export interface SecretKey {
  id: string;
  bytes: Uint8Array;
}

/** The first key encrypts; every key decrypts (docs/SECURITY.md "Secrets stored for reuse"). */
export type SecretKeys = readonly [SecretKey, ...SecretKey[]];

const secretKeysHelp =
  'set it with `wrangler secret put SECRETS_KEYS` to "<key id>:<32 random bytes in base64>", newest key first, comma-separated (README "Deploying to Cloudflare")';
const secretKeyEntryPattern = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{43}=)$/;

// Messages name the entry by position and never repeat the setting: it is key material.
const secretKeysSchema = z.string().transform((setting, context): SecretKeys => {
  const keys: SecretKey[] = [];
  for (const [index, entry] of setting.split(",").entries()) {
    const match = secretKeyEntryPattern.exec(entry.trim());
    const bytes = match?.[2] ? decodeBase64(match[2]) : undefined;
    if (!match?.[1] || bytes?.length !== 32) {
      context.addIssue({
        code: "custom",
        message: `entry ${index + 1} is not "<key id>:<32 bytes in base64>"; ${secretKeysHelp}`,
      });
      return z.NEVER;
    }
    if (keys.some((key) => key.id === match[1])) {
      context.addIssue({ code: "custom", message: `key id "${match[1]}" is listed twice` });
      return z.NEVER;
    }
    keys.push({ id: match[1], bytes });
  }
  // split() yields at least one entry, so a list that got here has a first key.
  const [first, ...others] = keys;
  return first ? [first, ...others] : z.NEVER;
});

// The note key forms of auth/signed-notes.ts: a name without spaces or "+", the key id, and the
// 33-byte typed key in base64 (44 characters).
const noteKeyPattern = /^(PRIVATE\+KEY\+)?[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/]{43}[A-Za-z0-9+/=]$/;
const signerKeyPattern = /^PRIVATE\+KEY\+[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/]{43}[A-Za-z0-9+/=]$/;

const configSchema = z.object({
  APP_ORIGIN: z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin),
  // The product's name in emails (subjects, greeting, footer): one line, no control character.
  APP_NAME: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[^\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}]+$/u, "must be one line without control characters")
    .default("Gatehouse"),
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
  // Optional until a feature stores a secret: requireSecretKeys names it then.
  SECRETS_KEYS: secretKeysSchema.optional(),
  // The audit log's Ed25519 signing key and earlier keys (auth/signed-notes.ts). Optional until a
  // checkpoint is sealed: requireAuditSigningKeys names it then.
  // The forms are checked here, so a malformed key fails the first request with this message; the
  // key ids against the keys are checked when the keys are first used.
  AUDIT_SIGNING_KEYS: z
    .string()
    .trim()
    .min(1)
    .refine(
      (setting) =>
        setting
          .split(/[,\n]/)
          .map((entry) => entry.trim())
          .filter(Boolean)
          .every((entry, index) => (index === 0 ? signerKeyPattern : noteKeyPattern).test(entry)),
      'must list the signer key first ("PRIVATE+KEY+<name>+<8 hex>+<base64>", from `npm run audit:keygen`), then any earlier keys, comma-separated (docs/AUDIT.md "Keys")',
    )
    .optional(),
});

export type Config = z.infer<typeof configSchema>;

/** Which store this Worker runs on: a D1 binding, or a libSQL server (Turso or self-hosted sqld). */
export type StoreConfig =
  | { kind: "d1"; database: D1Database }
  | { kind: "libsql"; url: string; authToken: string | undefined };

const storeHelp =
  'bind a D1 database as DB, or set LIBSQL_URL and the LIBSQL_AUTH_TOKEN secret (README "Using libSQL / Turso")';

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

/**
 * The error of a Worker configured for libSQL but deployed from wrangler.toml, whose bundle leaves
 * the libSQL client out (db/libsql-left-out.ts takes its place).
 */
export function libsqlLeftOutError(): Error {
  return configError(
    'LIBSQL_URL is set, but this Worker was deployed from wrangler.toml, the D1 build, which leaves the libSQL client out; deploy it with `wrangler deploy -c wrangler.libsql.toml` (README "Using libSQL / Turso")',
  );
}

/** Exactly one store must be configured; the message names the setting that is wrong. */
export function readStoreConfig(env: Bindings): StoreConfig {
  const url = env.LIBSQL_URL?.trim() || undefined;
  if (env.DB && url) throw configError(`both a D1 binding DB and LIBSQL_URL are set; keep one: ${storeHelp}`);
  if (env.DB) {
    if (env.LIBSQL_AUTH_TOKEN)
      throw configError(
        "LIBSQL_AUTH_TOKEN is set but the Worker uses the D1 binding DB; delete the secret or remove the binding",
      );
    return { kind: "d1", database: env.DB };
  }
  if (!url) throw configError(`no store: ${storeHelp}`);
  const result = libsqlSchema.safeParse({ LIBSQL_URL: url, LIBSQL_AUTH_TOKEN: env.LIBSQL_AUTH_TOKEN });
  if (!result.success) {
    throw configError(result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; "));
  }
  return { kind: "libsql", url, authToken: result.data.LIBSQL_AUTH_TOKEN };
}

/** The keys of SECRETS_KEYS, or an error naming the setting for a Worker that has none. */
export function requireSecretKeys(keys: SecretKeys | undefined): SecretKeys {
  if (!keys) throw configError(`SECRETS_KEYS is not set, and storing or reading a secret needs it: ${secretKeysHelp}`);
  return keys;
}

/** AUDIT_SIGNING_KEYS, or an error naming the setting for a Worker that has none. */
export function requireAuditSigningKeys(setting: string | undefined): string {
  if (!setting) {
    throw configError(
      'AUDIT_SIGNING_KEYS is not set, and sealing an audit checkpoint needs it: make a key with `npm run audit:keygen -- <origin>` and set it with `wrangler secret put AUDIT_SIGNING_KEYS` (docs/AUDIT.md "Keys")',
    );
  }
  return setting;
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
